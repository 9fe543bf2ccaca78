"""The TensorFlow and PyTorch pages of a chapter glue the same values, and they agree.

Twin pages start from the same weights and see the same data, so what they compute
exactly (shapes, weights, float64 losses) must agree to rounding, and what they train in
float32 must agree within the noise of the held-out measurement: the two frameworks
round float32 slightly differently, and training lets that grow. Every value either page
glues is in one of the tables below, which says how the two are compared; a new glued
value must be added to one.

Reads the quick run's executed notebooks (tests/gluevalues.py): second phase of
`make test` (slow). To check another chapter's twins, add its tables to TWINS.
"""

import math

import pytest
from gluevalues import glued

pytestmark = pytest.mark.slow


class Tables:
    """How the glued values of one pair of twins are compared.

    equal: the same value (counts, shapes, names); close: {name: relative tolerance},
    computed from the same numbers; small: {name: bound}, rounding errors each page
    must keep below the bound (they differ between frameworks); trained: compared within
    the half-width of the 95% interval of the held-out measurement (glued as
    ``interval``), ranges ``NAME_min``/``NAME_max`` must overlap within it; own: differ
    by design (timings, one framework's defaults), or glued by one page only.
    """

    def __init__(self, equal, close, small, trained, ranges, own, interval):
        self.equal, self.close, self.small = set(equal), dict(close), dict(small)
        self.trained, self.ranges, self.own = set(trained), set(ranges), set(own)
        self.interval = interval

    def names(self) -> set[str]:
        paired = {f"{name}_{end}" for name in self.ranges for end in ("min", "max")}
        return (
            self.equal | set(self.close) | set(self.small) | self.trained | paired
        ) | self.own


SETTINGS = [(s, n) for s in (4, 16) for n in (1, 2, 5, 10)]
CHAPTER_3 = Tables(
    equal=[
        "cell_logits_shape",
        "cell_state_shape",
        "num_weights",
        "num_epochs",
        "every_windows",
        "windows_per_epoch",
        "never_printed",
        "n_sweep",
        "num_seeds",
        "sweep_windows_n1",
        "sweep_windows_n10",
        "learned",
        "main_quick_note",  # the same phrase, quick or full
        "sweep_quick_note",
        *[f"reach_{lag}_n{n}" for lag in (3, 8) for n in (1, 2, 5, 10)],
    ],
    close={
        # float64, from the same weights and window
        "limit_W": 1e-12,
        "limit_U": 1e-12,
        "loss64": 1e-12,
        "truncation_effect": 1e-9,
        "floor_neither": 1e-12,
        "floor_only_3": 1e-12,
        "floor_only_8": 1e-12,
        "floor_both": 1e-12,
        "worth_8": 1e-12,
        "optimal_noise": 1e-12,
        "alone_halfwidth": 1e-12,  # the optimal predictor's losses on the same steps
        # float32: one forward pass, one optimizer step from the same weights
        "cell_logits_norm": 1e-5,
        "first_step_median": 1e-4,
        "first_step_largest": 1e-4,
    },
    small={
        "max_forward_error": 1e-10,
        "max_gradient_error": 1e-10,
        "max_error": 1e-10,
        "max_library_error": 1e-10,
        "curve_gap": 1e-4,  # the library layer against the hand-rolled cell, float32
    },
    trained=[
        "heldout",
        "first_print",
        "first_correct",
        "first_discrepancy",
        "effect_3",
        "effect_8",
        "inside_excess",
        *[
            f"excess_{name}{end}"
            for name in ("neither", "only_3", "both")
            for end in ("", "_low", "_high")
        ],
    ],
    ranges=[f"{kind}_s{s}_n{n}" for kind in ("sweep", "equal") for s, n in SETTINGS],
    own=[
        # timings (rnnlib.timing's protocol): medians, ranges and verdict phrases
        *[
            f"{who}_ms_{end}"
            for who in ("hand", "library")
            for end in ("median", "min", "max")
        ],
        "speed_phrase",
        "across_ratio",
        "across_phrase",
        "zero_start_median",  # each framework's own zero-start default
        "first_discrepancy_percent",  # first_discrepancy / first_correct, both compared
        "heldout_halfwidth",  # the interval itself
        "gap_both",  # PyTorch's second bias
        "rnn_linear_calls",  # PyTorch's profiler
        "rnn_tanh_calls",
    ],
    interval="heldout_halfwidth",
)
TWINS = {"03-hand-rolled-cell": CHAPTER_3}


@pytest.fixture(scope="module", params=sorted(TWINS))
def twins(request):
    chapter = request.param
    return TWINS[chapter], glued(f"{chapter}-tf"), glued(f"{chapter}-torch")


def test_every_glued_value_says_how_it_is_compared(twins):
    tables, tf_values, torch_values = twins
    unknown = (set(tf_values) | set(torch_values)) - tables.names()
    assert not unknown, (
        f"add these glued names to a table of tests/test_twins.py: {unknown}"
    )
    shared = tables.names() - tables.own
    assert shared <= set(tf_values), f"the TF page lacks {shared - set(tf_values)}"
    assert shared <= set(torch_values), (
        f"the PyTorch page lacks {shared - set(torch_values)}"
    )


def test_exact_quantities_agree(twins):
    tables, tf_values, torch_values = twins
    for name in sorted(tables.equal):
        assert tf_values[name] == torch_values[name], name
    for name, tolerance in sorted(tables.close.items()):
        assert math.isclose(
            tf_values[name], torch_values[name], rel_tol=tolerance, abs_tol=1e-15
        ), (name, tf_values[name], torch_values[name])
    for name, bound in sorted(tables.small.items()):
        assert 0 <= tf_values[name] < bound and 0 <= torch_values[name] < bound, name


def half_width(tables, tf_values, torch_values) -> float:
    width = max(tf_values[tables.interval], torch_values[tables.interval])
    assert 0 < width < 0.05, f"{tables.interval} = {width}: not a held-out interval"
    return width


def test_trained_results_agree_within_the_heldout_interval(twins):
    tables, tf_values, torch_values = twins
    width = half_width(tables, tf_values, torch_values)
    apart = {
        name: (tf_values[name], torch_values[name])
        for name in sorted(tables.trained)
        if abs(tf_values[name] - torch_values[name]) > width
    }
    assert not apart, f"further apart than the held-out half-width {width:.4f}: {apart}"


def test_trained_ranges_overlap_within_the_heldout_interval(twins):
    """The spread over seeds of each setting: the TF and PyTorch ranges overlap."""
    tables, tf_values, torch_values = twins
    width = half_width(tables, tf_values, torch_values)
    for name in sorted(tables.ranges):
        tf_low, tf_high = tf_values[f"{name}_min"], tf_values[f"{name}_max"]
        torch_low, torch_high = torch_values[f"{name}_min"], torch_values[f"{name}_max"]
        assert tf_low <= tf_high and torch_low <= torch_high, name
        assert tf_low <= torch_high + width and torch_low <= tf_high + width, (
            f"{name}: TF {tf_low:.4f} to {tf_high:.4f}, "
            f"PyTorch {torch_low:.4f} to {torch_high:.4f}"
        )


CHECKS = (
    test_exact_quantities_agree,
    test_trained_results_agree_within_the_heldout_interval,
    test_trained_ranges_overlap_within_the_heldout_interval,
)


@pytest.mark.parametrize(
    "wrong",
    [{"n": 4}, {"x": 0.5 + 1e-6}, {"t": 0.2}, {"r_min": 0.3, "r_max": 0.4}],
    ids=["count", "exact", "trained", "range"],
)
def test_the_comparisons_can_fail(wrong):
    """A value that one page gets wrong is caught by its table."""
    tables = Tables(
        equal=["n"],
        close={"x": 1e-9},
        small={},
        trained=["t"],
        ranges=["r"],
        own=[],
        interval="h",
    )
    good = {"n": 3, "x": 0.5, "t": 0.1, "r_min": 0.1, "r_max": 0.2, "h": 0.01}
    for check in CHECKS:
        check((tables, good, dict(good)))
    with pytest.raises(AssertionError):
        for check in CHECKS:
            check((tables, good, {**good, **wrong}))
