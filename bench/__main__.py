"""Run every benchmark of `bench/` and write one Markdown table (``python -m bench``).

Each `bench/bench_*.py` exposes ``suite(quick, tiny)`` returning its rows
(the figure, its goal, PASS/FAIL, how it was run). The table goes to
`outputs/bench/bench.md` (or `--output`) and is printed.

- (no flag): the full sizes (the 8 GB HDF5 memory file, the 40-epoch
  time-to-accuracy run: hours on 2 CPU cores);
- ``--quick``: smaller sizes, under 5 minutes on 2 cores; the
  time-to-accuracy row is the last result of bench_time_to_accuracy.py
  when there is one (it is not re-run);
- ``--tiny`` (with --quick): a smoke run on tiny sizes (what `make test`
  runs; its numbers mean nothing);
- ``--reuse-time-to-accuracy``: full sizes, but the time-to-accuracy row
  from the last run of bench_time_to_accuracy.py.

    python -m bench --quick
    python -m bench --quick --only throughput,training_path
    python -m bench
"""

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Row, markdown  # noqa: E402

#: the benchmarks, in the order of the table
BENCHMARKS = ("training_path", "throughput", "feature_extraction", "build_dataset",
              "hdf5_generator", "hdf5_memory", "time_to_accuracy")


def names(text):
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark(s) {unknown or text!r}; choose from {', '.join(BENCHMARKS)}")
    return chosen


def run_one(name, quick, tiny):
    """The rows of `bench/bench_<name>.py`, or one FAIL row saying why it broke."""
    started = time.perf_counter()
    print(f"== bench_{name}", flush=True)
    try:
        module = importlib.import_module(f"bench.bench_{name}")
        rows = module.suite(quick=quick, tiny=tiny)
    except (Exception, SystemExit) as error:  # one broken benchmark does not stop the suite
        traceback.print_exc()
        rows = [Row(name, "(did not run)", "—", "—", False,
                    f"{type(error).__name__}: {' '.join(str(error).split())[:200]}")]
    print(f"== bench_{name}: {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes for under 5 minutes")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", type=names, default=list(BENCHMARKS),
                        help=f"comma-separated benchmarks (default all: {', '.join(BENCHMARKS)})")
    parser.add_argument("--reuse-time-to-accuracy", action="store_true",
                        help="take the last result of bench_time_to_accuracy.py (its JSON) "
                        "instead of running its hour again")
    parser.add_argument("--output", default=str(ROOT / "outputs" / "bench" / "bench.md"),
                        help="the Markdown file (default outputs/bench/bench.md)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rows = []
    for name in args.only:
        reuse = name == "time_to_accuracy" and args.reuse_time_to_accuracy
        rows += run_one(name, args.quick or args.tiny or reuse, args.tiny)
    mode = "tiny (smoke run)" if args.tiny else ("quick" if args.quick else "full")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    shown = [f"--{flag.replace('_', '-')}" for flag in ("quick", "tiny", "reuse_time_to_accuracy")
             if getattr(args, flag)]
    if args.only != list(BENCHMARKS):
        shown.append("--only " + ",".join(args.only))
    notes = [f"`{' '.join(['python -m bench', *shown])}` ({mode} sizes), "
             f"{time.strftime('%Y-%m-%d %H:%M')}, {time.perf_counter() - started:.0f} s in all; "
             f"load average at the end {load} (other processes sharing the cores slow every "
             "wall-time figure)."]
    table = markdown(rows, title="Benchmark suite", notes=notes)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(table)
    os.replace(tmp, output)
    print(table)
    print(f"[INFO] table written to {output}")
    broken = [row for row in rows if row.measure == "(did not run)"]
    return 1 if broken else 0  # a goal missed is in the table; a benchmark that broke fails


if __name__ == "__main__":
    sys.exit(main())
