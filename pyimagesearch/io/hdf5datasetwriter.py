"""Write the HDF5 data sets of the Practitioner Bundle (read them with `hdf5datasetreader`).

The layout the diary used: one dataset of images or features (its key given
when the writer is made: ``"images"``, ``"features"``...), ``labels``
(integers) and ``label_names`` (strings). Three 2020 defects are fixed here:

- images are stored as ``uint8`` (not float64, which took 8x the bytes),
  features as ``float32``; float64 is never used;
- label names are variable-length UTF-8 strings and read back as `str`
  (2020 got `bytes`);
- a file is marked complete only by `close()`: the root attribute
  ``complete`` is False while writing and True once every row is on disk,
  so `open_hdf5_dataset()` (in `pyimagesearch.io.hdf5datasetreader`) refuses
  a file a crash left half-written.

The datasets are resizable (``maxshape=(None, ...)``): `close()` trims them
to the rows actually written when fewer than ``dims[0]`` were added (e.g.
unreadable images were skipped), so no zero rows trail the data.
"""

from pathlib import Path

import h5py
import numpy as np

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute
from pyimagesearch.errors import OutputExistsError

# target about 1 MiB per chunk: a few images, or many feature rows
_CHUNK_BYTES = 1 << 20


class HDF5DatasetWriter:
    """Buffered writer of `(rows, labels)` into an HDF5 file.

    Args:
        dims: shape of the whole data, rows first: ``(N, 256, 256, 3)`` for
            images, ``(N, 25088)`` for features. ``N`` is an upper bound:
            `close()` trims to the rows written.
        output_path: the ``.hdf5`` file to create.
        data_key: name of the data dataset (``"images"``, ``"features"``).
        buf_size: rows kept in memory before they are flushed to disk.
        overwrite: replace an existing file (default: refuse it).
        dtype: the data's dtype; default ``uint8`` for ``"images"`` and
            ``float32`` for any other key. float64 is refused.

    The book's keyword names are accepted too: ``outputPath``, ``dataKey``,
    ``bufSize`` (and ``writer.bufSize``), ``storeClassLabels(classLabels)``.

    Raises:
        OutputExistsError: `output_path` exists and `overwrite` is False. It
            is also a `ValueError`, as the book's writer raised, so the
            book's ``except ValueError`` catches it.
        ValueError: bad `dims`, `buf_size` or `dtype`.

    Example:

    ```python
    with HDF5DatasetWriter((len(paths), 512 * 7 * 7), "features.hdf5",
                           data_key="features", buf_size=1000) as writer:
        writer.storeClassLabels(le.classes_)
        for (batch, batch_labels) in batches:
            writer.add(batch, batch_labels)
    # leaving the block calls close(): the file is now marked complete
    ```
    """

    @book_aliases(outputPath="output_path", dataKey="data_key", bufSize="buf_size")
    def __init__(self, dims: tuple, output_path: "str | Path", data_key: str = "images",
                 buf_size: int = 1000, overwrite: bool = False, dtype=None):
        """Check every argument, then open the file (see the class docstring)."""
        dims, dtype = _check_arguments(dims, buf_size, data_key, dtype)
        self.dims = tuple(int(d) for d in dims)
        self.output_path = Path(output_path)
        self.data_key = data_key
        self.buf_size = int(buf_size)
        self.dtype = dtype

        if self.output_path.exists() and not overwrite:
            raise OutputExistsError(
                f"{self.output_path} already exists; it is not overwritten "
                "(delete it, choose another path, or pass --force)"
            )
        if self.output_path.is_dir():
            raise OutputExistsError(f"{self.output_path} is a folder, not a file path")
        self.output_path.parent.mkdir(parents=True, exist_ok=True)

        self._open_datasets()

        # the buffer, and the index of the next row to write on disk
        self.buffer = {"data": [], "labels": []}
        self.buffered = 0
        self.idx = 0
        self.closed = False

    def _open_datasets(self):
        """Open the HDF5 database for writing, marked incomplete, with two resizable datasets."""
        self.db = h5py.File(self.output_path, "w")
        self.db.attrs["complete"] = False
        self.db.attrs["data_key"] = self.data_key
        row_bytes = int(np.prod(self.dims[1:], dtype=np.int64)) * self.dtype.itemsize
        chunk_rows = int(max(1, min(self.dims[0], _CHUNK_BYTES // max(row_bytes, 1))))
        self.data = self.db.create_dataset(
            self.data_key, shape=self.dims, maxshape=(None, *self.dims[1:]), dtype=self.dtype,
            chunks=(chunk_rows, *self.dims[1:]),
        )
        self.labels = self.db.create_dataset(
            "labels", shape=(self.dims[0],), maxshape=(None,), dtype="int64",
            chunks=(min(self.dims[0], 65536),),
        )

    # the book's attribute name
    bufSize = book_attribute("buf_size")

    # -- context manager ------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            # an error: keep what was written but leave the file marked
            # incomplete, so that no reader mistakes it for a whole data set
            self._abandon()
        return False

    # -- writing --------------------------------------------------------------
    @property
    def rows_written(self) -> int:
        """Rows added so far (on disk or in the buffer)."""
        return self.idx + self.buffered

    def add(self, rows, labels) -> None:
        """Add a batch of rows and their integer labels to the buffer.

        Raises:
            ValueError: a row's shape is not ``dims[1:]``, the counts of
                rows and labels differ, labels are not integers, values do
                not fit the dtype, or the batch would go past ``dims[0]``.
        """
        self._check_open()
        rows = np.asarray(rows)
        labels = np.asarray(labels)
        if rows.ndim == len(self.dims) - 1 and rows.shape == self.dims[1:]:
            rows = rows[np.newaxis]  # a single row
        if rows.shape[1:] != self.dims[1:]:
            raise ValueError(
                f"every row must have shape {self.dims[1:]} (dims[1:]). "
                f"Received: rows.shape={rows.shape}"
            )
        labels = labels.reshape(-1) if labels.ndim == 0 else labels
        if labels.ndim != 1 or len(labels) != len(rows):
            raise ValueError(
                f"`labels` must hold one integer per row: {len(rows)} rows. "
                f"Received: labels.shape={labels.shape}"
            )
        if len(labels) and (labels.dtype.kind not in "iub" and not (
                labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0))):
            raise ValueError(
                "`labels` must be integers (encode class names with LabelEncoder and "
                f"store the names with storeClassLabels). Received: labels.dtype={labels.dtype}"
            )
        if self.rows_written + len(rows) > self.dims[0]:
            raise ValueError(
                f"adding {len(rows)} rows would write past dims[0]={self.dims[0]} "
                f"({self.rows_written} already added)"
            )
        rows = self._cast(rows)
        self.buffer["data"].append(rows)
        self.buffer["labels"].append(labels.astype("int64"))
        self.buffered += len(rows)

        # check to see if the buffer needs to be flushed to disk
        if self.buffered >= self.buf_size:
            self.flush()

    def _cast(self, rows):
        if rows.dtype == self.dtype:
            return rows
        if rows.dtype.kind not in "uifb":
            raise ValueError(f"rows must be numeric. Received: rows.dtype={rows.dtype}")
        if self.dtype.kind in "iu":
            info = np.iinfo(self.dtype)
            if rows.size and (not np.all(np.isfinite(rows)) or rows.min() < info.min
                              or rows.max() > info.max):
                raise ValueError(
                    f"values must lie in [{info.min}, {info.max}] to be stored as {self.dtype}. "
                    f"Received values in [{rows.min()}, {rows.max()}]"
                )
            if rows.dtype.kind == "f":
                rows = np.rint(rows)
        return rows.astype(self.dtype)

    def flush(self) -> None:
        """Write the buffered rows to disk and empty the buffer."""
        self._check_open()
        if not self.buffered:
            return
        i = self.idx + self.buffered
        # one batch is written as it is: no copy into a new array
        rows, labels = self.buffer["data"], self.buffer["labels"]
        self.data[self.idx:i] = rows[0] if len(rows) == 1 else np.concatenate(rows)
        self.labels[self.idx:i] = labels[0] if len(labels) == 1 else np.concatenate(labels)
        self.idx = i
        self.buffer = {"data": [], "labels": []}
        self.buffered = 0

    @book_aliases(classLabels="class_labels")
    def storeClassLabels(self, class_labels: "list[str]") -> None:  # noqa: N802 (the book's name)
        """Store the class names (label `i` is `class_labels[i]`) as UTF-8 strings."""
        self._check_open()
        names = [str(c) for c in np.asarray(class_labels).reshape(-1)]
        if not names:
            raise ValueError("`class_labels` is empty")
        if "label_names" in self.db:
            del self.db["label_names"]
        label_set = self.db.create_dataset("label_names", (len(names),),
                                           dtype=h5py.string_dtype(encoding="utf-8"))
        label_set[:] = names

    # the PEP 8 spelling of the book's method
    store_class_labels = storeClassLabels

    def close(self) -> None:
        """Flush, trim to the rows written, mark the file complete and close it."""
        if self.closed:
            return
        self.flush()
        if self.idx < self.dims[0]:
            # fewer rows than announced: drop the empty tail
            self.data.resize(self.idx, axis=0)
            self.labels.resize(self.idx, axis=0)
        self.db.attrs["rows"] = self.idx
        self.db.attrs["complete"] = True
        self.db.close()
        self.closed = True

    def _abandon(self):
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self.db.attrs["rows"] = self.idx
            self.db.close()
            self.closed = True

    def _check_open(self):
        if self.closed:
            raise ValueError(f"the writer of {self.output_path} is closed")


def _check_arguments(dims, buf_size, data_key, dtype):
    """Validate `HDF5DatasetWriter`'s arguments; return `(dims, dtype)` normalised."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else dims
    if (not isinstance(dims, tuple) or len(dims) < 1
            or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                       for d in dims)):
        raise ValueError(
            "`dims` must be a tuple of positive integers, rows first. "
            f"Received: dims={dims!r}"
        )
    if (isinstance(buf_size, bool) or not isinstance(buf_size, (int, np.integer))
            or buf_size < 1):
        raise ValueError(
            f"`buf_size` must be a positive integer. Received: buf_size={buf_size!r}"
        )
    if not isinstance(data_key, str) or not data_key or data_key in ("labels", "label_names"):
        raise ValueError(
            "`data_key` must be a non-empty name other than 'labels' and 'label_names'. "
            f"Received: data_key={data_key!r}"
        )
    if dtype is None:
        dtype = "uint8" if data_key == "images" else "float32"
    dtype = np.dtype(dtype)
    if dtype.kind not in "uif" or dtype == np.float64:
        raise ValueError(
            "`dtype` must be an integer type or float16/float32 (never float64). "
            f"Received: dtype={dtype}"
        )
    return dims, dtype
