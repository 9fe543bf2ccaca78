"""python -m rnnlib.bench NAME: run one benchmark, print its table, then key=value
pairs."""

import argparse
import sys

from rnnlib import config
from rnnlib.bench import BENCHMARKS, run, saved, summary_line
from rnnlib.tables import text_table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlib.bench", description=__doc__)
    parser.add_argument(
        "name", nargs="?", help="the benchmark to run: " + ", ".join(BENCHMARKS)
    )
    parser.add_argument(
        "--list", action="store_true", help="list the benchmarks and exit"
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help=f"also write {saved.RESULTS_DIR}/NAME.json for the book's results page "
        "(full size only)",
    )
    args = parser.parse_args(argv)
    if args.list or args.name is None:
        for name, (_, about) in BENCHMARKS.items():
            print(f"{name:8s} {about}")
        return 0 if args.list else 2
    if args.name not in BENCHMARKS:
        parser.error(
            f"unknown benchmark {args.name!r}; expected one of: {', '.join(BENCHMARKS)}"
        )
    if args.save and config.is_quick():
        parser.error("--save keeps full-size results only: unset RNNLIB_QUICK")
    result = run(args.name)
    print(text_table(result.rows))
    if args.save:
        path = saved.save(args.name, BENCHMARKS[args.name][1], result)
        print(f"saved {path}", file=sys.stderr)
    print(summary_line(result.summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
