"""Read an HDF5 data set back: check it is whole, open it, read its class names.

`HDF5DatasetWriter` marks a file complete only in `close()` (root attribute
``complete``: False while writing, True at the end) and records the key of
its data (``data_key``). The readers here refuse a file marked incomplete,
a crash's leftover. Files written by the book's own `HDF5DatasetWriter`
carry neither attribute, and its build scripts (``build_dogs_vs_cats.py``)
store no ``label_names``: such a file is read, with one warning, its data
key being the one dataset beside ``labels`` (or ``images`` / ``features``).

Example:

```python
with open_hdf5_dataset("features.hdf5") as db:
    i = int(db["labels"].shape[0] * 0.75)
    train_x, train_y = db["features"][:i], db["labels"][:i]
    names = read_label_names(db)
```
"""

import os
import warnings
from pathlib import Path

import h5py

from pyimagesearch.errors import DatasetError

__all__ = ["check_complete", "open_hdf5_dataset", "read_label_names"]

# datasets beside the data: never the data key itself
_RESERVED = ("labels", "label_names")


def check_complete(path, data_key=None, keys=("labels",)):
    """Check that `path` is a whole HDF5 data set; return its summary.

    A file marked incomplete (its writer never finished) is refused. A file
    with no completion mark or no ``label_names`` (the book's writer and
    build scripts) is accepted with a warning.

    Args:
        path: the ``.hdf5`` file.
        data_key: the data's key; default: the one the writer recorded, or
            the only dataset beside ``labels`` and ``label_names``.
        keys: other datasets that must be there (add ``"label_names"`` to
            require the class names).

    Returns:
        A dict with ``data_key``, ``rows``, ``shape``, ``dtype`` and ``path``.

    Raises:
        DatasetError: no such file, not HDF5 (or still open for writing),
            marked incomplete, a key is missing, or rows and labels differ.
    """
    with _open(path) as db:
        return _check(db, path, data_key, keys)


def open_hdf5_dataset(path, data_key=None, keys=("labels",)):
    """Open a whole HDF5 data set read-only (after the checks of `check_complete`).

    Returns:
        The open `h5py.File` (use it as a context manager). Read the names
        with `read_label_names(db)`.

    Example:

    ```python
    with open_hdf5_dataset("features.hdf5") as db:
        i = int(db["labels"].shape[0] * 0.75)
        train_x, train_y = db["features"][:i], db["labels"][:i]
        names = read_label_names(db)
    ```
    """
    db = _open(path)
    try:
        _check(db, path, data_key, keys)
    except Exception:
        db.close()
        raise
    return db


def read_label_names(db):
    """The ``label_names`` of an open file, as a list of `str` (never `bytes`).

    Raises:
        DatasetError: the file stores no class names.
    """
    if "label_names" not in db:
        raise DatasetError(
            f"{db.filename} has no label_names dataset (the book's build scripts store "
            "none; call the writer's storeClassLabels(names) when building it)"
        )
    return [str(n) for n in db["label_names"].asstr()[...]]


def _open(path):
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such HDF5 file")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise DatasetError(
            f"{path}: cannot open it as HDF5 (not an HDF5 file, damaged, or still open "
            f"for writing): {str(error).splitlines()[0] if str(error) else error!r}"
        ) from None


def _check(db, path, data_key, keys):
    complete = db.attrs.get("complete")
    if complete is not None and not bool(complete):
        raise DatasetError(
            f"{path} is incomplete: its writer never finished (crashed or interrupted); "
            "write it again"
        )
    data_key = _data_key(db, path, data_key)
    missing = [k for k in (data_key, *keys) if k not in db]
    if missing:
        raise DatasetError(
            f"{path} lacks the dataset(s) {', '.join(map(str, missing))}; it holds "
            f"{', '.join(db.keys()) or 'nothing'}"
        )
    unmarked = [what for what, absent in (("no completion mark", complete is None),
                                          ("no label_names", "label_names" not in db))
                if absent]
    if unmarked:
        warnings.warn(
            f"{path}: {' and '.join(unmarked)} (a file from the book's writer or build "
            "script?); reading it as it is", stacklevel=3)
    data = db[data_key]
    if data.shape[0] != db["labels"].shape[0]:
        raise DatasetError(
            f"{path}: {data.shape[0]} rows of {data_key} but {db['labels'].shape[0]} labels"
        )
    return {"data_key": str(data_key), "rows": int(data.shape[0]),
            "shape": tuple(data.shape), "dtype": str(data.dtype),
            "path": os.fspath(path)}


def _data_key(db, path, data_key):
    """The data's key: asked for, recorded by the writer, or the only candidate."""
    data_key = data_key or db.attrs.get("data_key")
    if isinstance(data_key, bytes):
        data_key = data_key.decode()
    if data_key:
        return str(data_key)
    candidates = [k for k in db if k not in _RESERVED and isinstance(db[k], h5py.Dataset)]
    if len(candidates) == 1:
        return candidates[0]
    for usual in ("images", "features"):
        if usual in candidates:
            return usual
    raise DatasetError(
        f"{path}: cannot tell which dataset holds the data (it holds "
        f"{', '.join(db.keys()) or 'nothing'}); pass data_key="
    )
