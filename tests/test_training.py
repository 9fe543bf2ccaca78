"""rnnlib.training, rnnlib.config and rnnlib.tables: the loops, the sizes and the
tables."""

import numpy as np
import pytest

import rnnlib
from rnnlib import tables, training


def counting_step():
    """A fake step whose loss is the number of the window (1, 2, 3, ...), to test the
    bookkeeping."""
    calls = []

    def step(x_window, y_window, state):
        calls.append(state)
        return float(len(calls)), state + 1

    return step, calls


def test_learning_curve_averages_exactly_every_windows():
    step, _ = counting_step()
    x = np.zeros(1000, dtype=int)
    curve = training.train_windows(
        step,
        x,
        x,
        batch_size=10,
        num_steps=4,
        num_epochs=2,
        zero_state=lambda b: 0,
        every=10,
        progress=False,
    )
    # 100 steps per row / 4 = 25 windows per epoch, 50 in all: blocks 1-10, 11-20, ...,
    # 41-50.
    assert curve.windows_per_epoch == 25
    assert curve.window.tolist() == [10, 20, 30, 40, 50]
    assert curve.loss.tolist() == [5.5, 15.5, 25.5, 35.5, 45.5]
    assert curve.epoch.tolist() == [0.4, 0.8, 1.2, 1.6, 2.0]


def test_a_partial_last_block_is_averaged_over_what_it_has():
    step, _ = counting_step()
    x = np.zeros(120, dtype=int)
    curve = training.train_windows(
        step,
        x,
        x,
        batch_size=2,
        num_steps=5,
        num_epochs=1,
        zero_state=lambda b: 0,
        every=5,
        progress=False,
    )
    assert curve.window.tolist() == [5, 10, 12] and curve.loss[-1] == 11.5


def test_state_is_carried_and_restarts_each_epoch():
    step, calls = counting_step()
    x = np.zeros(40, dtype=int)
    training.train_windows(
        step,
        x,
        x,
        batch_size=2,
        num_steps=5,
        num_epochs=2,
        zero_state=lambda b: 0,
        every=100,
        progress=False,
    )
    assert calls == [0, 1, 2, 3, 0, 1, 2, 3]


def test_step_losses_over_scores_every_step_in_order():
    x = np.arange(103)  # 5 rows of 20; the last 3 steps are dropped
    states = []

    def step_losses(xw, yw, state):
        states.append(state)
        return xw * 10.0, state + 1  # each position's "loss" is ten times its value

    positions, losses = training.step_losses_over(
        step_losses, x, x, batch_size=5, num_steps=4, zero_state=lambda b: 0
    )
    assert positions.tolist() == list(range(100))
    assert losses.tolist() == [10.0 * p for p in range(100)]
    assert states == [0, 1, 2, 3, 4]  # the state is carried across the 5 windows


def test_training_arguments_are_checked():
    x = np.zeros(100, dtype=int)
    with pytest.raises(ValueError, match=r"every must be an integer >= 1, got 0"):
        training.train_windows(
            None,
            x,
            x,
            batch_size=2,
            num_steps=5,
            num_epochs=1,
            zero_state=None,
            every=0,
        )
    with pytest.raises(ValueError, match=r"num_epochs must be an integer >= 1, got 0"):
        training.train_windows(
            None, x, x, batch_size=2, num_steps=5, num_epochs=0, zero_state=None
        )


@pytest.mark.parametrize(
    "value, quick",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("0", False),
        ("", False),
        ("off", False),
    ],
)
def test_quick_switch(monkeypatch, value, quick):
    monkeypatch.setenv("RNNLIB_QUICK", value)
    assert rnnlib.is_quick() is quick
    size = rnnlib.sizes("01-echo-task")
    assert size.n == (100_000 if quick else 1_000_000) and size["n"] == size.n
    assert size.name == rnnlib.size_name() == ("quick" if quick else "full")


def test_quick_switch_unset_means_full(monkeypatch):
    monkeypatch.delenv("RNNLIB_QUICK", raising=False)
    assert not rnnlib.is_quick()


def test_bad_quick_value_is_named(monkeypatch):
    monkeypatch.setenv("RNNLIB_QUICK", "maybe")
    with pytest.raises(
        ValueError, match=r"RNNLIB_QUICK='maybe': expected one of 1/true/yes/on"
    ):
        rnnlib.is_quick()


def test_progress_switch(monkeypatch):
    monkeypatch.setenv("RNNLIB_PROGRESS", "0")
    assert not training.show_progress()
    monkeypatch.delenv("RNNLIB_PROGRESS")
    assert training.show_progress()


def test_tables():
    rows = [{"name": "a", "loss": 0.5}, {"name": "bb", "loss": 0.25}]
    assert tables.markdown_table(rows).splitlines() == [
        "| name | loss |",
        "|---|---|",
        "| a | 0.5000 |",
        "| bb | 0.2500 |",
    ]
    assert tables.text_table(rows).splitlines()[2] == "a     0.5000"
    with pytest.raises(
        ValueError,
        match=r"rows\[1\] has columns \['name'\], expected \['name', 'loss'\]",
    ):
        tables.markdown_table([{"name": "a", "loss": 1.0}, {"name": "b"}])
    with pytest.raises(ValueError, match=r"rows must hold at least one mapping"):
        tables.text_table([])


def test_after_epoch_runs_after_each_epoch_with_the_windows_done():
    step, calls = counting_step()
    seen = []
    x = np.zeros(1000, dtype=int)
    curve = training.train_windows(
        step,
        x,
        x,
        batch_size=10,
        num_steps=4,
        num_epochs=3,
        zero_state=lambda b: 0,
        every=10,
        progress=False,
        after_epoch=lambda epochs_done: seen.append((epochs_done, len(calls))),
    )
    # after epoch k, exactly k * 25 windows have been trained on
    assert seen == [(1, 25), (2, 50), (3, 75)]
    assert curve.window[-1] == 75


def test_time_spent_after_epochs_is_not_training_time():
    import time

    step, _ = counting_step()
    x = np.zeros(100, dtype=int)
    curve = training.train_windows(
        step,
        x,
        x,
        batch_size=10,
        num_steps=2,
        num_epochs=2,
        zero_state=lambda b: 0,
        progress=False,
        after_epoch=lambda epochs_done: time.sleep(0.2),
    )
    assert curve.seconds < 0.1


# ---------------------------------------------------------------- rates per epoch


def test_epoch_learning_rates_lower_only_the_last_epoch():
    assert training.epoch_learning_rates(0.1, 3) == [0.1, 0.1, 0.1]
    assert training.epoch_learning_rates(0.1, 3, 0.01) == [0.1, 0.1, 0.01]
    assert training.epoch_learning_rates(0.1, 1, 0.01) == [0.01]
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0"):
        training.epoch_learning_rates(-0.1, 2)
    with pytest.raises(ValueError, match=r"final_learning_rate must be a finite num"):
        training.epoch_learning_rates(0.1, 2, float("nan"))


def test_train_at_rates_runs_each_rate_once_and_joins_the_curves():
    """Consecutive epochs at one rate are one run (one set_learning_rate call between
    runs); the joined curve counts windows across runs, and after_epoch counts
    epochs across them."""
    step, calls = counting_step()
    rates_set, seen = [], []
    x = np.zeros(100, dtype=int)
    curve = training.train_at_rates(
        step,
        rates_set.append,
        x,
        x,
        learning_rates=[0.1, 0.1, 0.01],
        batch_size=10,
        num_steps=5,  # 2 windows per epoch
        zero_state=lambda b: 0,
        every=1,
        progress=False,
        after_epoch=seen.append,
    )
    assert rates_set == [0.01]  # the first rate is the optimizer's own
    assert seen == [1, 2, 3]
    assert list(curve.window) == [1, 2, 3, 4, 5, 6]
    assert list(curve.loss) == [1, 2, 3, 4, 5, 6]  # every window, in order
    assert calls == [0, 1, 0, 1, 0, 1]  # the state restarts each epoch
    with pytest.raises(ValueError, match=r"learning_rates must hold one rate"):
        training.train_at_rates(
            step,
            print,
            x,
            x,
            learning_rates=[],
            batch_size=10,
            num_steps=5,
            zero_state=lambda b: 0,
        )
