"""What made a run: the code's commit, the libraries' versions, the switches that change it.

`harness.Run` writes these into every run's ``args.json``, so that two runs
can be compared knowing whether their code, libraries or environment differ.

Example:

>>> sorted(library_versions())[:3]
['cv2', 'h5py', 'keras']
"""

import os
import platform
import subprocess

__all__ = ["BEHAVIOUR_VARIABLES", "behaviour_environment", "git_state", "library_versions"]

#: environment variables that change what a run does or how fast (recorded when set)
BEHAVIOUR_VARIABLES = (
    "KERAS_MAX_STEPS_PER_EPOCH", "KERAS_BACKEND", "TF_DETERMINISTIC_OPS",
    "TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL", "TF_CONFIG", "TF_XLA_FLAGS",
    "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED", "OMP_NUM_THREADS", "DATASETS_DIR",
    "PYIMAGESEARCH_OUTPUTS",
)


def git_state(folder):
    """``{"commit": sha, "dirty": bool}`` of the git checkout holding `folder`, else None.

    `dirty` is true when tracked files differ from the commit (the run's
    code is then not exactly the commit's).
    """
    def git(*args):
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


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
