"""Chapter 11's schematic: data-parallel training, one step. A global batch split into
one shard per worker, each worker's gradient on its shard, the all-reduce that gives
every worker the same gradient, and the same update everywhere; in the names each
framework's page uses."""

from rnnlib._checks import check_int
from rnnlib.diagrams.draw import Canvas

#: What each framework calls a worker, how it shards the batch, what the all-reduce
#: gives each worker, and the call that does it (chapter 11).
WORDS = {
    "tf": {
        "worker": "worker {r}",
        "name": "worker",
        "chief": " (chief)",
        "shard": "`shard`",
        "reduce": "all-reduce: the sum of the {n} gradients",
        "step": "`apply_gradients`",
    },
    "torch": {
        "worker": "rank {r}",
        "name": "rank",
        "chief": "",
        "shard": "`DistributedSampler`",
        "reduce": "all-reduce: the mean of the {n} gradients",
        "step": "`optimizer.step()`",
    },
}


def ordinal(n: int) -> str:
    return {2: "2nd", 3: "3rd"}.get(n, f"{n}th")


#: One colour per worker's shard.
SHARDS = ("tab:cyan", "tab:olive", "tab:pink")


def data_parallel(framework, *, batch_size=128, num_workers=2):
    """One step of data-parallel training on ``num_workers`` processes with a global
    batch of ``batch_size``: the shards, one gradient per worker, the all-reduce, and
    the same update on every worker, so the copies of the model stay equal."""
    if framework not in WORDS:
        raise ValueError(f"framework must be one of {list(WORDS)}, got {framework!r}")
    batch_size = check_int(batch_size, "batch_size")
    num_workers = check_int(num_workers, "num_workers", minimum=2)
    if num_workers > 3:
        raise ValueError(
            f"num_workers must be at most 3 for this picture, got {num_workers}"
        )
    if batch_size % num_workers:
        raise ValueError(
            f"batch_size={batch_size} must split evenly over num_workers={num_workers}"
        )
    words = WORDS[framework]
    shard = batch_size // num_workers
    canvas = Canvas()
    width = 4.5
    column = width / num_workers
    # the global batch, split into one shard per worker
    blocks = 8 * num_workers
    cell = width / blocks
    # every num_workers-th example of the shuffled batch to each worker
    roles = [SHARDS[i % num_workers] for i in range(blocks)]
    canvas.strip(0.0, 0.0, blocks, cell=cell, roles=roles)
    canvas.runs(
        0.0, cell + 0.42, f"global batch of {batch_size}, shuffled;", va="bottom"
    )
    canvas.runs(
        0.0,
        cell + 0.12,
        f"{words['shard']}: every {ordinal(num_workers)} example",
        va="bottom",
    )
    y = -0.5
    lanes = []
    for r in range(num_workers):
        x = r * column
        canvas.arrow((x + column / 2, -0.05), (x + column / 2, y))
        title = words["worker"].format(r=r) + (words["chief"] if r == 0 else "")
        canvas.text(x + 0.1, y - 0.05, title, ha="left", va="top", bold=True)
        canvas.strip(x + 0.1, y - 0.58, 1, cell=0.2, role=SHARDS[r])
        canvas.text(x + 0.38, y - 0.48, f"{shard} examples", ha="left")
        model = canvas.box(x + 0.1, y - 1.25, column - 0.3, 0.45, "model copy")
        grad = canvas.box(
            x + 0.1, y - 2.0, column - 0.3, 0.45, f"gradient $g_{r}$", role="gradient"
        )
        canvas.arrow(model.at("bottom"), grad.at("top"))
        lanes.append((model, grad))
    # the all-reduce: every worker gets the same gradient
    reduce_top = y - 2.35
    bar = canvas.box(
        0.1,
        reduce_top - 0.5,
        width - 0.3,
        0.5,
        words["reduce"].format(n=num_workers),
        role="gate",
    )
    update_top = bar.y - 0.35
    for _, grad in lanes:
        canvas.arrow(grad.at("bottom"), (grad.cx, bar.top))
        step = canvas.box(
            grad.x, update_top - 0.45, grad.w, 0.45, "same update", role="weight"
        )
        canvas.arrow((grad.cx, bar.y), step.at("top"))
    canvas.runs(
        0.0, update_top - 0.75, f"{words['step']} on every {words['name']}:", va="top"
    )
    canvas.text(0.0, update_top - 1.05, "the copies stay equal", ha="left", va="top")
    return canvas.done()
