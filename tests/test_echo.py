"""rnnlib.data.echo and rnnlib.data.theory: the generators, the exact floors, their
errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.data import echo, theory


def original_loop(size):
    """The original article's generator, kept here as the oracle for generate_legacy."""
    X = np.array(np.random.choice(2, size=(size,)))
    Y = []
    for i in range(size):
        threshold = 0.5
        if X[i - 3] == 1:
            threshold += 0.5
        if X[i - 8] == 1:
            threshold -= 0.25
        if np.random.rand() > threshold:
            Y.append(0)
        else:
            Y.append(1)
    return X, np.array(Y)


def H(p):
    return 0.0 if p in (0.0, 1.0) else -p * math.log(p) - (1 - p) * math.log(1 - p)


# ---------------------------------------------------------------- the floors


@pytest.mark.parametrize(
    "known, value",
    [
        ((), 0.661563),
        ((3,), 0.519167),
        ((8,), 0.627741),
        ((3, 8), 0.454454),
        ((8, 3), 0.454454),
    ],
)
def test_expected_loss_reproduces_the_known_floors(known, value):
    assert round(theory.expected_loss(known), 6) == value


def test_expected_loss_matches_the_entropies_by_hand():
    assert theory.expected_loss(()) == pytest.approx(H(0.625), abs=1e-15)
    assert theory.expected_loss((3,)) == pytest.approx(
        (H(0.875) + H(0.375)) / 2, abs=1e-15
    )
    assert theory.expected_loss((3, 8)) == pytest.approx(
        (H(0.5) + H(0.25) + H(1.0) + H(0.75)) / 4, abs=1e-15
    )


def test_expected_loss_handles_any_effects_and_clipping():
    # One echo of effect 0.3 on base 0.4: unknown -> H(0.55); known -> (H(0.4) + H(0.7))
    # / 2.
    assert theory.expected_loss((), effects={5: 0.3}, base=0.4) == pytest.approx(
        H(0.55)
    )
    assert theory.expected_loss((5,), effects={5: 0.3}, base=0.4) == pytest.approx(
        (H(0.4) + H(0.7)) / 2
    )
    # 0.5 + 0.8 clips to 1, a certain label that costs nothing.
    assert theory.expected_loss((2,), effects={2: 0.8}) == pytest.approx(H(0.5) / 2)


def test_knowing_a_lag_without_effect_changes_nothing():
    assert theory.expected_loss((3, 5)) == pytest.approx(
        theory.expected_loss((3,)), abs=1e-15
    )


def test_more_knowledge_never_hurts():
    f = theory.floors()
    assert f["both"] < f["only t-3"] < f["only t-8"] < f["neither"]


def test_monte_carlo_interval_covers_the_exact_value():
    for known in [(), (3,), (3, 8)]:
        estimate = theory.monte_carlo_loss(known, n=400_000, seed=11)
        assert estimate.low <= theory.expected_loss(known) <= estimate.high
        assert estimate.high - estimate.low < 0.01


def test_monte_carlo_with_custom_effects():
    effects = {2: 0.3, 4: -0.2}
    estimate = theory.monte_carlo_loss(
        (2,), n=400_000, effects=effects, base=0.45, seed=3
    )
    assert (
        estimate.low
        <= theory.expected_loss((2,), effects=effects, base=0.45)
        <= estimate.high
    )


@pytest.mark.parametrize(
    "loss, name",
    [
        (0.70, "neither"),
        (0.66, "neither"),
        (0.63, "part of t-3"),
        (0.608, "part of t-3"),
        (0.52, "only t-3"),
        (0.5145, "only t-3"),
        (0.51, "t-3 and part of t-8"),
        (0.4585, "both"),
        (0.456, "both"),
        (0.40, "both"),
    ],
)
def test_which_learned_names_floors_and_what_lies_between(loss, name):
    assert theory.which_learned(loss) == name


def test_which_learned_tolerance():
    assert theory.which_learned(0.5097) == "t-3 and part of t-8"
    assert theory.which_learned(0.5097, tolerance=0.01) == "only t-3"
    with pytest.raises(ValueError, match=r"tolerance must be a number >= 0, got -1"):
        theory.which_learned(0.5, tolerance=-1)


# ---------------------------------------------------------------- the generators


def test_generate_returns_int_zero_one_sequences_of_length_n():
    x, y = echo.generate(1000, seed=0)
    assert x.shape == y.shape == (1000,)
    assert x.dtype == y.dtype == np.int64
    assert set(np.unique(x)) <= {0, 1} and set(np.unique(y)) <= {0, 1}


@given(n=st.integers(min_value=9, max_value=3000), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_generate_is_deterministic_and_has_length_n(n, seed):
    a, b = echo.generate(n, seed=seed), echo.generate(n, seed=seed)
    assert len(a[0]) == len(a[1]) == n
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_different_seeds_give_different_data():
    assert not np.array_equal(
        echo.generate(1000, seed=0)[0], echo.generate(1000, seed=1)[0]
    )


def test_certain_labels_follow_the_rule_including_wrapped_lags():
    x, y = echo.generate(50_000, seed=5)
    certain = (np.roll(x, 3) == 1) & (np.roll(x, 8) == 0)  # P(Y = 1) = 1 exactly
    assert certain[:8].any()  # some of the wrapped first steps are certain too
    assert y[certain].all()
    # With an effect that drives the probability to 0, the label is never 1.
    x, y = echo.generate(50_000, effects={2: -0.5}, seed=6)
    assert not y[np.roll(x, 2) == 1].any()


def test_generate_frequencies_match_the_rule():
    x, y = echo.generate(400_000, seed=9)
    for x3 in (0, 1):
        for x8 in (0, 1):
            mask = (np.roll(x, 3) == x3) & (np.roll(x, 8) == x8)
            assert y[mask].mean() == pytest.approx(
                min(1, 0.5 + 0.5 * x3 - 0.25 * x8), abs=0.01
            )
    assert x.mean() == pytest.approx(0.5, abs=0.005)


@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
def test_generate_legacy_reproduces_the_original_loop_bit_for_bit(seed):
    np.random.seed(seed)
    expected = original_loop(5000)
    np.random.seed(seed)
    actual = echo.generate_legacy(5000)
    assert np.array_equal(expected[0], actual[0]) and np.array_equal(
        expected[1], actual[1]
    )


def test_generate_legacy_leaves_the_global_stream_where_the_loop_does():
    np.random.seed(3)
    original_loop(100)
    after_loop = np.random.rand()
    np.random.seed(3)
    echo.generate_legacy(100)
    assert np.random.rand() == after_loop


# ---------------------------------------------------------------- clear errors


@pytest.mark.parametrize("n", [0, -5, 2.5, "10", True, None])
def test_generate_rejects_bad_n(n):
    with pytest.raises(ValueError, match=r"n must be an integer >= 1"):
        echo.generate(n)


def test_generate_legacy_needs_the_longest_lag():
    with pytest.raises(ValueError, match=r"n must be an integer >= 8, got 7"):
        echo.generate_legacy(7)


@pytest.mark.parametrize(
    "effects, message",
    [
        ([(3, 0.5)], r"effects must be a mapping of int lag -> float effect"),
        ({0: 0.5}, r"effects must hold integer lags >= 1, got 0"),
        ({2.5: 0.5}, r"effects must hold integer lags >= 1, got 2.5"),
        ({3: "big"}, r"effects\[3\] must be a number, got 'big'"),
        ({3: float("nan")}, r"effects\[3\] must be finite"),
    ],
)
def test_bad_effects_are_named(effects, message):
    with pytest.raises(ValueError, match=message):
        echo.generate(100, effects=effects)
    with pytest.raises(ValueError, match=message):
        theory.expected_loss((3,), effects=effects)


@pytest.mark.parametrize("known", [(0,), (-3,), ("3",), "38", 3, (1.5,)])
def test_bad_known_lags_are_named(known):
    with pytest.raises(ValueError, match=r"known must"):
        theory.expected_loss(known)


def test_bad_base_and_confidence_are_named():
    with pytest.raises(ValueError, match=r"base must be a finite number"):
        echo.generate(10, base=float("inf"))
    with pytest.raises(
        ValueError, match=r"confidence must lie strictly between 0 and 1"
    ):
        theory.monte_carlo_loss((3,), n=100, confidence=1.0)
    for loss in (float("nan"), float("inf"), -1.0):
        with pytest.raises(
            ValueError, match=r"loss must be a finite cross-entropy >= 0"
        ):
            theory.which_learned(loss)


def test_a_lag_as_long_as_the_sequence_is_refused():
    with pytest.raises(
        ValueError, match=r"n must exceed the longest lag: effects has lag 8"
    ):
        echo.generate(8)
    assert len(echo.generate(9)[0]) == 9
    with pytest.raises(ValueError, match=r"effects has lag 5"):
        echo.generate(5, effects={5: 0.2})


def test_too_many_lags_are_refused_quickly():
    effects = {lag: 0.01 for lag in range(1, 25)}  # 2**24 patterns would take minutes
    with pytest.raises(ValueError, match=r"involve 24 lags.*at most 20 are supported"):
        theory.expected_loss((), effects=effects)
    effects = {lag: 0.01 for lag in range(1, 21)}
    assert theory.expected_loss((), effects=effects) > 0  # 20 lags still work


def test_paired_excess_is_zero_for_the_optimal_predictor_itself():
    x, y = echo.generate(5_000, seed=3)
    positions = np.arange(100, 4_900)
    optimal = theory.optimal_step_losses(x, y, (3,))
    result = theory.paired_excess(optimal[positions], x, y, positions, known=(3,))
    assert result.mean == 0 and result.low == 0 and result.high == 0
    assert result.n == len(positions)


def test_paired_excess_pairs_each_loss_with_its_own_step():
    """A model that knows only t-3, scored against the optimal 'both' predictor: the
    mean excess is the gap between the floors. Pairing each loss with the optimal
    predictor's loss at the same step is what makes the interval narrow: a shuffled
    or shifted pairing gives the same mean and a much wider interval."""
    x, y = echo.generate(200_000, seed=4)
    positions = np.arange(len(x))
    losses = theory.optimal_step_losses(x, y, (3,))
    paired = theory.paired_excess(losses, x, y, positions, known=(3, 8))
    gap = theory.expected_loss((3,)) - theory.expected_loss((3, 8))
    assert paired.low < gap < paired.high
    shuffled = theory.estimate(
        losses
        - np.random.default_rng(0).permutation(theory.optimal_step_losses(x, y, (3, 8)))
    )
    assert (paired.high - paired.low) < (shuffled.high - shuffled.low) / 2
    # scoring the losses at the wrong positions changes the answer
    shifted = theory.paired_excess(losses[:-1], x, y, positions[1:], known=(3, 8))
    assert (shifted.high - shifted.low) > 2 * (paired.high - paired.low)


def test_block_intervals_widen_for_correlated_values_and_not_for_independent_ones():
    """estimate(block=...) takes the interval over means of consecutive blocks: for
    independent values about as wide as the per-value interval, for values correlated
    with their neighbours (an AR(1) sequence, rho = 0.9) much wider, and then it, not
    the per-value interval, covers the true mean about as often as it should."""
    rng = np.random.default_rng(0)
    independent = rng.normal(size=100_000)
    single, blocked = (theory.estimate(independent, block=b) for b in (1, 1000))
    assert single.mean == blocked.mean == independent.mean()
    assert blocked.n == single.n == independent.size
    ratio = (blocked.high - blocked.low) / (single.high - single.low)
    assert 0.8 < ratio < 1.25
    covered = {1: 0, 200: 0}
    for trial in range(40):
        noise = np.random.default_rng(trial).normal(size=20_000)
        correlated = np.empty_like(noise)
        correlated[0] = noise[0]
        for t in range(1, len(noise)):  # true mean 0, neighbours correlated
            correlated[t] = 0.9 * correlated[t - 1] + noise[t]
        for block in covered:
            found = theory.estimate(correlated, block=block)
            covered[block] += found.low < 0 < found.high
    assert covered[200] >= 34  # about 95 % of 40
    assert covered[1] <= 25  # the per-value interval is far too narrow


def test_paired_excess_puts_steps_in_sequence_order_before_blocking():
    x, y = echo.generate(20_000, seed=5)
    positions = np.arange(len(x))
    rng = np.random.default_rng(1)
    # a model's losses that drift slowly along the sequence: correlated neighbours
    losses = theory.optimal_step_losses(x, y, (3,)) + 0.05 * np.sin(positions / 500)
    ordered = theory.paired_excess(losses, x, y, positions, block=1000)
    shuffle = rng.permutation(len(x))
    shuffled = theory.paired_excess(
        losses[shuffle], x, y, positions[shuffle], block=1000
    )
    assert shuffled == ordered
    single = theory.paired_excess(losses, x, y, positions)
    assert single.mean == pytest.approx(ordered.mean, abs=1e-12)
    assert (ordered.high - ordered.low) > 1.5 * (single.high - single.low)


def test_estimate_names_a_bad_block():
    with pytest.raises(ValueError, match=r"block must be an integer >= 1, got 0"):
        theory.estimate(np.zeros(10), block=0)
    with pytest.raises(ValueError, match=r"at least 20 numbers \(2 blocks of block="):
        theory.estimate(np.zeros(15), block=10)
    with pytest.raises(ValueError, match=r"at least 2 numbers, got 1"):
        theory.estimate(np.zeros(1))


def test_paired_excess_names_bad_shapes_and_positions():
    x, y = echo.generate(100, seed=0)
    with pytest.raises(ValueError, match="same shape"):
        theory.paired_excess(np.zeros(5), x, y, np.arange(4))
    with pytest.raises(ValueError, match="positions must be integer indices"):
        theory.paired_excess(np.zeros(3), x, y, np.array([0, 1, 100]))
