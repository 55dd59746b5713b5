"""The run ledger cannot be corrupted or lose a row: locks, whole writes, roll-back on failure."""

import csv
import errno
import multiprocessing
import os
import subprocess
import sys

import pytest

from pyimagesearch.harness import ledger

OLD_COLUMNS = ("study", "date", "run", "metric", "value")


def _writer(path, worker, rows):
    for i in range(rows):
        ledger.append_row(path, {"study": f"w{worker}", "run": str(i), "metric": "m",
                                 "value": f"{worker}.{i}"})


@pytest.mark.parametrize("start", ["new", "old header"])
def test_eight_writers_lose_no_row(tmp_path, start):
    path = tmp_path / "results.csv"
    if start == "old header":
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(OLD_COLUMNS)
            writer.writerow(["old", "2020-01-01", "r", "accuracy", "0.5"])
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(path, w, 50)) for w in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    rows = ledger.read_rows(path)
    values = sorted(row["value"] for row in rows if row["study"] != "old")
    assert values == sorted(f"{w}.{i}" for w in range(8) for i in range(50))
    assert path.read_text().count("study,date,run") == 1  # one header
    assert (start == "old header") == any(row["study"] == "old" for row in rows)
    assert list(rows[0]) == list(ledger.COLUMNS)


def test_a_failed_write_leaves_the_ledger_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "results.csv"
    ledger.append_row(path, {"study": "a", "value": "1"})
    before = path.read_bytes()

    def full(fd, data):
        os.lseek(fd, 0, os.SEEK_END)
        os.ftruncate(fd, os.fstat(fd).st_size + len(data) // 2)  # half a row reached the disk
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(ledger.os, "write", full)
    with pytest.raises(OSError) as info:
        ledger.append_row(path, {"study": "b", "value": "2"})
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert path.read_bytes() == before
    ledger.append_row(path, {"study": "c", "value": "3"})
    assert [row["study"] for row in ledger.read_rows(path)] == ["a", "c"]


def test_a_file_size_limit_is_an_oserror_and_no_partial_row(tmp_path):
    """A real short write: RLIMIT_FSIZE stops the row in the middle (as a full disk would)."""
    path = tmp_path / "results.csv"
    ledger.append_row(path, {"study": "a", "value": "1"})
    size = path.stat().st_size
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({size + 20}, {size + 20}))\n"
        "from pyimagesearch.harness import ledger\n"
        "try:\n"
        f"    ledger.append_row({str(path)!r}, {{'study': 'b' * 200, 'value': '2'}})\n"
        "except OSError as error:\n"
        "    print('OSError', error.errno)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert "OSError" in done.stdout, done.stdout + done.stderr
    assert path.stat().st_size == size
    assert [row["study"] for row in ledger.read_rows(path)] == ["a"]


def test_a_damaged_line_is_skipped_and_reported_and_the_next_row_stays_whole(tmp_path, capsys):
    path = tmp_path / "results.csv"
    ledger.append_row(path, {"study": "a", "value": "1"})
    with path.open("a") as f:
        f.write("a,half,a,row")  # a kill in an older version: no newline
    ledger.append_row(path, {"study": "b", "value": "2"})
    assert [row["study"] for row in ledger.read_rows(path)] == ["a", "b"]
    assert "skipped 1 damaged line" in capsys.readouterr().err


def test_a_read_only_ledger_is_found_before_training(tmp_path):
    path = tmp_path / "results.csv"
    ledger.append_row(path, {"study": "a"})
    path.chmod(0o444)
    if os.access(path, os.W_OK):
        pytest.skip("running as a user who can write read-only files (root)")
    with pytest.raises(PermissionError):
        ledger.check_writable(path)


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "no space left"), (errno.EROFS, "read-only"),
    (errno.ENAMETOOLONG, "name too long"), (errno.ENOTDIR, "not a folder"),
    (errno.EACCES, "permission denied"),
])
def test_an_environment_error_is_one_line_and_exit_2(capsys, code, words):
    from pyimagesearch import harness

    @harness.entrypoint
    def main(argv=None):
        raise OSError(code, os.strerror(code), "/data/outputs/results.csv")

    with pytest.raises(SystemExit) as info:
        main([])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: /data/outputs/results.csv: ") and words in err


def test_a_run_whose_ledger_cannot_be_written_stops_before_training(tmp_path, monkeypatch,
                                                                     capsys):
    from argparse import Namespace

    from pyimagesearch import harness

    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp_path / "outputs"))
    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).endswith("results.csv") and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(ledger.os, "open", read_only)
    trained = []

    @harness.entrypoint
    def main(argv=None):
        with harness.Run("s", Namespace(output=str(tmp_path / "run"), verbose=0)):
            trained.append(True)

    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and not trained
    assert "read-only file system" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # the corrected command can use the folder
