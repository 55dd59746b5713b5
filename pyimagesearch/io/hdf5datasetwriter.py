"""Write the HDF5 data sets of the Practitioner Bundle (read them with `hdf5datasetreader`).

The root attribute ``complete`` is True only once `close()` has put every
row on disk, so the readers refuse a file a crash left behind.
"""

from pathlib import Path

import h5py
import numpy as np

from pyimagesearch import _checks
from pyimagesearch._compat import book_aliases, book_attribute
from pyimagesearch.errors import OutputExistsError

# target about 1 MiB per chunk: a few images, or many feature rows
_CHUNK_BYTES = 1 << 20


class HDF5DatasetWriter:
    """Buffered writer of `(rows, labels)` into an HDF5 file.

    Args:
        dims: shape of the data, rows first; ``N`` is an upper bound
            (`close()` trims to the rows written).
        data_key: name of the data dataset (``"images"``, ``"features"``).
        buf_size: rows kept in memory before they are flushed to disk.
        dtype: default ``uint8`` for ``"images"``, ``float32`` otherwise;
            float64 is refused.

    Raises:
        OutputExistsError: `output_path` exists and `overwrite` is False.
        ValueError: bad `dims`, `buf_size`, `data_key` or `dtype`.

    Example:

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "features.hdf5"
    >>> with HDF5DatasetWriter((10, 4), path, data_key="features") as writer:
    ...     writer.storeClassLabels(["cat", "dog"])
    ...     writer.add(np.ones((3, 4)), [0, 1, 1])
    >>> h5py.File(path, "r")["features"].shape  # trimmed to the rows written
    (3, 4)
    """

    @book_aliases(outputPath="output_path", dataKey="data_key", bufSize="buf_size")
    def __init__(self, dims, output_path, data_key="images", buf_size=1000, overwrite=False,
                 dtype=None):
        self.dims = tuple(_checks.positive_int("dims", d) for d in dims)
        if not self.dims:
            raise ValueError(f"`dims` must not be empty. Received: dims={dims!r}")
        self.buf_size = _checks.positive_int("buf_size", buf_size)
        if not isinstance(data_key, str) or data_key in ("", "labels", "label_names"):
            raise ValueError("`data_key` must be a name other than 'labels' and 'label_names'. "
                             f"Received: data_key={data_key!r}")
        self.dtype = np.dtype(dtype or ("uint8" if data_key == "images" else "float32"))
        if self.dtype.kind not in "uif" or self.dtype == np.float64:
            raise ValueError("`dtype` must be an integer type or float16/float32 (never "
                             f"float64). Received: dtype={self.dtype}")
        self.data_key = data_key
        self.output_path = Path(output_path)
        if self.output_path.exists() and not overwrite:
            raise OutputExistsError(f"{self.output_path} already exists; it is not "
                                    "overwritten unless overwrite=True")
        self.output_path.parent.mkdir(parents=True, exist_ok=True)

        self.db = h5py.File(self.output_path, "w")
        self.db.attrs["complete"] = False
        self.db.attrs["data_key"] = data_key
        row_bytes = int(np.prod(self.dims[1:], dtype=np.int64)) * self.dtype.itemsize
        chunk_rows = max(1, min(self.dims[0], _CHUNK_BYTES // max(row_bytes, 1)))
        self.data = self.db.create_dataset(data_key, shape=self.dims, dtype=self.dtype,
                                           maxshape=(None, *self.dims[1:]),
                                           chunks=(chunk_rows, *self.dims[1:]))
        self.labels = self.db.create_dataset("labels", shape=(self.dims[0],), maxshape=(None,),
                                             dtype="int64", chunks=(min(self.dims[0], 65536),))

        self.buffer = {"data": [], "labels": []}
        self.buffered = 0
        self.idx = 0
        self.closed = False

    bufSize = book_attribute("buf_size")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            # keep what was written, but leave the file marked incomplete
            self._close(complete=False)
        return False

    @property
    def rows_written(self):
        """Rows added so far (on disk or in the buffer)."""
        return self.idx + self.buffered

    def add(self, rows, labels):
        """Add a batch of rows (or one row) and their integer labels to the buffer.

        Raises:
            ValueError: bad shapes, non-integer labels, values that do not
                fit the dtype, or rows past ``dims[0]``.
        """
        self._check_open()
        rows = np.asarray(rows)
        if rows.shape == self.dims[1:]:
            rows = rows[np.newaxis]  # a single row
        labels = np.asarray(labels).reshape(-1) if np.ndim(labels) == 0 else np.asarray(labels)
        if rows.shape[1:] != self.dims[1:]:
            raise ValueError(f"every row must have shape {self.dims[1:]} (dims[1:]). "
                             f"Received: rows.shape={rows.shape}")
        if labels.shape != (len(rows),):
            raise ValueError(f"`labels` must hold one integer per row: {len(rows)} rows. "
                             f"Received: labels.shape={labels.shape}")
        if labels.dtype.kind not in "iub" and not (
                labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0)):
            raise ValueError("`labels` must be integers (store the class names with "
                             f"storeClassLabels). Received: labels.dtype={labels.dtype}")
        if self.rows_written + len(rows) > self.dims[0]:
            raise ValueError(f"adding {len(rows)} rows would write past dims[0]={self.dims[0]} "
                             f"({self.rows_written} already added)")
        self.buffer["data"].append(self._cast(rows))
        self.buffer["labels"].append(labels.astype("int64"))
        self.buffered += len(rows)
        if self.buffered >= self.buf_size:
            self.flush()

    def _cast(self, rows):
        if rows.dtype.kind not in "uifb":
            raise ValueError(f"rows must be numeric. Received: rows.dtype={rows.dtype}")
        if self.dtype.kind in "iu" and rows.dtype != self.dtype and rows.size:
            info = np.iinfo(self.dtype)
            low, high = rows.min(), rows.max()
            if not (np.isfinite(low) and np.isfinite(high) and info.min <= low
                    and high <= info.max):
                raise ValueError(f"values must lie in [{info.min}, {info.max}] to be stored as "
                                 f"{self.dtype}. Received values in [{low}, {high}]")
            rows = np.rint(rows) if rows.dtype.kind == "f" else rows
        with np.errstate(over="ignore"):  # an overflow to inf is refused below
            rows = rows.astype(self.dtype, copy=False)
        if self.dtype.kind == "f" and not np.isfinite(rows).all():
            # a NaN feature row would make a "complete" file useless for training
            raise ValueError(f"rows must hold finite values (as {self.dtype}). Received "
                             "NaN or infinite values")
        return rows

    def flush(self):
        """Write the buffered rows to disk and empty the buffer."""
        self._check_open()
        if not self.buffered:
            return
        i = self.idx + self.buffered
        rows, labels = self.buffer["data"], self.buffer["labels"]
        self.data[self.idx:i] = rows[0] if len(rows) == 1 else np.concatenate(rows)
        self.labels[self.idx:i] = labels[0] if len(labels) == 1 else np.concatenate(labels)
        self.idx = i
        self.buffer = {"data": [], "labels": []}
        self.buffered = 0

    @book_aliases(classLabels="class_labels")
    def storeClassLabels(self, class_labels):  # noqa: N802 (the book's name)
        """Store the class names (label `i` is `class_labels[i]`) as UTF-8 strings."""
        self._check_open()
        names = [str(c) for c in np.asarray(class_labels).reshape(-1)]
        if not names:
            raise ValueError("`class_labels` must hold at least one name. Received: []")
        if "label_names" in self.db:
            del self.db["label_names"]
        self.db.create_dataset("label_names", data=names,
                               dtype=h5py.string_dtype(encoding="utf-8"))

    store_class_labels = storeClassLabels

    def close(self):
        """Flush, trim to the rows written, mark the file complete and close it."""
        self._close(complete=True)

    def _close(self, complete):
        if self.closed:
            return
        try:
            self.flush()
            if complete and self.idx < self.dims[0]:
                # fewer rows than announced: drop the empty tail
                self.data.resize(self.idx, axis=0)
                self.labels.resize(self.idx, axis=0)
            self.db.attrs["rows"] = self.idx
            self.db.attrs["complete"] = complete
        finally:
            self.closed = True
            self.db.close()

    def _check_open(self):
        if self.closed:
            raise ValueError(f"the writer of {self.output_path} is closed")
