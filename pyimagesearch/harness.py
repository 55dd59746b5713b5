"""The study harness: what every `experiments/<study>/*.py` script shares.

A study script keeps only its story (data, model, training, evaluation); the
plumbing lives here:

- `study_parser()`: the common arguments (`--output`, `--epochs`,
  `--batch-size`, `--seed`, `--verbose`, `--deterministic`, and the
  scale-and-speed flags `--strategy`, `--scale-lr`, `--logical-cpus`,
  `--mixed-precision` / `--precision`) plus `--dataset` when the study
  reads data.
- `resolve_dataset()`: `--dataset` is a path or a data set's name; a name is
  looked up under `$DATASETS_DIR` when set, else under the repository's
  `datasets/` folder.
- `Run`: starts the run's `tf.distribute` strategy and dtype policy,
  seeds everything, makes a new output folder per run (runs never
  overwrite each other), and writes what a user needs to judge the run:
  `args.json`, `history.json` + `history.csv`, `training_plot.png`,
  `classification_report.txt` + `.json`, `model.keras` and one line in
  `outputs/results.csv`.
- `entrypoint`: turns a user's mistake (`PyImageSearchError`) into a one-line
  ``error: ...`` on stderr and exit status 2, without a traceback;
  `argument_parser`/`study_parser` do the same for a bad flag.
- Reruns: a run folder holds a ``.run-incomplete`` mark until the run ends
  well, so the SAME command run again after a kill or a failure continues
  in its own ``--output`` folder, while a folder holding anything else
  (another command's unfinished run, a finished run, other files) is
  refused. See docs/reliability.md.

Example:

```python
from pyimagesearch import harness

@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, epochs=20, batch_size=128)
    args = parser.parse_args(argv)
    with harness.Run(STUDY, args) as run:   # STUDY: the study folder's name
        with run.strategy.scope():
            model = ...           # build and compile inside the scope
        train = run.dataset(train_x, train_y, shuffle=True)  # global batches
        history = model.fit(train, epochs=args.epochs, verbose=args.verbose,
                            callbacks=run.callbacks())
        run.save_history(history)
        run.save_report(y_true, y_pred, class_names)
        run.save_model(model)
        run.record("mnist", "accuracy", accuracy)
```
"""

import argparse
import contextlib
import datetime
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import pyimagesearch  # noqa: F401  (sets TF_CPP_MIN_LOG_LEVEL before keras)
from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import OutputExistsError
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.errors import one_line
from pyimagesearch.utils import distribute
from pyimagesearch.utils.atomic import atomic_path
from pyimagesearch.utils.atomic import _pid_alive
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.atomic import remove_stale_temporaries
from pyimagesearch.utils.faults import fault_point
from pyimagesearch.utils import ledger

RESULTS_COLUMNS = ledger.COLUMNS
#: the mark of a run folder whose run has not finished (JSON: study, args, pid)
INCOMPLETE_MARK = ".run-incomplete"
#: arguments that may differ when an unfinished run is run again
_RERUN_MAY_CHANGE = ("verbose",)


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


def resolve_dataset(value: str, builtin: tuple = ()) -> "str | Path":
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
class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """`--help` that keeps the script's docstring as written and shows every default.

    A flag's default is appended as ``(default: X)`` unless its help text
    already says ``default``; flags without a default (`None`, or
    `store_true` switches) show none.
    """

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        if action.option_strings or action.nargs in ("?", "*"):
            return f"{text} (default: %(default)s)"
        return text


class StudyParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose namespaces remember each flag's default.

    `Run` uses that to write the run's recipe: the flags given with a value
    other than the script's default (``--augment flip --epochs 5``), in
    ``args.json`` and in every ledger row. Its errors are one line,
    ``error: ...`` and exit status 2, like every other user error (argparse
    would print the usage first), with a pointer to ``--help``.
    """

    def error(self, message):
        self.exit(2, f"error: {' '.join(str(message).split())} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        namespace = super().parse_args(args, namespace)
        namespace._flags = {action.dest: (action.option_strings[-1] if action.option_strings
                                          else action.dest, action.default)
                            for action in self._actions if action.dest != "help"}
        return namespace


def argument_parser(description):
    """A bare `StudyParser` for scripts with their own flags (builds, extraction...)."""
    return StudyParser(description=description, formatter_class=HelpFormatter)


def recipe(args, skip=("output", "verbose", "dataset")):
    """The flags of `args` that differ from their defaults, as a command-line string.

    Example:

    >>> parser = study_parser("doc", epochs=5, batch_size=8, dataset="digits")
    >>> recipe(parser.parse_args(["--epochs", "9", "--deterministic"]))
    '--epochs 9 --deterministic'
    """
    parts = []
    for dest, (flag, default) in getattr(args, "_flags", {}).items():
        value = getattr(args, dest, default)
        if dest in skip or value == default:
            continue
        if value is True:
            parts.append(flag)
        elif isinstance(value, (list, tuple)):
            parts.append(f"{flag} {' '.join(str(v) for v in value)}")
        else:
            parts.append(f"{flag} {value}")
    return " ".join(parts)


def study_parser(description, *, epochs=None, batch_size=None, dataset=None,
                 dataset_help=None, seed=True, keras=True):
    """An `argparse.ArgumentParser` with the arguments every study shares.

    Args:
        description: the script's docstring (shown by ``--help``).
        epochs, batch_size: the study's defaults (the diary's recipe);
            `None` leaves out the training arguments (`--epochs`,
            `--batch-size`, `--deterministic` and the flags of
            `add_scale_arguments`), e.g. for a script that only predicts.
            `--batch-size` is the batch of one replica: a run on N devices
            trains on global batches of N x batch size (`Run.dataset`).
        dataset: the default of `--dataset`; `None` makes it required, and
            `False` leaves `--dataset` out (studies without a data set).
        dataset_help: help text of `--dataset`.
        seed: add `--seed` (False for a script with nothing random).
        keras: add `--deterministic` and `--mixed-precision` to the training
            arguments (False for a network that is not Keras).
    """
    parser = argument_parser(description)
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
    if seed:
        parser.add_argument("--seed", type=random_seed, default=42,
                            help="random seed, in [0, 2**32 - 1] (default 42)")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 progress bars, 2 one line per epoch")
    if epochs is None and batch_size is None:
        return parser
    parser.add_argument("-e", "--epochs", type=positive_int, default=epochs,
                        help=f"training epochs (default {epochs})")
    parser.add_argument("-b", "--batch-size", type=positive_int, default=batch_size,
                        help=f"mini-batch size per replica (default {batch_size}); the global "
                        "batch is this x the replicas")
    if not keras:
        return parser
    parser.add_argument("--deterministic", action="store_true",
                        help="use deterministic TensorFlow ops (slower, repeatable)")
    return add_scale_arguments(parser)


def add_scale_arguments(parser):
    """The flags of distribution and precision (`study_parser` adds them to training scripts).

    - ``--strategy auto|default|mirrored|multiworker``: see `Run.strategy`;
    - ``--scale-lr``: multiply the learning rate by the replicas (the linear
      scaling rule; the script applies it with `Run.scaled_learning_rate`);
    - ``--logical-cpus N``: split the CPU into N devices (``mirrored`` without
      GPUs, for tests and demonstrations);
    - ``--mixed-precision``: ``mixed_float16`` on GPUs, ``mixed_bfloat16`` on
      CPUs; or ``--precision float32|mixed_float16|mixed_bfloat16``.
    """
    group = parser.add_argument_group("distribution and precision")
    group.add_argument("--strategy", choices=distribute.STRATEGIES, default="auto",
                       help="tf.distribute strategy: auto (multiworker when TF_CONFIG names "
                       "several workers, mirrored when several GPUs are visible, else "
                       "default), default (one device), mirrored (every GPU of this machine, "
                       "else every logical CPU), multiworker (MultiWorkerMirroredStrategy "
                       "from TF_CONFIG) (default: auto)")
    group.add_argument("--scale-lr", action="store_true",
                       help="multiply the learning rate by the number of replicas (linear "
                       "scaling for the larger global batch)")
    group.add_argument("--logical-cpus", type=positive_int, default=None,
                       help="split the CPU into N logical devices, so that --strategy mirrored "
                       "runs N replicas without GPUs (they share the same cores)")
    precision = group.add_mutually_exclusive_group()
    precision.add_argument("--mixed-precision", action="store_true",
                           help="mixed precision: mixed_float16 on GPUs (with loss scaling), "
                           "mixed_bfloat16 on CPUs")
    precision.add_argument("--precision", choices=distribute.PRECISIONS, default=None,
                           help="the Keras dtype policy, explicitly (default: float32, or "
                           "what --mixed-precision picks)")
    return parser


# -- argparse types: a bad value is an argparse error (one line, exit 2) ------------------
def _number(text, kind, ok, expected):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if isinstance(value, float) and value != value:  # NaN
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def int_at_least(minimum):
    """`argparse` type: an integer >= `minimum` (e.g. ``int_at_least(57)`` for a crop).

    Example:

    >>> int_at_least(1)("3")
    3
    """
    def parse(text):
        return _number(text, int, lambda v: v >= minimum, f"an integer >= {minimum}")

    parse.__name__ = f"int_at_least_{minimum}"
    return parse


def float_in(low, high, *, low_open=False, high_open=True):
    """`argparse` type: a float in an interval, ``[low, high)`` by default.

    `None` for a bound leaves that side open-ended.

    Example:

    >>> momentum = float_in(0, 1)       # [0, 1)
    >>> momentum("0.9")
    0.9
    """
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    expected = (f"a number in {left}{'-inf' if low is None else low}, "
                f"{'inf' if high is None else high}{right}")

    def ok(value):
        above = low is None or (value > low if low_open else value >= low)
        below = high is None or (value < high if high_open else value <= high)
        return above and below

    def parse(text):
        return _number(text, float, ok, expected)

    parse.__name__ = "float_in"
    return parse


def positive_int(text):
    """`argparse` type: an integer >= 1 (epochs, batch sizes, workers...)."""
    return _number(text, int, lambda v: v >= 1, "a positive integer")


def non_negative_int(text):
    """`argparse` type: an integer >= 0 (a start epoch...)."""
    return _number(text, int, lambda v: v >= 0, "an integer >= 0")


def random_seed(text):
    """`argparse` type: a seed NumPy and Keras accept, an integer in [0, 2**32 - 1]."""
    return _number(text, int, lambda v: 0 <= v < 2**32, "an integer in [0, 2**32 - 1]")


def positive_float(text):
    """`argparse` type: a float > 0 (e.g. a learning rate)."""
    return _number(text, float, lambda v: v > 0 and v != float("inf"), "a positive number")


def non_negative_float(text):
    """`argparse` type: a float >= 0 (weight decay, L2 strength...)."""
    return _number(text, float, lambda v: 0 <= v < float("inf"), "a number >= 0")


def n_jobs(text):
    """`argparse` type: scikit-learn's `n_jobs`, a positive integer or -1 (every core)."""
    return _number(text, int, lambda v: v >= 1 or v == -1, "a positive integer or -1")


#: `argparse` types of the common ranges
momentum = float_in(0, 1)            # SGD / batch-norm momentum, EMA decay: [0, 1)
fraction = float_in(0, 1, low_open=True)      # a split fraction: (0, 1)
probability = float_in(0, 1, high_open=False)  # a rate in [0, 1]


def existing_path(text):
    """`argparse` type: a path that exists (returned as a `Path`)."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or folder: {text!r}")
    return path


def existing_file(text):
    """`argparse` type: an existing file (returned as a `Path`)."""
    path = existing_path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"not a file: {text!r}")
    return path


def keras_file(text):
    """`argparse` type: an existing Keras 3 ``.keras`` file (what `Run.save_model` writes)."""
    path = existing_file(text)
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(f"expected a Keras 3 .keras file, got {text!r}")
    return path


def positive_ints(text):
    """`argparse` type: comma-separated positive integers, ``"25,25"`` -> ``(25, 25)``.

    Example:

    >>> positive_ints("32, 16")
    (32, 16)
    """
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas (e.g. 25,25), got {text!r}")
    return values


def existing_dir(text):
    """`argparse` type: an existing folder (returned as a `Path`)."""
    path = existing_path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {text!r}")
    return path


def add_feature_extraction_arguments(parser, default_model, default_pooling):
    """The flags of a features-into-HDF5 script (`pyimagesearch.features.write_features`).

    `--db` is the HDF5 file to write, `--model` a backbone name, `--weights`,
    `--pooling`, `--image-size`, `--resize`, `--batch-size`,
    `--buffer-size`, `--seed`, `--force`, `--verbose`. Check the image size
    against the network with `feature_extraction_options(args)` after parsing.
    """
    from pyimagesearch.nn import backbones

    parser.add_argument("--db", required=True,
                        help="the HDF5 features file to write (refused if it exists, unless "
                        "--force)")
    parser.add_argument("-m", "--model", default=default_model,
                        help=f"the headless network: {', '.join(backbones.backbone_names())}")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random weights: for tests) or a "
                        "weights file without top (.h5)")
    parser.add_argument("--pooling", choices=("none", "avg", "max"), default=default_pooling,
                        help="none flattens the last feature map; avg/max pool it to one "
                        "value per channel")
    parser.add_argument("--image-size", type=positive_int, default=None,
                        help="input size (default: the network's own, 224 or 299); "
                        "smaller sizes run faster but the features are worse")
    parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                        help="squash to the input size ignoring the aspect ratio (the book's "
                        "load_img) or scale the shorter side and crop the centre")
    parser.add_argument("-b", "--batch-size", type=positive_int, default=32,
                        help="images per forward pass")
    parser.add_argument("--buffer-size", type=positive_int, default=1000,
                        help="rows buffered in memory before they go to disk")
    parser.add_argument("--seed", type=int, default=42, help="seed of the shuffle")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 or 2 a progress bar")
    return parser


def feature_extraction_options(args):
    """The keyword arguments of `features.write_features` from the parsed flags, checked.

    Raises:
        PyImageSearchError: `--image-size` below the network's smallest input.
        OutputExistsError: `--db` exists and `--force` was not given.
    """
    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    if size < spec.min_size:
        raise PyImageSearchError(
            f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    refuse_existing(args.db, "--db", args.force)
    return {"model_name": args.model, "weights": args.weights, "pooling": args.pooling,
            "image_size": size, "resize": args.resize, "batch_size": args.batch_size,
            "buffer_size": args.buffer_size, "overwrite": args.force, "verbose": args.verbose}


def refuse_existing(path, flag, force=False):
    """Raise `OutputExistsError` if `path` exists and `force` is not set (`--force`).

    For the scripts that write one named file (`--db features.hdf5`):
    nothing is overwritten unless asked.
    """
    if Path(path).exists() and not force:
        raise OutputExistsError(f"{flag} {path} already exists; pass --force to overwrite it")


def add_classifier_arguments(parser):
    """The flags of a logistic-regression-on-features script (`--db`, `--jobs`, `--max-iter`).

    The classifier goes into the run folder (``classifier.joblib``).
    """
    parser.add_argument("--db", required=True, type=existing_file,
                        help="HDF5 features file (extract_features.py)")
    parser.add_argument("-j", "--jobs", type=n_jobs, default=-1,
                        help="parallel jobs of the grid search (-1: every core)")
    parser.add_argument("--max-iter", type=positive_int, default=1000,
                        help="LogisticRegression's max_iter")
    return parser


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


@entrypoint
def compare_main(argv=None):
    """``python -m pyimagesearch.compare``: several runs' curves in one PNG, a table of results."""
    from pyimagesearch.utils.compare import compare_runs

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


# ---------------------------------------------------------------------------
# one run
# ---------------------------------------------------------------------------
class Run:
    """One run of a study: seeding, an output folder, and the files it keeps.

    Args:
        study: the study's name: its folder under ``experiments/``.
        args: the parsed `argparse.Namespace` (from `study_parser`).

    Use it as a context manager; on exit it restores the global dtype
    policy and prints where the outputs are. A run that trains with
    `run.callbacks()` writes its history after every epoch, and TensorBoard
    logs; stopped by Ctrl-C or an exception after an epoch finished, it
    still saves the model of the last finished epoch, the plot and a ledger
    row with status ``interrupted`` (or ``failed``) before the error goes on.

    The run folder holds a ``.run-incomplete`` mark (the study and the
    arguments) from its creation until the run ends without an error.
    Running the same command again (same arguments; `--verbose` may
    differ) with the same ``--output`` continues in that folder, its files
    rewritten; any other non-empty folder is refused. A run that stops on a
    user error before writing anything but ``args.json`` removes its
    folder's contents again, so the corrected command can use it.

    Use it as a context manager. On entry it starts the run's distribution
    strategy (first of all: a `MultiWorkerMirroredStrategy` must exist
    before any other TensorFlow op of the process, so enter the run before
    loading data with TensorFlow), seeds, and sets the dtype policy
    (`--mixed-precision`, `--precision`); on exit it restores the policy and
    prints where the outputs are.

    In a multi-worker run (`TF_CONFIG`), only the chief writes the run
    folder, the model and the row of `outputs/results.csv`; every other
    worker writes into a temporary folder that is deleted on exit
    (`is_chief`, `task`).
    """

    def __init__(self, study: str, args: argparse.Namespace, resume: bool = False):
        self.study = study
        self.args = args
        self.resume = resume  # an interrupted run continues in its own --output folder
        self.continued = False  # True: this folder held our own unfinished run
        self.started = time.perf_counter()
        self._created = False
        self.task = self._cluster_task()
        self.is_chief = self.task.chief
        if self.is_chief:
            self.output_dir = self._make_output_dir(getattr(args, "output", None))
        else:  # another worker's files: nothing under outputs/, deleted on exit
            self.output_dir = Path(tempfile.mkdtemp(
                prefix=f"pyimagesearch-{self.task.type}{self.task.index}-"))
        self.data_path = _data_path(args)
        self.images = {}       # counts of what was read, by split (`count_images`)
        self._own = set()      # files this run may rewrite (history, its plot)
        self._policy = None
        self._strategy = None
        self.strategy_name = None
        self.precision = None
        self._lr_scaled = False
        self._history = None   # the HistoryCheckpoint of `callbacks()`
        self._saved_model = False
        self._git = None       # the checkout's commit, read once (`git`)

    def _cluster_task(self):
        requested = getattr(self.args, "strategy", None) or "auto"
        if requested not in ("auto", "multiworker"):
            return distribute.SINGLE
        task = distribute.cluster_from_env()
        return task if requested == "multiworker" or task.workers > 1 else distribute.SINGLE

    # -- setup ---------------------------------------------------------------
    def _make_output_dir(self, requested):
        if requested:
            path = Path(requested).expanduser()
            if path.exists() and not path.is_dir():
                raise OutputExistsError(f"--output {path} is a file; choose a folder")
            if path.is_dir() and any(path.iterdir()):
                self._check_reuse(path)
            self._created = not path.exists()
            path.mkdir(parents=True, exist_ok=True)
            self._mark(path)
            return path
        base = outputs_root() / self.study
        base.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            path = base / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                path.mkdir()  # atomic: two runs never share a folder
            except FileExistsError:
                continue
            self._created = True
            self._mark(path)
            return path
        raise OutputExistsError(f"could not make a new run folder under {base}")

    def _identity(self):
        given = vars(self.args) if self.args is not None else {}
        values = {k: _jsonable(v) for k, v in given.items()
                  if not k.startswith("_") and k not in _RERUN_MAY_CHANGE}
        return {"study": self.study, "args": values}

    def _mark(self, path):
        with atomic_write(path / INCOMPLETE_MARK) as f:
            f.write(json.dumps({**self._identity(), "pid": os.getpid()}, indent=2) + "\n")

    def _check_reuse(self, path):
        """A non-empty --output: our own unfinished run (continue), else refuse."""
        mark = path / INCOMPLETE_MARK
        if not mark.is_file():
            if self.resume:
                return
            raise OutputExistsError(
                f"--output {path} is not empty; choose a new folder so that "
                "nothing already there is overwritten"
            )
        try:
            saved = json.loads(mark.read_text())
        except (OSError, ValueError):
            saved = {}
        pid = saved.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid):
            raise OutputExistsError(f"--output {path} is being written by another run "
                                    f"(process {pid}); wait for it or choose a new folder")
        mine = self._identity()
        if saved.get("study") != mine["study"] or saved.get("args") != mine["args"]:
            raise OutputExistsError(
                f"--output {path} holds an unfinished run of another command "
                f"({_differences(saved, mine)}); run that command again to finish it, "
                "or choose a new folder")
        self.resume = self.continued = True
        remove_stale_temporaries(path)  # half-written files of the killed attempt
        print(f"[INFO] {path} holds this command's unfinished run: continuing in it")

    def __enter__(self):
        import keras

        args = self.args
        self._start_strategy()  # before any other TensorFlow op (multi-worker)
        keras.utils.set_random_seed(getattr(args, "seed", 42))
        if getattr(args, "deterministic", False):
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        self._set_precision()
        self.save_json("args.json", self._describe_args())
        if self.is_chief:
            print(f"[INFO] {self.study}: outputs in {self.output_dir}")
        else:
            print(f"[INFO] {self.study}: {self.task.type} {self.task.index} of "
                  f"{self.task.workers} workers (not the chief): its files go to "
                  f"{self.output_dir}, deleted at the end")
        return self

    def __exit__(self, exc_type, exc, tb):
        import keras

        try:
            if exc_type is not None and self.is_chief:
                self._save_what_was_trained(exc_type)
        finally:
            if self._policy is not None:
                keras.mixed_precision.set_global_policy(self._policy)
                self._policy = None
        if not self.is_chief:
            shutil.rmtree(self.output_dir, ignore_errors=True)
        if getattr(self.args, "scale_lr", False) and not self._lr_scaled:
            print("[WARN] --scale-lr was given but this script never asked for its learning "
                  "rate (Run.scaled_learning_rate): the rate was not scaled", file=sys.stderr)
        if exc_type is None:
            if self.is_chief:
                (self.output_dir / INCOMPLETE_MARK).unlink(missing_ok=True)
            where = self.output_dir if self.is_chief else "the chief's folder"
            print(f"[INFO] done in {self.elapsed():.1f} s; outputs in {where}")
        elif issubclass(exc_type, PyImageSearchError) and self.is_chief:
            self._forget_if_empty()
        return False

    def _forget_if_empty(self):
        """After a user error: remove the run's bookkeeping if it wrote nothing else."""
        names = {p.name for p in self.output_dir.iterdir()}
        if not names <= {INCOMPLETE_MARK, "args.json"} or self.continued:
            return
        for name in names:
            (self.output_dir / name).unlink(missing_ok=True)
        if self._created:
            with contextlib.suppress(OSError):
                self.output_dir.rmdir()

    def _save_what_was_trained(self, exc_type):
        """After Ctrl-C or a crash: the last finished epoch's model, the plot, a ledger row."""
        history = self._history
        if history is None or not history.last_epoch:
            return
        status = "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
        print(f"[WARN] {status} after epoch {history.last_epoch}: saving what was trained "
              f"in {self.output_dir}", file=sys.stderr)
        try:
            if not self._saved_model and history.last_weights is not None:
                history.model.set_weights(history.last_weights)
                self.save_model(history.model)
            history.write()
            self._plot(history.history, None, "training_plot.png")
            self.record(self.data_name(), "epochs", history.last_epoch, status=status)
        except Exception as error:  # never hide the first error behind this one
            print(f"[WARN] could not save the interrupted run: {one_line(error)}",
                  file=sys.stderr)

    def _set_precision(self):
        """The dtype policy of `--precision` / `--mixed-precision` (restored on exit)."""
        import keras

        args = self.args
        explicit = getattr(args, "precision", None)
        mixed = getattr(args, "mixed_precision", False)
        self._policy = keras.config.dtype_policy()
        if explicit is None and not mixed:
            self.precision = self._policy.name
            return
        self.precision = distribute.resolve_precision(explicit, mixed)
        keras.mixed_precision.set_global_policy(self.precision)

    def _describe_args(self):
        import keras
        import tensorflow as tf

        from pyimagesearch.utils import provenance

        values = {k: _jsonable(v) for k, v in vars(self.args).items() if not k.startswith("_")}
        return {
            "study": self.study,
            "script": _script_name(),
            "argv": sys.argv[1:] if self.args is not None else [],
            "args": values,
            "recipe": recipe(self.args),
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "git": self.git,
            "versions": provenance.library_versions(),
            "environment": provenance.behaviour_environment(),
            "data_path": str(self.data_path) if self.data_path else None,
            "image_data_format": keras.config.image_data_format(),
            "devices": [d.name for d in tf.config.list_logical_devices()],
            "strategy": self.strategy_name,
            "replicas": self.replicas,
            "per_replica_batch_size": getattr(self.args, "batch_size", None),
            "global_batch_size": self.global_batch_size,
            "learning_rate_scale": self.learning_rate_scale,
            "precision": self.precision,
            "task": dict(self.task._asdict()),
        }

    @property
    def git(self):
        """``{"commit", "dirty"}`` of the checkout (read once per run), or None."""
        if self._git is None:
            from pyimagesearch.utils import provenance

            self._git = provenance.git_state(project_root()) or {}
        return self._git or None

    def count_images(self, **counts: int) -> None:
        """Record how many images each split holds (``train=1600, test=200``).

        The counts go into ``data.json`` in the run folder and into every
        later ledger row.
        """
        self.images.update({k: int(v) for k, v in counts.items()})
        self.save_json("data.json", {"data_path": str(self.data_path) if self.data_path
                                     else None, "images": self.images})

    def data_name(self, default: str = "") -> str:
        """The data set's name as read: the resolved folder's name, else `default`."""
        if isinstance(self.data_path, Path):
            return self.data_path.stem if self.data_path.is_file() else self.data_path.name
        return str(self.data_path or default)

    # -- training ----------------------------------------------------------------
    def callbacks(self, tensorboard: bool = True) -> list:
        """The callbacks every training of the run gets (pass them to `fit`).

        - a `HistoryCheckpoint`: ``history.json``/``.csv`` rewritten after every
          epoch, and the weights of the last finished epoch kept for an
          interrupted run;
        - `keras.callbacks.TensorBoard` writing to ``<run>/tensorboard``
          (``tensorboard --logdir outputs/`` compares every run).

        Call it once per `fit`; the history continues across the calls.
        """
        import keras

        from pyimagesearch.callbacks import HistoryCheckpoint

        if self._history is None:
            json_path = self.path("history.json", rewrite=True)
            csv_path = self.path("history.csv", rewrite=True)
            self._history = HistoryCheckpoint(json_path, csv_path)
        callbacks = [self._history]
        if tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(
                log_dir=str(self.output_dir / "tensorboard"), write_graph=False,
                profile_batch=0))
        return callbacks

    # -- distribution -----------------------------------------------------------
    def _start_strategy(self):
        if self._strategy is not None:
            return
        args = self.args
        cpus = getattr(args, "logical_cpus", None)
        if cpus:
            distribute.split_cpu(cpus)
        requested = getattr(args, "strategy", None) or "auto"
        self.strategy_name = distribute.resolve_strategy(requested, task=self.task)
        self._strategy = distribute.make_strategy(self.strategy_name)

    @property
    def strategy(self):
        """The run's `tf.distribute` strategy, created once (on entry) and reused.

        From `--strategy`: ``default`` (one device), ``mirrored`` (a
        `MirroredStrategy` over every GPU, else every logical CPU device of
        `--logical-cpus`), ``multiworker`` (a `MultiWorkerMirroredStrategy`
        from `TF_CONFIG`) or ``auto`` (multiworker when `TF_CONFIG` names
        several workers, mirrored when several GPUs are visible, else
        default). Build and compile every model of the run inside
        ``with run.strategy.scope():``; a study that calls `fit` twice
        (warm-up, then fine-tuning) gets the same strategy both times
        (Keras refuses to mix two strategy objects in one model).
        """
        if self._strategy is None:
            self._start_strategy()
        return self._strategy

    @property
    def replicas(self):
        """The replicas training in sync (devices x workers)."""
        return int(self.strategy.num_replicas_in_sync)

    @property
    def global_batch_size(self):
        """`--batch-size` (per replica) x `replicas`: the batch of one optimizer step."""
        batch = getattr(self.args, "batch_size", None)
        return None if batch is None else int(batch) * self.replicas

    @property
    def learning_rate_scale(self):
        """`replicas` with `--scale-lr` (the linear scaling rule), else 1."""
        return self.replicas if getattr(self.args, "scale_lr", False) else 1

    def scaled_learning_rate(self, rate: float) -> float:
        """The learning rate to train with: `rate` x `learning_rate_scale`.

        Example:

        >>> optimizer = keras.optimizers.SGD(run.scaled_learning_rate(args.learning_rate))  # doctest: +SKIP
        """
        self._lr_scaled = True
        return rate * self.learning_rate_scale

    def dataset(self, x, y, shuffle: bool = False, augmentation=None, preprocess=None):
        """`(x, y)` arrays as a `tf.data.Dataset` of global batches for `fit`/`predict`.

        Batches of `global_batch_size` (each replica gets `--batch-size`
        of them), reshuffled every epoch with the run's seed when `shuffle`
        (the same order on every worker, so auto-sharding by data gives
        each worker its own part of each batch), augmented on the fly and
        preprocessed (`preprocess` of a batch, after `augmentation`),
        prefetched. On several replicas a shuffled (training) set leaves out
        the last, partial batch of each epoch (other samples each epoch), so
        that every replica gets a part of every batch. See
        `pyimagesearch.datasets.array_dataset`.
        """
        from pyimagesearch.datasets import array_dataset

        return array_dataset(x, y, self.global_batch_size, augmentation=augmentation,
                             shuffle=shuffle, seed=getattr(self.args, "seed", None),
                             preprocess=preprocess,
                             drop_remainder=shuffle and self.replicas > 1)

    def sharded(self, make, rows=None):
        """Data that every worker reads from its own part of the files, for `fit`.

        `make(index, count, batch_size)` returns a `keras.utils.PyDataset`
        of part `index` of `count` of the data in batches of `batch_size`,
        e.g. ``HDF5DatasetGenerator(path, batch_size, shard=(index,
        count))``: contiguous index ranges of an HDF5 file, so that a worker
        reads only its rows. On one replica this is ``make(0, 1,
        global_batch_size)`` itself (the `PyDataset` keeps its `workers`).
        On several, each worker (input pipeline) calls `make` once with its
        index and the per-replica batch (`--batch-size`), and the batches
        reach the replicas through
        `tf.distribute.Strategy.distribute_datasets_from_function` (as
        `pyimagesearch.datasets.pydataset_to_tf`): one step trains on
        `global_batch_size` images.

        Args:
            make: ``make(index, count, batch_size) -> PyDataset``.
            rows: the rows of the whole data, for a training set: then every
                worker trains on the same number of full batches, a multiple
                of its replicas (``rows // count`` rows of its part at most;
                the last partial batch of a part is left out), so that no
                replica ever gets an empty batch.

        Example:

        >>> train = run.sharded(lambda i, n, batch: HDF5DatasetGenerator(  # doctest: +SKIP
        ...     "train.hdf5", batch, shard=(i, n)), rows=25000)
        """
        if not callable(make):
            raise ValueError(f"`make` must be callable. Received: make={make!r}")
        if self.replicas == 1:
            return make(0, 1, self.global_batch_size)
        return self.strategy.distribute_datasets_from_function(
            lambda context: self._worker_dataset(make, rows, context))

    def _worker_dataset(self, make, rows, context):
        """This worker's `tf.data.Dataset` of `Run.sharded` (see there)."""
        import keras
        import tensorflow as tf

        from pyimagesearch.datasets import pydataset_to_tf

        batch = context.get_per_replica_batch_size(self.global_batch_size)
        count = context.num_input_pipelines
        data = make(context.input_pipeline_id, count, batch)
        if not isinstance(data, keras.utils.PyDataset):
            raise ValueError(f"`make` must return a keras.utils.PyDataset. Received: {data!r}")
        ds = pydataset_to_tf(data)
        if rows is None:
            return ds
        local = self.replicas // count
        steps = (int(rows) // count // batch) // local * local
        if steps == 0:
            raise PyImageSearchError(
                f"{rows} rows are too few for {self.replicas} replicas of batches of {batch} "
                "(each needs one full batch); use a smaller --batch-size or fewer replicas")
        ds = ds.rebatch(batch, drop_remainder=True).take(steps)
        return ds.apply(tf.data.experimental.assert_cardinality(steps))

    # -- files -----------------------------------------------------------------
    def path(self, name: str, rewrite: bool = False) -> Path:
        """The path of `name` inside the output folder.

        It must not exist yet, unless the run resumes in its own folder, or
        `rewrite` is set and this run wrote it before (the history and its
        plot are rewritten after every epoch).
        """
        path = self.output_dir / name
        mine = rewrite and path in self._own
        if path.exists() and not self.resume and not mine:
            raise OutputExistsError(f"{path} already exists; it is not overwritten")
        path.parent.mkdir(parents=True, exist_ok=True)
        if rewrite:
            self._own.add(path)
        return path

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def open(self, name, newline=None):
        """Write the text file `name` in the run folder atomically (``with run.open(name)``)."""
        return atomic_write(self.path(name), newline=newline)

    def save_text(self, name: str, text: str) -> Path:
        """Write `text` to `name` in the run folder (atomically)."""
        with self.open(name) as f:
            f.write(text)
        return self.output_dir / name

    def save_image(self, name, image):
        """Write a BGR `image` to `name` (format from the suffix; atomically)."""
        from pyimagesearch.io.imagefile import write_image

        return write_image(self.path(name), image)

    def save_json(self, name: str, obj) -> Path:
        """Write `obj` as JSON to `name` in the run folder (atomically)."""
        path = self.path(name)
        with atomic_write(path) as f:
            f.write(json.dumps(_jsonable(obj), indent=2) + "\n")
        return path

    def save_history(self, history, title=None, plot_name="training_plot.png"):
        """Write `history.json`, `history.csv` and a loss/metrics PNG.

        Args:
            history: a `keras.callbacks.History` or a dict of lists.
            title: the plot's title (default: the study and its recipe).
        """
        from pyimagesearch.callbacks.historycheckpoint import write_history

        logs = getattr(history, "history", history)
        logs = {k: [float(v) for v in vals] for k, vals in logs.items()}
        write_history(logs, self.path("history.json", rewrite=True),
                      self.path("history.csv", rewrite=True))
        self._plot(logs, title, plot_name)
        return logs

    def _plot(self, logs, title, plot_name):
        from pyimagesearch.utils.plotting import plot_history

        if logs and any(len(v) for v in logs.values()):
            plot_history(logs, self.path(plot_name, rewrite=True), title=self.title(title))

    def title(self, title=None):
        """A figure title: `title` (default: the study) and the run's recipe."""
        base = title or self.study
        extra = recipe(self.args)
        return f"{base}\n{extra}" if extra else base

    def save_report(self, y_true, y_pred, class_names, name: str = "classification_report") -> dict:
        """Write and print scikit-learn's classification report and its confusion matrix.

        Writes ``<name>.txt``, ``<name>.json`` (with ``confusion_matrix``) and
        ``<name>_confusion.png``. The predictions must cover every label:
        a truncated evaluation (e.g. `KERAS_MAX_STEPS_PER_EPOCH` capping
        `predict`) is an error, not a report on part of the test set.
        """
        from pyimagesearch.utils.plotting import plot_confusion_matrix
        from pyimagesearch.utils.reports import classification_report

        if len(y_true) != len(y_pred):
            cap = os.environ.get("KERAS_MAX_STEPS_PER_EPOCH")
            why = f" (KERAS_MAX_STEPS_PER_EPOCH={cap} also caps predict)" if cap else ""
            raise RuntimeError(f"the predictions cover {len(y_pred)} of {len(y_true)} test "
                               f"samples{why}: predict with pyimagesearch.utils.predict_all")
        text, table = classification_report(y_true, y_pred, class_names)
        _, matrix = plot_confusion_matrix(y_true, y_pred, class_names,
                                          self.path(f"{name}_confusion.png"),
                                          title=self.title(f"{self.study}: confusion matrix"))
        table["confusion_matrix"] = matrix.tolist()
        with atomic_write(self.path(f"{name}.txt")) as f:
            f.write(text)
        self.save_json(f"{name}.json", table)
        print(text)
        return table

    def save_predictions(self, images, y_true, y_pred, class_names, name="test_predictions.png"):
        """A grid of the first 16 test images with their true and predicted labels."""
        from pyimagesearch.utils.plotting import plot_predictions
        from pyimagesearch.utils.reports import as_labels

        return plot_predictions(images, as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred"),
                                class_names, self.path(name),
                                title=self.title(f"{self.study}: test images"))

    def save_model(self, model, name="model.keras"):
        """Save `model` as `name`: a temporary file in the same folder, then a rename.

        A kill while saving never leaves a truncated model under the final
        name, so the file's presence means the model is complete.
        """
        fault_point("before_model_save")  # tests: a kill between the last epoch and the save
        path = self.path(name)
        with atomic_path(path) as tmp:
            model.save(tmp)
            fault_point("model_save", partial=tmp)  # tests: a kill during the write
        self._saved_model = True
        return path

    def record(self, data: str, metric: str, value: float, status: str = "finished") -> None:
        """Append one row to the ledger `outputs/results.csv` and the run's own copy.

        Args:
            data: the data set's name (what the row calls it).
            metric: e.g. ``"accuracy"``.
            value: its value.
            status: ``"finished"``, or ``"interrupted"``/``"failed"`` (the
                harness writes those itself when a run stops early).
        """
        git = self.git or {}
        row = {
            "study": self.study,
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "run": str(self.output_dir),
            "script": _script_name(),
            "recipe": recipe(self.args),
            "data": str(data),
            "data_path": str(self.data_path) if self.data_path else "",
            "images": " ".join(f"{k}={v}" for k, v in self.images.items()),
            "metric": metric,
            "value": f"{float(value):.4f}",
            "seconds": f"{self.elapsed():.1f}",
            "status": status,
            "commit": (git.get("commit", "")[:12] + ("+dirty" if git.get("dirty") else "")),
        }
        paths = [self.output_dir / "results.csv"]
        if self.is_chief:  # other workers keep no row under outputs/
            paths.insert(0, outputs_root() / "results.csv")
        for path in paths:
            ledger.append_row(path, row)
        print(f"[INFO] {metric} on {data}: {float(value):.4f}")
        return row


def _differences(saved, mine):
    """The first flags that differ between an unfinished run and this one."""
    if saved.get("study") != mine["study"]:
        return f"study {saved.get('study')!r}, not {mine['study']!r}"
    old, new = saved.get("args") or {}, mine["args"]
    # the flags both runs have first (a changed value), then those only one has
    keys = sorted((k for k in set(old) | set(new) if old.get(k) != new.get(k)),
                  key=lambda k: (not (k in old and k in new), k))
    return ", ".join(f"{k}={old.get(k)!r} there, {new.get(k)!r} now" for k in keys[:3]) or "?"


def _data_path(args):
    """The data set a run reads: the resolved `--dataset` (a Path or a built-in name)."""
    value = getattr(args, "dataset", None)
    if value is None:
        return None
    try:
        return resolve_dataset(value, builtin=(str(value),))
    except DatasetError:
        return None


def _script_name():
    """The running script, relative to the project when it lives there."""
    main = sys.modules.get("__main__")
    path = Path(getattr(main, "__file__", "") or "")
    if not path.name or path.suffix != ".py":
        return ""
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return path.name


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
