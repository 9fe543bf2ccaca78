"""rnnlib.diagrams: every schematic fits a phone, its text is legible, and it draws what
the code says (a change in the code changes the picture)."""

import io
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.patches import Circle, Rectangle
from schematics import NOTEBOOK_PAD, SMALLEST_PX, glyph_sizes, smallest_px

from rnnlib import diagrams
from rnnlib.data import batching, echo, padded, theory
from rnnlib.diagrams import draw, style
from rnnlib.diagrams import echo as echo_diagrams
from rnnlib.numpy import cell, charlstm, gated, layouts, lstm_stack

MINUS = "\N{MINUS SIGN}"
PHONE_PX, DESKTOP_PX = 326, 656  # the widths a figure shows at (dark theme, padded)

# Every picture the book shows, as its pages call them.
PICTURES = {
    "echo_rule": lambda: diagrams.echo_rule(),
    "tanh_cell": lambda: diagrams.tanh_cell(),
    "unrolled_window": lambda: diagrams.unrolled_window(),
    "unrolled_window-tf": lambda: diagrams.unrolled_window(framework="tf"),
    "unrolled_window-torch": lambda: diagrams.unrolled_window(framework="torch"),
    "unrolled_graphs-tf": lambda: diagrams.unrolled_graphs("tf"),
    "unrolled_graphs-torch": lambda: diagrams.unrolled_graphs("torch"),
    "truncation_styles": lambda: diagrams.truncation_styles(),
    "jacobian_chain": lambda: diagrams.jacobian_chain(),
    "memory_paths": lambda: diagrams.memory_paths(),
    "lstm_cell": lambda: diagrams.lstm_cell(),
    "gru_cell": lambda: diagrams.gru_cell(),
    "stacked_layers-tf": lambda: diagrams.stacked_layers("tf"),
    "stacked_layers-torch": lambda: diagrams.stacked_layers("torch"),
    "padded_batch-tf": lambda: diagrams.padded_batch("tf"),
    "padded_batch-torch": lambda: diagrams.padded_batch("torch"),
    "shared_head-tf": lambda: diagrams.shared_head("tf"),
    "shared_head-torch": lambda: diagrams.shared_head("torch"),
    "embedding_lookup": lambda: diagrams.embedding_lookup(
        table=np.random.default_rng(0).normal(size=(10, 4))
    ),
    "mnist_rows": lambda: diagrams.mnist_rows(
        image=np.random.default_rng(0).integers(0, 256, size=(28, 28))
    ),
    "data_parallel-tf": lambda: diagrams.data_parallel("tf"),
    "data_parallel-torch": lambda: diagrams.data_parallel("torch"),
    "ngram_mixing": lambda: diagrams.ngram_mixing(),
    "ngram_mixing-kn": lambda: diagrams.ngram_mixing(method="kneser-ney"),
    "char_rnn": lambda: diagrams.char_rnn(),
    "char_lstm-tf": lambda: diagrams.char_lstm("tf"),
    "char_lstm-torch": lambda: diagrams.char_lstm("torch"),
    "state_probe": lambda: diagrams.state_probe(),
}


def texts(figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].texts]


def svg_of(figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", pad_inches=NOTEBOOK_PAD)
    return out.getvalue()


def test_every_public_picture_is_tested():
    drawn = {name.split("-")[0] for name in PICTURES}
    assert drawn == set(diagrams.__all__)


@pytest.mark.parametrize("name", PICTURES)
def test_fits_a_phone_and_reads_at_both_widths(name):
    """At most MAX_WIDTH wide, so that the smallest glyph (a subscript) shows at 8 px
    or more in a phone's 326 px column and at 9 px or more on a desktop."""
    figure = PICTURES[name]()
    width, height = figure.get_size_inches()
    assert width <= style.MAX_WIDTH + 1e-6 and 0 < height < 8
    svg = svg_of(figure)
    sizes = glyph_sizes(svg)
    assert sizes, "the picture has text"
    assert min(sizes) >= 0.7 * style.FONT - 0.01  # a subscript of FONT, no smaller
    natural = (width + 2 * NOTEBOOK_PAD) * 96
    assert smallest_px(svg, PHONE_PX, natural) >= SMALLEST_PX["phone"]
    assert smallest_px(svg, DESKTOP_PX, natural) >= SMALLEST_PX["desktop"]


def test_glyph_sizes_see_subscripts():
    canvas = draw.Canvas()
    canvas.text(0, 0, "$S_{t-1}$")
    sizes = glyph_sizes(svg_of(canvas.done()))
    assert max(sizes) == pytest.approx(style.FONT)
    assert min(sizes) == pytest.approx(0.7 * style.FONT)


def test_a_drawing_too_wide_for_a_phone_is_refused():
    canvas = draw.Canvas()
    canvas.box(0, 0, style.MAX_WIDTH + 0.5, 0.5, "wide")
    with pytest.raises(ValueError, match="MAX_WIDTH"):
        canvas.done()


def test_text_below_the_book_size_and_unknown_roles_are_refused():
    canvas = draw.Canvas()
    with pytest.raises(ValueError, match="size"):
        canvas.text(0, 0, "small", size=9)
    with pytest.raises(ValueError, match="role"):
        canvas.box(0, 0, 1, 1, role="sparkly")


def test_importing_the_diagrams_imports_no_framework():
    code = (
        "import sys, rnnlib.diagrams; "
        "assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- drawn from the code


def test_echo_rule_draws_the_task_and_its_table():
    figure = diagrams.echo_rule()
    assert f"{MINUS}0.25" in texts(figure) and "+0.5" in texts(figure)
    # the table's last row, beside its heading: P(Y_t = 1) for each pattern, in order
    heading = next(t for t in figure.axes[0].texts if t.get_text() == "$P(Y_t = 1)$")
    row = sorted(
        (
            t
            for t in figure.axes[0].texts
            if t.get_position()[1] == heading.get_position()[1] and t is not heading
        ),
        key=lambda t: t.get_position()[0],
    )
    table = theory.optimal_predictions((3, 8))
    assert [t.get_text() for t in row] == [f"{p:g}" for p in table.values()]


def test_echo_rule_follows_the_generator(monkeypatch):
    monkeypatch.setattr(echo, "DEFAULT_EFFECTS", {2: 0.25, 5: -0.5})
    labels = " ".join(texts(diagrams.echo_rule()))
    assert f"t{MINUS}5" in labels and f"t{MINUS}2" in labels
    assert f"t{MINUS}8" not in labels and f"{MINUS}0.5" in labels


def count_dots(figure):
    dots = [p for p in figure.axes[0].patches if isinstance(p, Circle)]
    filled = sum(p.get_facecolor()[:3] != (1.0, 1.0, 1.0) for p in dots)
    return filled, len(dots) - filled


@pytest.mark.parametrize(
    "num_steps, lag", [(10, 8), (10, 3), (6, 8), (12, 5), (5, 8), (3, 8)]
)
def test_truncation_counts_the_labels_that_reach(num_steps, lag):
    figure = diagrams.truncation_styles(num_steps, lag)
    reaching = batching.labels_reaching(num_steps, lag)
    true_reaching = num_steps if lag < num_steps else 0
    # BPTT(2n; n): the label at position p of the scored part reaches n + p back
    twice_reaching = sum(num_steps + p >= lag for p in range(num_steps))
    labels = texts(figure)
    assert (
        f"{reaching} of {num_steps} labels reach t{MINUS}{lag}".replace(
            f"t{MINUS}{lag}", f"$t{MINUS}{lag}$"
        )
        in labels
    )
    assert f"{twice_reaching} of {num_steps} labels reach $t{MINUS}{lag}$" in labels
    assert f"BPTT(2n; n) = BPTT({2 * num_steps}; {num_steps})" in labels
    filled, hollow = count_dots(figure)
    # the key has one filled dot too
    assert filled - 1 == reaching + true_reaching + twice_reaching


def test_truncation_picture_follows_labels_reaching(monkeypatch):
    monkeypatch.setattr(echo_diagrams.batching, "labels_reaching", lambda n, lag: 3)
    with pytest.raises(RuntimeError, match="disagree"):
        diagrams.truncation_styles(10, 8)


def strip_labels(figure, names):
    """The labels among ``names`` in reading order (top to bottom, left to right)."""
    found = [t for t in figure.axes[0].texts if t.get_text() in names]
    found.sort(key=lambda t: (-round(t.get_position()[1], 2), t.get_position()[0]))
    return [t.get_text().strip("$") for t in found]


def test_gate_orders_come_from_the_layouts(monkeypatch):
    names = {f"${g}$" for g in "ifgcozrnh"}
    lstm = strip_labels(diagrams.lstm_cell(), names)
    keras = [{"g": "c"}.get(g, g) for g in layouts.KERAS_ORDER["lstm"]]
    assert lstm == keras + list(layouts.TORCH_ORDER["lstm"])
    gru = strip_labels(diagrams.gru_cell(), names)
    assert gru == ["z", "r", "h", "r", "z", "n"]
    monkeypatch.setitem(layouts.KERAS_ORDER, "gru", ("r", "z", "n"))
    assert strip_labels(diagrams.gru_cell(), names)[:3] == ["r", "z", "h"]


def test_the_cells_draw_their_shapes():
    params = gated.init_gated("gru", input_size=5, state_size=7)
    labels = " ".join(texts(diagrams.gru_cell(params)))
    assert "(5, 21)" in labels and "(21, 5)" in labels and "3 blocks of 7" in labels
    labels = " ".join(
        texts(diagrams.tanh_cell(cell.init_params(num_classes=3, state_size=5)))
    )
    assert "W (8, 5)" in labels and "U (5, 3)" in labels
    labels = texts(diagrams.jacobian_chain(2, cell.init_params(state_size=6)))
    assert "6 × 6" in labels and sum("diag" in t for t in labels) == 2


def circles_and_labels(figure):
    """[(circle's extent, its symbol's extent)] and the extents of the other labels, in
    display pixels."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    circles = [p for p in ax.patches if isinstance(p, Circle) and p.radius > 0.1]
    inside, others = [], []
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        centre = ax.transData.inverted().transform(((box.x0 + box.x1) / 2, box.y0))
        holder = [c for c in circles if np.hypot(*(centre - c.center)) < c.radius]
        if holder and text.get_position() == tuple(holder[0].center):
            inside.append((holder[0].get_window_extent(renderer), box))
        else:
            others.append(box)
    return [c.get_window_extent(renderer) for c in circles], inside, others


@pytest.mark.parametrize("picture", ["lstm_cell", "gru_cell"])
def test_operation_symbols_fit_their_circles_and_no_label_touches_one(picture):
    circles, inside, others = circles_and_labels(PICTURES[picture]())
    assert len(inside) == len(circles)  # every circle holds its symbol
    for circle, symbol in inside:  # the symbol's box within the circle, a margin left
        assert np.hypot(symbol.width, symbol.height) < 0.9 * circle.width, symbol
    for circle in circles:
        assert not any(circle.overlaps(label) for label in others), circle


def test_mnist_layers_come_from_the_parameters():
    labels = texts(diagrams.mnist_rows())
    assert [t for t in labels if t.startswith("LSTM")] == ["LSTM 32", "LSTM 64"]
    assert "dense 10" in labels
    params = lstm_stack.init_params(state_sizes=(24,), num_classes=4)
    labels = texts(diagrams.mnist_rows(params))
    assert [t for t in labels if t.startswith("LSTM")] == ["LSTM 24"]
    assert "dense 4" in labels
    with pytest.raises(ValueError, match="state_sizes"):
        diagrams.mnist_rows(lstm_stack.init_params(state_sizes=(8, 16, 24)))


def test_stacked_layers_draw_every_layer_and_the_dropout():
    labels = texts(diagrams.stacked_layers("torch", num_layers=2, dropout=0.2))
    assert [t for t in labels if t.startswith("layer")] == ["layer 0", "layer 1"]
    assert "nn.Dropout(0.2)" in labels
    figure = diagrams.stacked_layers("tf", dropout=0)
    squares = [
        p
        for p in figure.axes[0].patches
        if isinstance(p, Rectangle) and p.get_width() == pytest.approx(0.2)
    ]
    assert len(squares) == 1  # only the key's: no mask on any arrow


def test_padded_batch_rings_the_last_valid_output():
    tokens, lengths = padded.pad([[1, 2, 3], [4, 2], [1, 1, 1, 1, 1]])
    figure = diagrams.padded_batch("tf", tokens, lengths)
    rings = [p for p in figure.axes[0].patches if isinstance(p, Circle)]
    columns = sorted(round(r.center[0] / 0.27 - 0.5) for r in rings[:-1])
    assert columns == sorted(lengths - 1)


def test_embedding_shows_the_row_it_reads():
    table = np.arange(40.0).reshape(10, 4) / 10
    labels = texts(diagrams.embedding_lookup(table=table, token=7))
    assert labels.count("2.8") == 2 and "W[7]" in labels
    with pytest.raises(ValueError, match="token"):
        diagrams.embedding_lookup(token=10)


def test_data_parallel_splits_the_batch():
    labels = " ".join(texts(diagrams.data_parallel("tf", batch_size=96, num_workers=3)))
    assert labels.count("32 examples") == 3 and "worker 0 (chief)" in labels
    assert "rank 1" in " ".join(texts(diagrams.data_parallel("torch")))
    with pytest.raises(ValueError, match="batch_size"):
        diagrams.data_parallel("torch", batch_size=129)


def test_the_text_pictures_follow_the_models():
    labels = texts(diagrams.ngram_mixing(context="Citize", order=4, vocab_size=65))
    assert [f"$P_{{{k}}}(w \\mid h)$" in labels for k in range(6)] == [1] * 5 + [0]
    assert "uniform, 1/65" in labels and labels.count("t") == 1  # "itize" from 4 on
    kneser = " ".join(texts(diagrams.ngram_mixing(method="kneser-ney")))
    assert "$D\\,T(h)\\,/\\,c(h)$" in kneser
    with pytest.raises(ValueError, match="method"):
        diagrams.ngram_mixing(method="katz")
    params = cell.init_params(num_classes=30, state_size=7)
    labels = texts(diagrams.char_rnn(params, text="abcd"))
    assert "$S_t$ (7)" in labels and "$X_t$ (30)" in labels
    assert [labels.count(repr(c)) for c in "abcd"] == [1, 2, 2, 1]  # input, label
    lstm = charlstm.init_params(vocab_size=40, embed_size=8, state_sizes=(16, 24))
    labels = texts(diagrams.char_lstm("torch", lstm))
    assert {"8", "16", "24", "40", "detach(state)"} <= set(labels)
    assert labels.count("LSTM") == 2 and labels.count("id") == 4
    labels = texts(diagrams.state_probe(lag=2, state_size=6))
    assert "$S_t$ (6)" in labels and "probe: says $X_{t-2}$" in labels
    with pytest.raises(ValueError, match="lag"):
        diagrams.state_probe(lag=5)


def test_windows_and_graphs_draw_num_steps():
    labels = texts(diagrams.unrolled_window(4, framework="torch"))
    assert "$P_{4}$" in labels and "$P_{5}$" not in labels
    assert "state.detach()" in labels
    labels = texts(diagrams.unrolled_graphs("tf", num_steps=3))
    assert "num_steps = 3 copies of the cell" in labels and "While" in labels
    assert "torch.compile(model)" in texts(diagrams.unrolled_graphs("torch"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: diagrams.unrolled_window(framework="jax"),
        lambda: diagrams.unrolled_graphs("jax"),
        lambda: diagrams.stacked_layers("jax"),
        lambda: diagrams.padded_batch("mxnet"),
        lambda: diagrams.data_parallel("jax"),
        lambda: diagrams.char_lstm("jax"),
    ],
)
def test_an_unknown_framework_is_named_in_the_error(call):
    with pytest.raises(ValueError, match="framework"):
        call()
