"""The run ledger: one CSV row per result of every run (`outputs/results.csv`).

Each row says which run (its folder and script), with which recipe, on which
data, at which commit, and how it ended (``finished``, ``interrupted``,
``failed``). Many runs append to one ledger at once: every append holds an
exclusive lock (on the ledger's folder) while it checks the header
(and rewrites a ledger of an older version under the new one), then writes
the row with one `os.write`, and cuts the file back to its old size if that
write fails (a full disk). Readers skip a damaged line and say so.

Example:

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "results.csv"
>>> append_row(path, {"study": "s", "metric": "accuracy", "value": "0.5"})
>>> [row["value"] for row in read_rows(path)]
['0.5']
"""

import contextlib
import csv
import io
import logging
import os
from pathlib import Path

from pyimagesearch.harness.files import script_name
from pyimagesearch.utils.atomic import atomic_write

try:
    import fcntl
except ImportError:  # Windows: no advisory locks (one writer at a time there)
    fcntl = None

__all__ = ["COLUMNS", "append_row", "read_rows"]

COLUMNS = ("study", "date", "run", "script", "recipe", "data", "data_path", "images",
           "metric", "value", "seconds", "status", "commit")
logger = logging.getLogger(__name__)


def _line(values):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def read_rows(path, warn=True):
    """The ledger's rows as dicts (none when there is no file); damaged lines are skipped."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="", errors="replace") as f:
        lines = list(csv.reader(f))
    if not lines:
        return []
    header, rows, damaged = lines[0], [], 0
    for values in lines[1:]:
        if len(values) == len(header) and values != header:
            rows.append(dict(zip(header, values)))
        elif values:
            damaged += 1
    if damaged and warn:
        logger.warning(f"{path}: skipped {damaged} damaged line(s)")
    return rows


@contextlib.contextmanager
def _locked(path):
    """Hold the exclusive lock of the ledger `path`: a lock on its folder (a rewrite is safe)."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _migrate(path, columns):
    """Rewrite a ledger whose header is not `columns` under the new header (atomically)."""
    with path.open(newline="") as f:
        header = next(csv.reader(f), None)
    if header is None or header == list(columns):
        return
    old = read_rows(path)
    with atomic_write(path, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(old)


def append_row(path, row, columns=COLUMNS):
    """Append `row` (a dict; missing columns are empty) to the ledger at `path`, whole or not at all.

    Raises:
        ValueError: `row` has a column the ledger does not know.
        OSError: the ledger cannot be written (read-only, full disk); the
            file is then as it was.
    """
    path = Path(path)
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise ValueError(f"unknown ledger columns {unknown}; the columns are {list(columns)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        if path.is_file() and path.stat().st_size:
            _migrate(path, columns)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            text = _line([row.get(c, "") for c in columns])
            if size == 0:
                text = _line(columns) + text
            elif os.pread(fd, 1, size - 1) != b"\n":
                text = "\n" + text  # a damaged last line stays a line of its own
            data = text.encode("utf-8")
            try:
                if os.write(fd, data) != len(data):
                    raise OSError(f"short write to {path}")
            except OSError:
                os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)


def check_writable(path):
    """Raise the `OSError` an append to the ledger `path` would meet (before a long run)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))


def run_row(run, data, metric, value, status="finished"):
    """The ledger row of one result of a `Run`."""
    import datetime
    import time

    git = run._git_state()
    return {
        "study": run.study, "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "run": str(run.output_dir), "script": script_name(), "recipe": run.recipe,
        "data": str(data), "data_path": str(run.data_path) if run.data_path else "",
        "images": " ".join(f"{k}={v}" for k, v in run.images.items()),
        "metric": metric, "value": f"{float(value):.4f}",
        "seconds": f"{time.perf_counter() - run.started:.1f}", "status": status,
        "commit": git.get("commit", "")[:12] + ("+dirty" if git.get("dirty") else ""),
    }
