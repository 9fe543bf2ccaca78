"""Benchmark ``unroll``: static against dynamic unrolling, in TensorFlow and PyTorch.

One training step of the echo task's model (forward, backward, Adagrad update;
batch_size 200, state_size 16) for each num_steps, unrolled each way:

- TensorFlow: ``static_unroll`` (a Python loop traced into one copy of the cell per
  step, like TF1's ``static_rnn``), ``dynamic_unroll`` (one ``tf.while_loop``, like
  ``dynamic_rnn``), and Keras ``SimpleRNN`` with ``unroll=True`` and ``unroll=False``.
  Measured: the ops of the traced training step (loop bodies and gradient functions
  included), the first call (tracing, graph optimisation and one step), and the
  steady-state time per step.
- PyTorch: the eager loop (``static_unroll``), ``nn.RNN`` (one fused kernel per layer),
  and, at full size only, the loop under ``torch.compile`` (seconds to compile, then
  time per step).

Times per step are the fastest of ``repeats`` calls, the variants called in turn so that
load on the machine hits each alike. Inputs always enter as function arguments, never
as constants that TensorFlow's graph optimiser could fold away (tensorflow#9527).
``crossover`` is the number of training steps after which the static graph's faster
steps have paid for its longer trace.
"""

import time

from rnnlib import config
from rnnlib.bench import Result
from rnnlib.data import batching, echo
from rnnlib.numpy.cell import init_params

#: num_steps, in the order the quick size takes them (the first ``num_lengths``).
LENGTHS = (10, 100, 50, 200)
BATCH_SIZE, STATE_SIZE, SEED = 200, 16, 0


def new_row(style, num_steps, ops, first_call) -> dict:
    """A row of the table; its time per step comes later."""
    framework = "PyTorch" if style.startswith("torch") else "TensorFlow"
    return {"framework": framework, "style": style, "num_steps": num_steps} | {
        "ops": ops,
        "first call s": first_call,
        "ms per step": None,
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


def interleaved_fastest(steps: dict, windows, state_of: dict, repeats) -> dict:
    """The fastest call of each step function, the functions called in turn."""
    times = {name: [] for name in steps}
    for i in range(repeats):
        x, y = windows[i % len(windows)]
        for name, step in steps.items():
            start = time.perf_counter()
            loss, state_of[name] = step(x, y, state_of[name])
            float(loss)  # the step has finished
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def tensorflow_rows(lengths, repeats) -> list[dict]:
    import rnnlib.tf  # first: TensorFlow's quiet environment

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # retracing on purpose: no warnings about it
    params = init_params(state_size=STATE_SIZE, seed=SEED)

    def keras_model(unroll):
        model = rnnlib.tf.LibraryRNN(params)
        model.rnn.unroll = unroll  # SimpleRNN(..., unroll=unroll), same weights
        return model

    rows = []
    for num_steps in lengths:
        models = {
            "tf_static": rnnlib.tf.UnrolledRNN(params, rnnlib.tf.static_unroll),
            "tf_dynamic": rnnlib.tf.UnrolledRNN(params, rnnlib.tf.dynamic_unroll),
            "keras_unrolled": keras_model(True),
            "keras_loop": keras_model(False),
        }
        windows = [
            (tf.constant(x), tf.constant(y))  # tensors, fed as arguments
            for x, y in windows_for(num_steps, 8)
        ]
        steps, states, first = {}, {}, {}
        for name, model in models.items():
            steps[name] = rnnlib.tf.make_train_step(
                model, rnnlib.tf.make_optimizer(model, "adagrad", 0.1)
            )
            state = model.zero_state(BATCH_SIZE)
            start = time.perf_counter()
            loss, states[name] = steps[name](*windows[0], state)
            float(loss)
            first[name] = time.perf_counter() - start
            ops = count_ops(steps[name].get_concrete_function(*windows[0], state))
            rows.append(new_row(name, num_steps, ops, first[name]))
        fastest = interleaved_fastest(steps, windows, states, repeats)
        for row in rows[-len(models) :]:
            row["ms per step"] = 1e3 * fastest[row["style"]]
    return rows


def torch_rows(lengths, compile_lengths, repeats) -> list[dict]:
    import torch

    import rnnlib.torch

    torch.set_num_threads(1)
    params = init_params(state_size=STATE_SIZE, seed=SEED)
    rows = []
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
        steps, states = {}, {}
        for name, model in models.items():
            steps[name] = rnnlib.torch.make_train_step(
                model, rnnlib.torch.make_optimizer(model)
            )
            state = model.zero_state(BATCH_SIZE)
            start = time.perf_counter()
            _, states[name] = steps[name](*windows[0], state)  # compiles, if compiled
            rows.append(new_row(name, num_steps, "", time.perf_counter() - start))
        fastest = interleaved_fastest(steps, windows, states, repeats)
        for row in rows[-len(models) :]:
            row["ms per step"] = 1e3 * fastest[row["style"]]
    return rows


def crossover(static, dynamic) -> float:
    """Training steps after which static's total time (first call + steps) is less;
    inf when its steps are no faster."""
    saved_per_step = dynamic["ms per step"] - static["ms per step"]
    extra_first = static["first call s"] - dynamic["first call s"]
    if saved_per_step <= 0:
        return float("inf")
    return max(0.0, 1e3 * extra_first / saved_per_step)


def run() -> Result:
    size = config.sizes("bench.unroll")
    lengths = sorted(LENGTHS[: size.num_lengths])
    compile_lengths = [n for n in lengths if n <= size.longest_compiled]
    rows = tensorflow_rows(lengths, size.repeats)
    rows += torch_rows(lengths, compile_lengths, size.repeats)
    by_style = {(r["style"], r["num_steps"]): r for r in rows}
    summary = {}
    for n in lengths:
        for name in ("tf_static", "tf_dynamic"):
            summary[f"{name}_ops_{n}"] = by_style[name, n]["ops"]
    for n in lengths:
        for name in ("tf_static", "tf_dynamic"):
            summary[f"{name}_trace_s_{n}"] = by_style[name, n]["first call s"]
    for name in ("tf_static", "tf_dynamic", "keras_unrolled", "keras_loop"):
        for n in lengths:
            summary[f"{name}_step_ms_{n}"] = by_style[name, n]["ms per step"]
    for n in lengths:
        summary[f"tf_crossover_steps_{n}"] = crossover(
            by_style["tf_static", n], by_style["tf_dynamic", n]
        )
    for name in ("torch_eager", "torch_fused", "torch_compiled"):
        for n in lengths:
            if (name, n) in by_style:
                summary[f"{name}_step_ms_{n}"] = by_style[name, n]["ms per step"]
    for n in compile_lengths:
        summary[f"torch_compile_s_{n}"] = by_style["torch_compiled", n]["first call s"]
    summary["repeats"] = size.repeats
    summary["size"] = size.name
    return Result(rows, summary)
