"""Benchmark ``unroll``: static against dynamic unrolling, in TensorFlow and PyTorch.

One training step of the echo task's model (forward, backward, Adagrad update;
batch_size 200, state_size 16) for each num_steps, unrolled each way:

- TensorFlow: ``static_unroll`` (a Python loop traced into one copy of the cell per
  step, like TF1's ``static_rnn``), ``dynamic_unroll`` (one ``tf.while_loop``, like
  ``dynamic_rnn``), both also compiled by XLA (``jit_compile=True``), and Keras
  ``SimpleRNN`` with ``unroll=True`` and ``unroll=False``. Measured: the ops of the
  traced training step (loop bodies and gradient functions included), the first call
  (tracing, graph optimisation or XLA compilation, and one step), and the steady-state
  time per step.
- PyTorch: the eager loop (``static_unroll``), ``nn.RNN`` (its loop in C++ on a CPU),
  and the loop under ``torch.compile`` for num_steps up to ``longest_compiled`` (seconds
  to compile, with Inductor's on-disk caches off, then time per step).

Times per step follow the book's protocol (``rnnlib.timing``): after the first call,
the variants of one num_steps are called in turn, ``repeats`` times each, and each
keeps its median, minimum and maximum; ``*_vs_*`` keys are the verdict ("faster",
"slower", or "no clear difference" where the ranges overlap). Inputs always enter as
function arguments, never as constants that TensorFlow's graph optimiser could fold away
(tensorflow#9527). ``tf_crossover_steps_N`` is the number of training steps after which
the static graph's faster steps (medians) have paid for its longer first call; inf
unless the protocol finds its steps faster.
"""

import time

from rnnlib import config, timing
from rnnlib.bench import Result
from rnnlib.data import batching, echo
from rnnlib.numpy.cell import init_params

#: num_steps, in the order the quick size takes them (the first ``num_lengths``).
LENGTHS = (10, 100, 50, 200)
BATCH_SIZE, STATE_SIZE, SEED = 200, 16, 0


def new_row(style, num_steps, ops, first_call) -> dict:
    """A row of the table; its times per step come later."""
    framework = "PyTorch" if style.startswith("torch") else "TensorFlow"
    return {"framework": framework, "style": style, "num_steps": num_steps} | {
        "ops": ops,
        "first call s": first_call,
        "ms per step": None,
        "min ms": None,
        "max ms": None,
    }


def windows_for(num_steps, count):
    x, y = echo.generate(BATCH_SIZE * num_steps * count, seed=1)
    return list(batching.windows(x, y, batch_size=BATCH_SIZE, num_steps=num_steps))


def count_ops(concrete_function) -> int:
    """Every op of a traced tf.function, the bodies of its loops and gradients too."""
    graph_def = concrete_function.graph.as_graph_def()
    return len(graph_def.node) + sum(
        len(f.node_def) for f in graph_def.library.function
    )


def stepper(step, windows, state, wait):
    """A zero-argument callable: one training step on the next window, the state
    carried; ``wait(loss)`` blocks until the step has finished."""
    position = [0]

    def call():
        nonlocal state
        x, y = windows[position[0] % len(windows)]
        position[0] += 1
        loss, state = step(x, y, state)
        wait(loss)

    return call


def time_steps(steps: dict, rows: list[dict], repeats) -> dict[str, timing.Timing]:
    """Interleaved timing of the already-called steppers; fills the rows' times."""
    timings = timing.interleaved(steps, repeats=repeats, warmup=False)
    for row in rows:
        measured = timings[row["style"]].as_dict(per=1e-3)
        row["ms per step"] = measured["median"]
        row["min ms"], row["max ms"] = measured["min"], measured["max"]
    return timings


def tensorflow_rows(lengths, repeats) -> tuple[list[dict], dict]:
    import rnnlib.tf  # first: TensorFlow's quiet environment

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # retracing on purpose: no warnings about it
    params = init_params(state_size=STATE_SIZE, seed=SEED)

    def keras_model(unroll):
        model = rnnlib.tf.LibraryRNN(params)
        model.rnn.unroll = unroll  # SimpleRNN(..., unroll=unroll), same weights
        return model

    rows, verdicts = [], {}
    for num_steps in lengths:
        models = {
            "tf_static": (rnnlib.tf.UnrolledRNN(params, rnnlib.tf.static_unroll), 0),
            "tf_dynamic": (rnnlib.tf.UnrolledRNN(params, rnnlib.tf.dynamic_unroll), 0),
            "tf_static_xla": (
                rnnlib.tf.UnrolledRNN(params, rnnlib.tf.static_unroll),
                1,
            ),
            "tf_dynamic_xla": (
                rnnlib.tf.UnrolledRNN(params, rnnlib.tf.dynamic_unroll),
                1,
            ),
            "keras_unrolled": (keras_model(True), 0),
            "keras_loop": (keras_model(False), 0),
        }
        windows = [
            (tf.constant(x), tf.constant(y))  # tensors, fed as arguments
            for x, y in windows_for(num_steps, 8)
        ]
        steps, mine = {}, []
        for name, (model, xla) in models.items():
            step = rnnlib.tf.make_train_step(model, rnnlib.tf.make_optimizer(model))
            if xla:  # the whole traced step, compiled by XLA
                step = tf.function(step, jit_compile=True)
            state = model.zero_state(BATCH_SIZE)
            start = time.perf_counter()
            loss, state = step(*windows[0], state)
            float(loss)
            first = time.perf_counter() - start
            ops = ""  # an XLA cluster is one op: its graph is XLA's, not counted
            if not xla:
                ops = count_ops(step.get_concrete_function(*windows[0], state))
            mine.append(new_row(name, num_steps, ops, first))
            steps[name] = stepper(step, windows[1:], state, wait=float)
        timings = time_steps(steps, mine, repeats)
        rows += mine
        verdicts[f"tf_static_vs_dynamic_{num_steps}"] = timing.verdict(
            timings["tf_static"], timings["tf_dynamic"]
        )
        verdicts[f"tf_xla_vs_graph_static_{num_steps}"] = timing.verdict(
            timings["tf_static_xla"], timings["tf_static"]
        )
        verdicts[f"tf_xla_vs_graph_dynamic_{num_steps}"] = timing.verdict(
            timings["tf_dynamic_xla"], timings["tf_dynamic"]
        )
        verdicts[f"keras_unrolled_vs_loop_{num_steps}"] = timing.verdict(
            timings["keras_unrolled"], timings["keras_loop"]
        )
    return rows, verdicts


def torch_rows(lengths, compile_lengths, repeats) -> tuple[list[dict], dict]:
    import torch
    import torch._inductor.config

    import rnnlib.torch

    torch.set_num_threads(1)
    # Time the compile, not a lookup in the on-disk cache an earlier run left.
    torch._inductor.config.force_disable_caches = True
    params = init_params(state_size=STATE_SIZE, seed=SEED)
    rows, verdicts = [], {}
    for num_steps in lengths:
        models = {
            "torch_eager": rnnlib.torch.UnrolledRNN(params, rnnlib.torch.static_unroll),
            "torch_fused": rnnlib.torch.LibraryRNN(params),
        }
        if num_steps in compile_lengths:
            models["torch_compiled"] = torch.compile(
                rnnlib.torch.UnrolledRNN(params, rnnlib.torch.static_unroll)
            )
        windows = windows_for(num_steps, 8)
        steps, mine = {}, []
        for name, model in models.items():
            step = rnnlib.torch.make_train_step(
                model, rnnlib.torch.make_optimizer(model)
            )
            state = model.zero_state(BATCH_SIZE)
            start = time.perf_counter()
            _, state = step(*windows[0], state)  # compiles, if compiled
            mine.append(new_row(name, num_steps, "", time.perf_counter() - start))
            steps[name] = stepper(step, windows[1:], state, wait=lambda loss: None)
        timings = time_steps(steps, mine, repeats)
        rows += mine
        verdicts[f"torch_fused_vs_eager_{num_steps}"] = timing.verdict(
            timings["torch_fused"], timings["torch_eager"]
        )
        if "torch_compiled" in timings:
            verdicts[f"torch_compiled_vs_eager_{num_steps}"] = timing.verdict(
                timings["torch_compiled"], timings["torch_eager"]
            )
    return rows, verdicts


def row_timing(row) -> timing.Timing:
    """A row's min, median and max ms per step, as a Timing for ``timing.verdict``."""
    return timing.Timing((row["min ms"], row["ms per step"], row["max ms"]))


def crossover(static, dynamic) -> float:
    """Training steps after which static's total time (first call + steps, medians) is
    less; inf unless the protocol finds its steps faster (``timing.verdict``)."""
    if timing.verdict(row_timing(static), row_timing(dynamic)) != "faster":
        return float("inf")
    saved_per_step = dynamic["ms per step"] - static["ms per step"]
    extra_first = static["first call s"] - dynamic["first call s"]
    return max(0.0, 1e3 * extra_first / saved_per_step)


def run() -> Result:
    size = config.sizes("bench.unroll")
    lengths = sorted(LENGTHS[: size.num_lengths])
    compile_lengths = [n for n in lengths if n <= size.longest_compiled]
    rows, verdicts = tensorflow_rows(lengths, size.repeats)
    more_rows, more_verdicts = torch_rows(lengths, compile_lengths, size.repeats)
    rows += more_rows
    verdicts |= more_verdicts
    by_style = {(r["style"], r["num_steps"]): r for r in rows}
    summary = {}
    for n in lengths:
        for name in ("tf_static", "tf_dynamic", "keras_unrolled", "keras_loop"):
            summary[f"{name}_ops_{n}"] = by_style[name, n]["ops"]
    for name in ("tf_static", "tf_dynamic", "tf_static_xla", "tf_dynamic_xla"):
        for n in lengths:
            summary[f"{name}_trace_s_{n}"] = by_style[name, n]["first call s"]
    for name in (
        "tf_static",
        "tf_dynamic",
        "tf_static_xla",
        "tf_dynamic_xla",
        "keras_unrolled",
        "keras_loop",
        "torch_eager",
        "torch_fused",
        "torch_compiled",
    ):
        for n in lengths:
            if (name, n) in by_style:
                row = by_style[name, n]
                summary[f"{name}_step_ms_{n}"] = row["ms per step"]
                summary[f"{name}_step_ms_min_{n}"] = row["min ms"]
                summary[f"{name}_step_ms_max_{n}"] = row["max ms"]
    for n in lengths:
        summary[f"tf_crossover_steps_{n}"] = crossover(
            by_style["tf_static", n], by_style["tf_dynamic", n]
        )
    for n in compile_lengths:
        summary[f"torch_compile_s_{n}"] = by_style["torch_compiled", n]["first call s"]
    summary |= verdicts
    summary["repeats"] = size.repeats
    summary["size"] = size.name
    return Result(rows, summary)
