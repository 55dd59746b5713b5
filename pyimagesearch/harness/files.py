"""Where a run's files live and what made them: paths, data sets, provenance, JSON.

Example:

>>> resolve_dataset("digits", builtin=("digits",))
'digits'
>>> sorted(library_versions())[:3]
['cv2', 'h5py', 'keras']
"""

import errno
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from pyimagesearch.errors import DatasetError

#: environment variables that change what a run does or how fast (recorded when set)
BEHAVIOUR_VARIABLES = (
    "KERAS_MAX_STEPS_PER_EPOCH", "KERAS_BACKEND", "TF_DETERMINISTIC_OPS",
    "TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL", "TF_CONFIG", "TF_XLA_FLAGS",
    "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED", "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS", "DATASETS_DIR", "PYIMAGESEARCH_OUTPUTS",
)


def project_root():
    """The repository's root when running from a checkout, else the cwd."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "experiments").is_dir() else Path.cwd()


def outputs_root():
    """Where runs write: `$PYIMAGESEARCH_OUTPUTS`, else `<repo>/outputs`."""
    env = os.environ.get("PYIMAGESEARCH_OUTPUTS")
    return Path(env) if env else project_root() / "outputs"


def datasets_root():
    """Where named data sets live: `$DATASETS_DIR`, else `<repo>/datasets`."""
    env = os.environ.get("DATASETS_DIR")
    return Path(env) if env else project_root() / "datasets"


def portable(text: str) -> str:
    """`text` with this machine's data folder as ``$DATASETS_DIR`` and project paths relative.

    What a recipe, a title or a README table says of a path, so that it means
    the same on another machine.
    """
    text = text.replace(f"{datasets_root().absolute()}{os.sep}", "$DATASETS_DIR/")
    return text.replace(f"{project_root().absolute()}{os.sep}", "")


def resolve_dataset(value: str, builtin: tuple = ()) -> "str | Path":
    """Resolve `--dataset`: an existing path, a name under `datasets_root()`, or a built-in.

    Args:
        value: what the user passed.
        builtin: names the study handles itself (e.g. ``("digits", "mnist")``),
            returned unchanged when no local copy exists.

    Raises:
        DatasetError: the path does not exist, or the name is not found.
    """
    if value is None or str(value).strip() == "":
        raise DatasetError("--dataset is empty: pass a folder, a file or a data set name")
    value = str(value)
    path = Path(value).expanduser()
    if path.exists():
        return path
    if os.sep in value or value.startswith(".") or path.suffix:
        raise DatasetError(f"--dataset {value}: no such file or folder")
    candidate = datasets_root() / value  # a local copy wins over a built-in download
    if candidate.exists():
        return candidate
    if value in builtin:
        return value
    where = "$DATASETS_DIR" if os.environ.get("DATASETS_DIR") else "the repo's datasets/ folder"
    names = f" or one of: {', '.join(builtin)}" if builtin else ""
    raise DatasetError(f"--dataset {value}: unknown data set (not found as {candidate} under "
                       f"{where}); pass a path{names}")


def data_path(args):
    """The data set a run reads: the resolved `--dataset` (a Path or a built-in name)."""
    value = getattr(args, "dataset", None)
    if value is None:
        return None
    try:
        return resolve_dataset(value, builtin=(str(value),))
    except DatasetError:
        return None


def data_name(path):
    """The data set's name as read: a file's stem, a folder's name, a built-in name, or ""."""
    if isinstance(path, Path):
        return path.stem if path.is_file() else path.name
    return str(path or "")


def script_name():
    """The running script, relative to the project when it lives there."""
    path = Path(getattr(sys.modules.get("__main__"), "__file__", "") or "")
    if not path.name or path.suffix != ".py":
        return ""
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return path.name


def jsonable(value):
    """`value` with paths, NumPy scalars and arrays made JSON types."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value


def git_state(folder):
    """``{"commit": sha, "dirty": bool}`` of the git checkout holding `folder`, else None."""
    def git(*args):
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"),
                "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return None


def library_versions():
    """The versions of Python and of every library a run's numbers depend on."""
    import importlib

    versions = {"python": platform.python_version()}
    for name, module in (("keras", "keras"), ("tensorflow", "tensorflow"), ("numpy", "numpy"),
                         ("h5py", "h5py"), ("scikit-learn", "sklearn"), ("cv2", "cv2"),
                         ("matplotlib", "matplotlib")):
        try:
            versions[name] = importlib.import_module(module).__version__
        except (ImportError, AttributeError):
            versions[name] = None
    return versions


def behaviour_environment():
    """The `BEHAVIOUR_VARIABLES` that are set, with their values."""
    return {name: os.environ[name] for name in BEHAVIOUR_VARIABLES if name in os.environ}


def describe(run):
    """What ``args.json`` keeps of a `Run`: arguments, recipe, code, versions, devices."""
    import datetime

    import keras
    import tensorflow as tf

    args = run.args
    return {
        "study": run.study, "script": script_name(),
        "argv": sys.argv[1:] if args is not None else [],
        "args": {k: jsonable(v) for k, v in vars(args).items() if not k.startswith("_")},
        "recipe": run.recipe,
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "git": run._git_state() or None, "versions": library_versions(),
        "environment": behaviour_environment(),
        "data_path": str(run.data_path) if run.data_path else None,
        "image_data_format": keras.config.image_data_format(),
        "devices": [d.name for d in tf.config.list_logical_devices()],
        "strategy": run.strategy_name, "replicas": run.replicas,
        "per_replica_batch_size": getattr(args, "batch_size", None),
        "global_batch_size": run.global_batch_size,
        "learning_rate_scale": run.replicas if getattr(args, "scale_lr", False) else 1,
        "learning_rates": run.learning_rates, "precision": run.precision,
        "task": dict(run.task._asdict()),
    }


#: what an environment error means, and what to do about it
_OS_ERRORS = {
    errno.ENOSPC: "no space left on the device; free some space and run the same command "
                  "again",
    errno.EDQUOT: "disk quota exceeded; free some space and run the same command again",
    errno.EROFS: "read-only file system; choose a writable folder",
    errno.EACCES: "permission denied; choose a folder you can write to, or fix its "
                  "permissions",
    errno.EPERM: "operation not permitted; choose a folder you can write to",
    errno.ENAMETOOLONG: "file name too long; choose a shorter folder name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "is a folder, not a file; pass a file",
    errno.ENOENT: "no such file or folder",
    errno.EFBIG: "file too large for this file system or limit; choose another folder",
}


def describe_os_error(error):
    """One line for an `OSError`: the path, what happened, what to do."""
    what = _OS_ERRORS.get(error.errno) or " ".join(str(error.strerror or error).split())
    where = error.filename if error.filename is not None else ""
    if error.filename2:
        where = f"{where} -> {error.filename2}"
    return f"{where}: {what}" if where else what
