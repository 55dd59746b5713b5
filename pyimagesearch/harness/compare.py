"""Compare runs: their curves in one figure and their final figures in one table.

Every run folder holds ``history.json`` (the per-epoch curves), ``args.json``
(the recipe) and ``results.csv`` (its ledger rows). `compare_runs` reads
several folders and returns a Markdown table of their final metrics; with
`figure` it also draws their training and validation curves on shared axes.
From a shell: ``python -m pyimagesearch.harness.compare RUN_DIR RUN_DIR ... [--figure F.png]``.

Example:

```python
table = compare_runs(["outputs/my-study/run-a", "outputs/my-study/run-b"],
                     figure="outputs/compare.png")
print(table)
```
"""

import json
import sys
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.harness import ledger
from pyimagesearch.harness.argtypes import existing_dir
from pyimagesearch.harness.cli import argument_parser
from pyimagesearch.harness.cli import entrypoint

__all__ = ["compare_main", "compare_runs", "load_run"]


def _read_json(path, default):
    if not path.is_file():
        return default
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path} is damaged ({' '.join(str(error).split())}); "
                           "leave that run out") from None
    if not isinstance(value, type(default)):
        raise DatasetError(f"{path} is damaged (a {type(value).__name__}, not a "
                           f"{type(default).__name__}); leave that run out")
    return value


def load_run(folder):
    """A run folder's ``{"name", "history", "args", "results"}``.

    Raises:
        DatasetError: not a run folder (no ``args.json``).
    """
    folder = Path(folder)
    if not (folder / "args.json").is_file():
        raise DatasetError(f"{folder}: not a run folder (no args.json); pass folders under "
                           "outputs/<study>/")
    history = _read_json(folder / "history.json", {})
    if not all(isinstance(v, list) and all(x is None or isinstance(x, (int, float)) for x in v)
               for v in history.values()):
        raise DatasetError(f"{folder / 'history.json'} is damaged (not lists of numbers); "
                           "leave that run out")
    return {"name": folder.name, "folder": folder, "args": _read_json(folder / "args.json", {}),
            "history": history, "results": ledger.read_rows(folder / "results.csv")}


def _label(run):
    recipe = run["args"].get("recipe") or "defaults"
    return f"{run['name']} ({recipe})"


def compare_runs(folders, figure=None, title="Runs compared"):
    """The Markdown table of the runs' final metrics; their curves in `figure` (a PNG).

    Args:
        folders: run folders.
        figure: where to draw the curves (loss and every metric, training
            dashed and validation solid), or None.
        title: the figure's title.
    """
    runs = [load_run(folder) for folder in folders]
    if not runs:
        raise DatasetError("no run folders to compare")
    if figure is not None:
        _draw(runs, figure, title)
    return _table(runs)


def _table(runs):
    metrics = []
    for run in runs:
        for row in run["results"]:
            if row.get("metric") and row["metric"] not in metrics:
                metrics.append(row["metric"])
    head = ["run", "script", "recipe", "data", "epochs", *metrics, "seconds", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in runs:
        rows = {row["metric"]: row for row in run["results"]}
        last = run["results"][-1] if run["results"] else {}
        epochs = max((len(v) for v in run["history"].values()), default=0)
        cells = [run["name"], run["args"].get("script", ""), run["args"].get("recipe") or "",
                 last.get("data", ""), str(epochs),
                 *(rows[m]["value"] if m in rows else "" for m in metrics),
                 last.get("seconds", ""), last.get("status", "")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _draw(runs, figure, title):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from pyimagesearch.utils.plotting import _spans_decades, save_figure

    keys = []
    for run in runs:
        keys += [k.removeprefix("val_") for k in run["history"]
                 if k not in ("lr", "learning_rate") and k.removeprefix("val_") not in keys]
    keys = sorted(set(keys), key=lambda k: (not k.endswith("loss"), k))
    if not keys:
        raise DatasetError("none of the runs has a history.json to draw")
    fig, axes = plt.subplots(1, len(keys), figsize=(6 * len(keys), 4.5), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, key in zip(axes[0], keys):
        for i, run in enumerate(runs):
            colour = colours[i % len(colours)]
            for name, style in ((key, "--"), (f"val_{key}", "-")):
                values = run["history"].get(name)
                if values:
                    ax.plot(range(1, len(values) + 1), values, style, color=colour,
                            label=f"{_label(run)} {'val' if style == '-' else 'train'}")
        ax.set_title(key)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if key.endswith("loss") and _spans_decades(
                {k: [v for v in vals if v is not None] for run in runs
                 for k, vals in run["history"].items()},
                [k for run in runs for k in run["history"] if k.endswith(key)]):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return save_figure(fig, figure)


@entrypoint
def compare_main(argv=None):
    """``python -m pyimagesearch.harness.compare``: runs' curves in one PNG, a table of results."""
    parser = argument_parser(compare_main.__doc__)
    parser.add_argument("runs", nargs="+", type=existing_dir, help="run folders")
    parser.add_argument("--figure", default=None,
                        help="the PNG of the curves (default: compare.png beside the first run)")
    parser.add_argument("--title", default="Runs compared", help="the figure's title")
    args = parser.parse_args(argv)
    figure = args.figure or Path(args.runs[0]).parent / "compare.png"
    print(compare_runs(args.runs, figure=figure, title=args.title))
    print(f"\n[INFO] curves in {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(compare_main())
