"""Read an HDF5 data set back: check it is whole, open it, read its class names.

A file marked incomplete is refused; one from the book's writer (no marks)
is read with a warning.
"""

import os
import warnings
from pathlib import Path

import h5py
import numpy as np

from pyimagesearch.errors import DatasetError, one_line

__all__ = ["check_complete", "open_hdf5_dataset", "read_label_names"]


def check_complete(path, data_key=None, keys=("labels",)):
    """Check that `path` is a whole HDF5 data set; return its summary.

    `data_key` defaults to the one the writer recorded; `keys` must be there too.

    Returns:
        A dict with ``data_key``, ``rows``, ``shape``, ``dtype`` and ``path``.

    Raises:
        DatasetError: no such file, not HDF5, marked incomplete, a missing
            key, row counts that disagree, or build images that are not uint8.
    """
    with _open(path) as db:
        return _check(db, path, data_key, keys)


def open_hdf5_dataset(path, data_key=None, keys=("labels",)):
    """Open a whole HDF5 data set read-only (an `h5py.File`), after `check_complete`.

    ```python
    with open_hdf5_dataset("features.hdf5") as db:
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
    """The ``label_names`` of an open file, as a list of `str`.

    Raises:
        DatasetError: the file stores no class names, or they are not strings.
    """
    if "label_names" not in db:
        raise DatasetError(f"{db.filename} has no label_names dataset (store them with the "
                           "writer's storeClassLabels(names))")
    names = db["label_names"]
    if h5py.check_string_dtype(names.dtype) is None or names.ndim != 1:
        raise DatasetError(f"{db.filename}: label_names must be a list of strings. Received "
                           f"{names.dtype} of shape {names.shape}")
    return [str(n) for n in names.asstr()[...]]


def _open(path):
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such HDF5 file")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise DatasetError(f"{path}: cannot open it as HDF5 (not an HDF5 file, damaged, or "
                           f"still open for writing): {one_line(error)}") from None


def _check(db, path, data_key, keys):
    complete = db.attrs.get("complete")
    if complete is not None and not bool(complete):
        raise DatasetError(f"{path} is incomplete: its writer never finished (crashed or "
                           "interrupted); write it again")
    data_key = _data_key(db, path, data_key)
    missing = [k for k in (data_key, *keys) if k not in db]
    if missing:
        raise DatasetError(f"{path} lacks the dataset(s) {', '.join(missing)}; it holds "
                           f"{', '.join(db.keys()) or 'nothing'}")
    unmarked = [what for what, absent in (("no completion mark", complete is None),
                                          ("no label_names", "label_names" not in db)) if absent]
    if unmarked:
        warnings.warn(f"{path}: {' and '.join(unmarked)} (a file from the book's writer or "
                      "build script?); reading it as it is", stacklevel=3)
    data = db[data_key]
    # every row count must agree: a shorter dataset would silently shorten training
    counts = {data_key: data.shape[0], "labels": db["labels"].shape[0]}
    if "rows" in db.attrs:
        counts["the rows attribute"] = int(db.attrs["rows"])
    if len(set(counts.values())) > 1:
        raise DatasetError(f"{path}: its row counts disagree: "
                           + ", ".join(f"{n} {k}" for k, n in counts.items()))
    if "channel_order" in db.attrs and data.dtype != np.uint8:
        raise DatasetError(f"{path}: the images of an HDF5 build must be uint8. Received "
                           f"{data_key} of dtype {data.dtype}")
    return {"data_key": str(data_key), "rows": int(data.shape[0]), "shape": tuple(data.shape),
            "dtype": str(data.dtype), "path": os.fspath(path)}


def _data_key(db, path, data_key):
    data_key = data_key or db.attrs.get("data_key")
    if data_key:
        return data_key.decode() if isinstance(data_key, bytes) else str(data_key)
    candidates = [k for k in db if k not in ("labels", "label_names")
                  and isinstance(db[k], h5py.Dataset)]
    if len(candidates) == 1:
        return candidates[0]
    for usual in ("images", "features"):
        if usual in candidates:
            return usual
    raise DatasetError(f"{path}: cannot tell which dataset holds the data (it holds "
                       f"{', '.join(db.keys()) or 'nothing'}); pass data_key=")
