"""The run ledger: one CSV row per result of every run (`outputs/results.csv`).

Each row says which run (its folder and script), with which recipe (the
flags that differ from the script's defaults), on which data (what was
really read, and how many images), at which commit, and how it ended
(``finished``, ``interrupted``, ``failed``). A ledger written by an older
version of the package, with fewer columns, is rewritten with the new
header the first time a row is added (its rows keep their values).

Example:

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "results.csv"
>>> append_row(path, {"study": "s", "metric": "accuracy", "value": "0.5"})
>>> path.read_text().splitlines()[0].startswith("study,date,run,script")
True
"""

import csv
from pathlib import Path

from pyimagesearch.utils.atomic import atomic_write

__all__ = ["COLUMNS", "append_row", "read_rows"]

COLUMNS = ("study", "date", "run", "script", "recipe", "data", "data_path", "images",
           "metric", "value", "seconds", "status", "commit")


def read_rows(path):
    """The ledger's rows as dicts (an empty list when there is no file)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def append_row(path, row, columns=COLUMNS):
    """Append `row` (a dict; missing columns are empty) to the CSV file at `path`.

    The row is written in one `write` call and flushed, so concurrent runs
    never interleave half rows; a file with an older header is first
    rewritten (atomically) under the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise ValueError(f"unknown ledger columns {unknown}; the columns are {list(columns)}")
    if path.is_file():
        with path.open(newline="") as f:
            header = next(csv.reader(f), None)
        if header != list(columns):
            old = read_rows(path)
            with atomic_write(path, newline="") as f:
                writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(old)
    new = not path.is_file()
    line = _csv_line(columns, row)
    with path.open("a", newline="") as f:
        f.write((_csv_line(columns, {c: c for c in columns}) if new else "") + line)
        f.flush()


def _csv_line(columns, row):
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerow([row.get(c, "") for c in columns])
    return buffer.getvalue()
