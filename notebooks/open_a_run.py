# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Open a finished run
#
# Every study script leaves a run folder (`outputs/<study>/<run>/`, or
# `--output DIR`): `args.json` (the arguments and the recipe), `history.json`
# (the curves), `classification_report.json` (the report over every test
# image and its confusion matrix), `test_predictions.png`, `model.keras` and
# `results.csv` (the run's rows of the ledger). This notebook reads them back,
# then compares two runs with `pyimagesearch.harness.compare.compare_runs`.
#
# `OPEN_A_RUN_RUNS` names the run folders to open (separated by `:`). Unset,
# the notebook first makes two small runs of its own: LeNet on scikit-learn's
# digits (no download), seeds 1 and 2, `OPEN_A_RUN_EPOCHS` epochs each
# (default 2), under `OPEN_A_RUN_DIR` (default `outputs/open_a_run`); runs
# already finished there are reused.

# %%
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path.cwd()
ROOT = next(p for p in (HERE, *HERE.parents) if (p / "experiments").is_dir())
EPOCHS = int(os.environ.get("OPEN_A_RUN_EPOCHS", "2"))
RUNS_DIR = Path(os.environ.get("OPEN_A_RUN_DIR", ROOT / "outputs" / "open_a_run"))


def show(fig, dpi=50):
    """Draw `fig` (a matplotlib Figure) below the cell as a small PNG (in a notebook)."""
    if "ipykernel" in sys.modules:
        from IPython.display import Image, display

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        display(Image(buffer.getvalue()))


def show_png(path, scale=0.6):
    """Draw a PNG file below the cell, shrunk by `scale` (in a notebook)."""
    if "ipykernel" in sys.modules:
        import cv2
        from IPython.display import Image, display

        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        png = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1]
        display(Image(png.tobytes()))


def lenet_run(folder, seed):
    """Run `experiments/2020-11-11-lenet/train.py --dataset digits` into `folder`, unless done."""
    if (folder / "classification_report.json").is_file():
        return folder
    script = ROOT / "experiments" / "2020-11-11-lenet" / "train.py"
    flags = ["--dataset", "digits", "--epochs", str(EPOCHS), "--seed", str(seed),
             "--batch-size", "32", "--momentum", "0.9", "--verbose", "0", "--output", str(folder)]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, str(script), *flags], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=path))
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} failed:\n{done.stderr[-3000:]}")
    return folder


if os.environ.get("OPEN_A_RUN_RUNS"):
    RUNS = [Path(p) for p in os.environ["OPEN_A_RUN_RUNS"].split(":")]
else:
    RUNS = [lenet_run(RUNS_DIR / f"seed-{seed}", seed) for seed in (1, 2)]
RUN = RUNS[0]
print("runs:", ", ".join(run.name for run in RUNS))
print(sorted(p.name for p in RUN.iterdir()))

# %% [markdown]
# ## What was run: `args.json`

# %%
args = json.loads((RUN / "args.json").read_text())
print("script:", args["script"])
print("recipe:", args["recipe"] or "(the script's defaults)")
print("arguments:", {k: v for k, v in args["args"].items() if k != "output"})
print("versions:", args["versions"])

# %% [markdown]
# The same run again, in a new folder: `python <script> --config <run>/args.json`
# replays its arguments (flags given on the command line win).

# %% [markdown]
# ## The curves: `history.json`

# %%
from pyimagesearch.utils import plot_history

history = json.loads((RUN / "history.json").read_text())
print({k: [round(v, 4) for v in values] for k, values in history.items()})
show(plot_history(history, title=f"{RUN.name}: training curves"))

# %% [markdown]
# ## The classification report: `classification_report.json`

# %%
report = json.loads((RUN / "classification_report.json").read_text())
print((RUN / "classification_report.txt").read_text())
print(f"test accuracy: {report['accuracy']:.4f}")

# %% [markdown]
# ## The confusion matrix, from the report's `confusion_matrix` (rows: true class)
#
# The matrix is turned back into (true, predicted) label pairs so that the
# package's own `plot_confusion_matrix` draws it.

# %%
from pyimagesearch.utils import plot_confusion_matrix

matrix = np.array(report["confusion_matrix"])
names = [k for k in report if k not in ("accuracy", "macro avg", "weighted avg",
                                        "confusion_matrix")]
pairs = np.array([(i, j) for i in range(len(matrix)) for j in range(len(matrix))])
counts = matrix.ravel()
y_true, y_pred = np.repeat(pairs[:, 0], counts), np.repeat(pairs[:, 1], counts)
fig, again = plot_confusion_matrix(y_true, y_pred, names, title=f"{RUN.name}: confusion matrix")
assert (again == matrix).all()
show(fig)

# %% [markdown]
# ## Predictions: `test_predictions.png` (the first 16 test images; red when wrong)

# %%
show_png(RUN / "test_predictions.png", scale=0.3)

# %% [markdown]
# ## Two runs compared: `compare_runs`
#
# The table of their final metrics (the study READMEs' tables come from it)
# and their curves, training dashed and validation solid, in one PNG.

# %%
from pyimagesearch.harness.compare import compare_runs

figure = RUNS_DIR / "compare.png" if not os.environ.get("OPEN_A_RUN_RUNS") else \
    Path(os.environ.get("OPEN_A_RUN_FIGURE", RUN.parent / "compare.png"))
table = compare_runs(RUNS[:2], figure=figure, title="LeNet on digits, two seeds")
print(table)
if "ipykernel" in sys.modules:
    from IPython.display import Markdown, display

    display(Markdown(table))
show_png(figure, scale=0.5)
