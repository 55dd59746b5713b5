"""What the benchmarks share: the row of the suite's table, and the table itself.

Every `bench/bench_*.py` is a script (``python bench/bench_x.py --help``)
and exposes ``suite(quick, tiny)``, which runs it at the suite's sizes and
returns its `Row`s; ``python -m bench`` gathers them into one Markdown table.
"""

import os
import platform
from collections import namedtuple

#: one line of the table: what was measured, the figure, its goal, whether it
#: meets it (True, False, or None for a figure without a goal) and how it was run
Row = namedtuple("Row", "benchmark measure value goal ok detail")


def ratio_row(benchmark, measure, value, goal, detail, unit="x", higher=True):
    """A `Row` for a ratio with a goal of at least (`higher`) or at most `goal`."""
    ok = value >= goal if higher else value <= goal
    sign = ">=" if higher else "<="
    return Row(benchmark, measure, f"{value:.2f}{unit}", f"{sign} {goal:g}{unit}", ok, detail)


def figure_row(benchmark, measure, value, detail=""):
    """A `Row` for a figure reported without a goal."""
    return Row(benchmark, measure, value, "—", None, detail)


def skipped_row(benchmark, measure, why):
    return Row(benchmark, measure, "—", "—", None, why)


def markdown(rows, title="Benchmarks", notes=()):
    """The rows as one Markdown table (with the machine it ran on)."""
    status = {True: "PASS", False: "FAIL", None: ""}
    lines = [f"# {title}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
             f"{platform.platform(terse=True)}, Python {platform.python_version()}.", ""]
    lines += [f"{note}" for note in notes]
    if notes:
        lines.append("")
    lines += ["| benchmark | measure | value | goal | status | how |",
              "|---|---|---|---|---|---|"]
    for row in rows:
        cells = [str(c).replace("|", "\\|") for c in
                 (row.benchmark, row.measure, row.value, row.goal, status[row.ok], row.detail)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
