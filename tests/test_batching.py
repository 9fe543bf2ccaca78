"""rnnlib.data.batching: windows tile the rows, rows continue across windows, only the
remainder is dropped."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.data import batching

layouts = st.integers(1, 400).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(1, n)).flatmap(
        lambda nb: st.tuples(
            st.just(nb[0]), st.just(nb[1]), st.integers(1, nb[0] // nb[1])
        )
    )
)


def positions(n, batch_size, num_steps):
    """Windows of the sequence 0, 1, ..., n-1: each value is its own position."""
    x = np.arange(n)
    return list(
        batching.windows(x, x + 1000, batch_size=batch_size, num_steps=num_steps)
    )


@given(layouts)
@settings(max_examples=200, deadline=None)
def test_windows_tile_the_rows_exactly(layout):
    n, batch_size, num_steps = layout
    got = positions(n, batch_size, num_steps)
    rows = batching.split_rows(np.arange(n), batch_size)
    assert len(got) == batching.num_windows(
        n, batch_size=batch_size, num_steps=num_steps
    )
    tiled = np.concatenate([x for x, _ in got], axis=1)
    assert np.array_equal(tiled, rows[:, : len(got) * num_steps])
    for x, y in got:
        assert x.shape == y.shape == (batch_size, num_steps)
        assert np.array_equal(y, x + 1000)  # targets stay aligned with inputs


@given(layouts)
@settings(max_examples=200, deadline=None)
def test_each_row_continues_where_it_stopped(layout):
    n, batch_size, num_steps = layout
    got = positions(n, batch_size, num_steps)
    for (previous, _), (current, _) in zip(got, got[1:]):
        assert np.array_equal(current[:, 0], previous[:, -1] + 1)
    for x, _ in got:  # within a window, each row is a contiguous stretch
        assert (np.diff(x, axis=1) == 1).all()


@given(layouts)
@settings(max_examples=200, deadline=None)
def test_nothing_is_dropped_but_the_stated_remainder(layout):
    n, batch_size, num_steps = layout
    seen = np.concatenate([x.ravel() for x, _ in positions(n, batch_size, num_steps)])
    row_length = n // batch_size
    used = row_length - row_length % num_steps
    expected = {i * row_length + j for i in range(batch_size) for j in range(used)}
    assert len(seen) == len(expected) and set(seen.tolist()) == expected


def test_split_rows_is_contiguous_and_drops_the_tail():
    rows = batching.split_rows(np.arange(11), 3)
    assert rows.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_epochs_repeat_the_same_windows():
    x = np.arange(100)
    passes = [
        list(epoch)
        for epoch in batching.epochs(x, x, num_epochs=3, batch_size=4, num_steps=5)
    ]
    assert len(passes) == 3
    for epoch in passes[1:]:
        assert all(np.array_equal(a[0], b[0]) for a, b in zip(epoch, passes[0]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(batch_size=4, num_steps=0), r"num_steps must be an integer >= 1, got 0"),
        (dict(batch_size=0, num_steps=2), r"batch_size must be an integer >= 1, got 0"),
        (
            dict(batch_size=2.0, num_steps=2),
            r"batch_size must be an integer >= 1, got 2.0",
        ),
        (
            dict(batch_size=11, num_steps=1),
            r"batch_size=11 is larger than the data: the sequence has 10 steps",
        ),
        (
            dict(batch_size=2, num_steps=6),
            r"num_steps=6 is longer than a row: 10 steps in 2 rows leave 5",
        ),
    ],
)
def test_bad_layouts_are_named(kwargs, message):
    x = np.arange(10)
    with pytest.raises(ValueError, match=message):
        next(batching.windows(x, x, **kwargs))


def test_bad_sequences_are_named():
    with pytest.raises(
        ValueError, match=r"x and y must have the same length, got 10 and 9"
    ):
        next(batching.windows(np.arange(10), np.arange(9), batch_size=2, num_steps=2))
    with pytest.raises(
        ValueError, match=r"x must be one sequence of shape \(n,\), got shape \(2, 5\)"
    ):
        next(
            batching.windows(np.zeros((2, 5)), np.zeros(10), batch_size=2, num_steps=2)
        )


def test_epochs_check_arguments_at_once():
    x = np.arange(10)
    with pytest.raises(ValueError, match=r"num_epochs must be an integer >= 1, got 0"):
        batching.epochs(x, x, num_epochs=0, batch_size=2, num_steps=2)
    with pytest.raises(ValueError, match=r"num_steps must be an integer >= 1"):
        batching.epochs(x, x, num_epochs=1, batch_size=2, num_steps=-1)


@pytest.mark.parametrize(
    "num_steps, lag, count", [(10, 8, 2), (10, 3, 7), (5, 3, 2), (5, 8, 0), (1, 3, 0)]
)
def test_labels_reaching_counts_positions_at_least_lag(num_steps, lag, count):
    assert batching.labels_reaching(num_steps, lag) == count


def test_labels_reaching_agrees_with_a_gradient_through_the_window():
    """Position p of a window depends on the input lag steps back iff p >= lag: read it
    off the NumPy cell's forward pass, nudging one input at a time."""
    from rnnlib.numpy import cell

    num_steps = 10
    params = cell.init_params(state_size=4, seed=0)
    x = np.zeros((1, num_steps), dtype=int)
    _, base = cell.forward(params, x, np.zeros((1, 4)))
    for lag in (0, 3, 8, 10):
        reached = 0
        for position in range(num_steps):
            if position - lag < 0:
                continue
            nudged = x.copy()
            nudged[0, position - lag] = 1
            _, logits = cell.forward(params, nudged, np.zeros((1, 4)))
            reached += not np.allclose(logits[0, position], base[0, position])
        assert reached == batching.labels_reaching(num_steps, lag)


@pytest.mark.parametrize("num_steps, lag", [(0, 3), (10, -1), (10, 2.0), (True, 3)])
def test_labels_reaching_names_bad_arguments(num_steps, lag):
    with pytest.raises(ValueError, match="num_steps|lag"):
        batching.labels_reaching(num_steps, lag)
