"""The study harness: what every `experiments/<study>/*.py` script shares.

A study script keeps only its story (data, model, training, evaluation); the
plumbing lives here:

- `study_parser()`: the common arguments (`--output`, `--epochs`,
  `--batch-size`, `--seed`, `--verbose`, `--deterministic`,
  `--mixed-precision`) plus `--dataset` when the study reads data.
- `resolve_dataset()`: `--dataset` is a path or a data set's name; a name is
  looked up under `$DATASETS_DIR` when set, else under the repository's
  `datasets/` folder.
- `Run`: seeds everything, makes a new output folder per run (runs never
  overwrite each other), and writes what a user needs to judge the run:
  `args.json`, `history.json` + `history.csv`, `training_plot.png`,
  `classification_report.txt` + `.json`, `model.keras` and one line in
  `outputs/results.csv`.
- `entrypoint`: turns a user's mistake (`PyImageSearchError`) into a one-line
  ``error: ...`` on stderr and exit status 2, without a traceback.

Example:

```python
from pyimagesearch import harness

@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, epochs=20, batch_size=128)
    args = parser.parse_args(argv)
    with harness.Run("2020-11-11-lenet", args) as run:
        model = ...
        history = model.fit(..., epochs=args.epochs, verbose=args.verbose)
        run.save_history(history)
        run.save_report(y_true, y_pred, class_names)
        run.save_model(model)
        run.record("mnist", "accuracy", accuracy)
```
"""

import argparse
import csv
import datetime
import functools
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

import pyimagesearch  # noqa: F401  (sets TF_CPP_MIN_LOG_LEVEL before keras)
from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import OutputExistsError
from pyimagesearch.errors import PyImageSearchError

RESULTS_COLUMNS = ("study", "date", "data", "metric", "value", "seconds")


# ---------------------------------------------------------------------------
# where things live
# ---------------------------------------------------------------------------
def project_root():
    """The repository's root when running from a checkout, else the cwd."""
    here = Path(__file__).resolve().parents[1]
    if (here / "experiments").is_dir():
        return here
    return Path.cwd()


def outputs_root():
    """Where runs write: `$PYIMAGESEARCH_OUTPUTS`, else `<repo>/outputs`."""
    env = os.environ.get("PYIMAGESEARCH_OUTPUTS")
    return Path(env) if env else project_root() / "outputs"


def datasets_root():
    """Where named data sets live: `$DATASETS_DIR`, else `<repo>/datasets`."""
    env = os.environ.get("DATASETS_DIR")
    return Path(env) if env else project_root() / "datasets"


def resolve_dataset(value, builtin=()):
    """Resolve `--dataset`: a path, a data set's name, or a built-in name.

    The order: an existing path; a name found under `datasets_root()`
    (`$DATASETS_DIR` or the repo's `datasets/`); a built-in name.

    Args:
        value: what the user passed.
        builtin: names the study handles itself (e.g. ``("digits",
            "mnist")``); returned unchanged when no local copy exists.

    Returns:
        The built-in name (a `str`) or an existing `pathlib.Path`.

    Raises:
        DatasetError: the path does not exist, or the name is not found.

    Example:

    >>> resolve_dataset("digits", builtin=("digits",))
    'digits'
    """
    if value is None or str(value).strip() == "":
        raise DatasetError("--dataset is empty: pass a folder, a file or a data set name")
    value = str(value)
    path = Path(value).expanduser()
    if path.exists():
        return path
    looks_like_path = os.sep in value or value.startswith(".") or path.suffix
    if looks_like_path:
        raise DatasetError(f"--dataset {value}: no such file or folder")
    # a local copy of a named data set wins over a built-in download
    candidate = datasets_root() / value
    if candidate.exists():
        return candidate
    if value in builtin:
        return value
    where = "$DATASETS_DIR" if os.environ.get("DATASETS_DIR") else "the repo's datasets/ folder"
    names = f" or one of: {', '.join(builtin)}" if builtin else ""
    raise DatasetError(
        f"--dataset {value}: unknown data set (not found as {candidate} under {where}); "
        f"pass a path{names}"
    )


# ---------------------------------------------------------------------------
# arguments
# ---------------------------------------------------------------------------
def study_parser(description, *, epochs=None, batch_size=None, dataset=None,
                 dataset_help=None):
    """An `argparse.ArgumentParser` with the arguments every study shares.

    Args:
        description: the script's docstring (shown by ``--help``).
        epochs, batch_size: the study's defaults (the diary's recipe);
            `None` leaves out the training arguments (`--epochs`,
            `--batch-size`, `--deterministic`, `--mixed-precision`), e.g.
            for a script that only predicts.
        dataset: the default of `--dataset`; `None` makes it required, and
            `False` leaves `--dataset` out (studies without a data set).
        dataset_help: help text of `--dataset`.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if dataset is not False:
        parser.add_argument(
            "-d", "--dataset", default=dataset, required=dataset is None,
            help=dataset_help or "data set folder or file, or a data set name "
            "looked up under $DATASETS_DIR (else the repo's datasets/ folder)",
        )
    parser.add_argument(
        "-o", "--output", default=None,
        help="output folder (new or empty); default: a new folder per run "
        "under outputs/<study>/",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 progress bars, 2 one line per epoch")
    if epochs is None and batch_size is None:
        return parser
    parser.add_argument("-e", "--epochs", type=_positive_int, default=epochs,
                        help=f"training epochs (default {epochs})")
    parser.add_argument("-b", "--batch-size", type=_positive_int, default=batch_size,
                        help=f"mini-batch size (default {batch_size})")
    parser.add_argument("--deterministic", action="store_true",
                        help="use deterministic TensorFlow ops (slower, repeatable)")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="train in mixed_float16 (for GPUs; slow on CPUs)")
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_float(text):
    """`argparse` type: a float > 0 (e.g. a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------
def entrypoint(main):
    """Decorate a study's `main(argv=None)`: user errors exit 2 on one line.

    A `PyImageSearchError` (bad path, unknown name, existing output...) is
    printed as ``error: <message>`` on stderr and the process exits with
    status 2 (`SystemExit(2)`, which tests can catch). Any other exception
    is a bug and keeps its traceback.
    """

    @functools.wraps(main)
    def wrapper(argv=None):
        try:
            return main(argv)
        except PyImageSearchError as error:
            message = " ".join(str(error).split())
            print(f"error: {message}", file=sys.stderr)
            raise SystemExit(error.exit_code)
        except KeyboardInterrupt:
            print("error: interrupted", file=sys.stderr)
            raise SystemExit(130)

    return wrapper


# ---------------------------------------------------------------------------
# one run
# ---------------------------------------------------------------------------
class Run:
    """One run of a study: seeding, an output folder, and the files it keeps.

    Args:
        study: the study's name (its folder), e.g. ``"2020-11-11-lenet"``.
        args: the parsed `argparse.Namespace` (from `study_parser`).

    Use it as a context manager; on exit it restores the global dtype
    policy and prints where the outputs are.
    """

    def __init__(self, study, args, resume=False):
        self.study = study
        self.args = args
        self.resume = resume  # an interrupted run continues in its own --output folder
        self.started = time.perf_counter()
        self.output_dir = self._make_output_dir(getattr(args, "output", None))
        self._policy = None

    # -- setup ---------------------------------------------------------------
    def _make_output_dir(self, requested):
        if requested:
            path = Path(requested).expanduser()
            if path.exists() and not path.is_dir():
                raise OutputExistsError(f"--output {path} is a file; choose a folder")
            if path.is_dir() and any(path.iterdir()) and not self.resume:
                raise OutputExistsError(
                    f"--output {path} is not empty; choose a new folder so that "
                    "nothing already there is overwritten"
                )
            path.mkdir(parents=True, exist_ok=True)
            return path
        base = outputs_root() / self.study
        base.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            path = base / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                path.mkdir()  # atomic: two runs never share a folder
                return path
            except FileExistsError:
                continue
        raise OutputExistsError(f"could not make a new run folder under {base}")

    def __enter__(self):
        import keras

        args = self.args
        keras.utils.set_random_seed(getattr(args, "seed", 42))
        if getattr(args, "deterministic", False):
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        self._policy = keras.config.dtype_policy()
        if getattr(args, "mixed_precision", False):
            keras.mixed_precision.set_global_policy("mixed_float16")
        self.save_json("args.json", self._describe_args())
        print(f"[INFO] {self.study}: outputs in {self.output_dir}")
        return self

    def __exit__(self, exc_type, exc, tb):
        import keras

        if self._policy is not None:
            keras.mixed_precision.set_global_policy(self._policy)
        if exc_type is None:
            print(f"[INFO] done in {self.elapsed():.1f} s; outputs in {self.output_dir}")
        return False

    def _describe_args(self):
        import keras
        import tensorflow as tf

        values = {k: _jsonable(v) for k, v in vars(self.args).items()}
        return {
            "study": self.study,
            "argv": sys.argv[1:] if self.args is not None else [],
            "args": values,
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "versions": {
                "python": platform.python_version(),
                "keras": keras.__version__,
                "tensorflow": tf.__version__,
                "numpy": np.__version__,
            },
            "image_data_format": keras.config.image_data_format(),
            "devices": [d.name for d in tf.config.list_logical_devices()],
        }

    # -- distribution -----------------------------------------------------------
    @property
    def strategy(self):
        """`MirroredStrategy` over several GPUs, else the default strategy.

        Build and compile the model inside ``with run.strategy.scope():``.
        """
        import tensorflow as tf

        if len(tf.config.list_logical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()

    # -- files -----------------------------------------------------------------
    def path(self, name):
        """The path of `name` inside the output folder (must not exist yet, unless resuming)."""
        path = self.output_dir / name
        if path.exists() and not self.resume:
            raise OutputExistsError(f"{path} already exists; it is not overwritten")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def elapsed(self):
        return time.perf_counter() - self.started

    def save_json(self, name, obj):
        path = self.path(name)
        path.write_text(json.dumps(_jsonable(obj), indent=2) + "\n")
        return path

    def save_history(self, history, title=None, plot_name="training_plot.png"):
        """Write `history.json`, `history.csv` and a loss/metrics PNG.

        Args:
            history: a `keras.callbacks.History` or a dict of lists.
        """
        from pyimagesearch.utils.plotting import plot_history

        logs = getattr(history, "history", history)
        logs = {k: [float(v) for v in vals] for k, vals in logs.items()}
        self.save_json("history.json", logs)
        with self.path("history.csv").open("w", newline="") as f:
            writer = csv.writer(f)
            keys = list(logs)
            writer.writerow(["epoch", *keys])
            for i in range(max((len(v) for v in logs.values()), default=0)):
                writer.writerow([i + 1, *(logs[k][i] if i < len(logs[k]) else "" for k in keys)])
        plot_history(logs, self.path(plot_name), title=title or self.study)
        return logs

    def save_report(self, y_true, y_pred, class_names, name="classification_report"):
        """Write and print scikit-learn's classification report (txt + json)."""
        from pyimagesearch.utils.reports import classification_report

        text, table = classification_report(y_true, y_pred, class_names)
        self.path(f"{name}.txt").write_text(text)
        self.save_json(f"{name}.json", table)
        print(text)
        return table

    def save_model(self, model, name="model.keras"):
        """Save `model` as `name`: a temporary file in the same folder, then a rename.

        A kill while saving never leaves a truncated model under the final
        name, so the file's presence means the model is complete.
        """
        path = self.path(name)
        tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
        model.save(tmp)
        os.replace(tmp, path)
        return path

    def record(self, data, metric, value):
        """Append one line to `outputs/results.csv` and the run's own copy."""
        row = {
            "study": self.study,
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "data": str(data),
            "metric": metric,
            "value": f"{float(value):.4f}",
            "seconds": f"{self.elapsed():.1f}",
        }
        for path in (outputs_root() / "results.csv", self.output_dir / "results.csv"):
            path.parent.mkdir(parents=True, exist_ok=True)
            new = not path.exists()
            with path.open("a", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=RESULTS_COLUMNS)
                if new:
                    writer.writeheader()
                writer.writerow(row)
        print(f"[INFO] {metric} on {data}: {float(value):.4f}")
        return row


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
