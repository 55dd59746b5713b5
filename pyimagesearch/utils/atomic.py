"""Atomic writes: a file appears under its final name only when it is complete.

Every final file of the package (models, checkpoints, JSON, CSV, plots, mean
files, classifiers) is written to a temporary name in the same folder,
flushed to disk, then renamed over the final name with `os.replace`, which
is atomic on POSIX and Windows. A kill at any moment leaves either the old
file or the new one, never a truncated file under the final name; at worst
a hidden ``.<name>.tmp-<pid><suffix>`` file that a later write replaces.

Example:

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "args.json") as f:
...     _ = f.write(json.dumps({"epochs": 2}))
>>> json.loads((folder / "args.json").read_text())
{'epochs': 2}
>>> with atomic_path(folder / "weights.npy") as tmp:   # for writers that take a path
...     np.save(tmp, np.zeros(3))
>>> sorted(p.name for p in folder.iterdir())
['args.json', 'weights.npy']
"""

import contextlib
import os
from pathlib import Path

import numpy as np  # noqa: F401  (used by the docstring example)

__all__ = ["atomic_path", "atomic_write", "temporary_name"]


def temporary_name(path):
    """The temporary sibling of `path`, keeping its suffix (``.x.tmp-<pid>.keras``).

    The suffix is kept because some writers choose the format from it
    (`keras.Model.save` needs ``.keras``, `savefig` reads ``.png``).
    """
    path = Path(path)
    return path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")


def _fsync(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path; on success, move it over `path` atomically.

    Use it for writers that take a file name (`model.save`, `h5py.File`,
    `fig.savefig`, `joblib.dump`). If the block raises, the temporary file
    is removed and `path` is left as it was.

    Args:
        path: the final file name (its folder is created if needed).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp} for {path}")
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path, mode="w", newline=None, encoding="utf-8"):
    """Open a temporary file for writing; on success, rename it to `path`.

    Args:
        path: the final file name.
        mode: ``"w"`` (text, the default) or ``"wb"`` (bytes).
        newline: passed to `open` in text mode (``""`` for `csv`).
        encoding: the text encoding (text mode only).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"`mode` must be 'w' or 'wb'. Received: mode={mode!r}")
    with atomic_path(path) as tmp:
        kwargs = {} if "b" in mode else {"newline": newline, "encoding": encoding}
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
