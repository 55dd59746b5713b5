"""Atomic writes: a temporary sibling, flushed, then `os.replace`d over the final name.

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
import re
from pathlib import Path

import numpy as np  # noqa: F401  (used by the docstring example)

from pyimagesearch import _checks

__all__ = ["atomic_path", "atomic_paths", "atomic_write", "remove_stale_temporaries",
           "temporary_name"]

_TMP = ".tmp-"


def _split_name(path):
    name = Path(path).name
    dot = name.find(".", 1)
    return (name, "") if dot < 0 else (name[:dot], name[dot:])


def temporary_name(path):
    """The temporary sibling of `path`, keeping its suffixes (``.x.tmp-<pid>.weights.h5``)."""
    path = Path(path)
    stem, suffixes = _split_name(path)
    return path.with_name(f".{stem}{_TMP}{os.getpid()}{suffixes}")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


_TEMPORARY = re.compile(r"^\.(?P<stem>.*?)\.tmp-(?P<pid>\d+)(?P<suffixes>\..*)?$")


def remove_stale_temporaries(path):
    """Delete the temporaries of `path` (a file, or every one in a folder) left by dead writers."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir():
        return []
    wanted = None if path.is_dir() else _split_name(path)
    removed = []
    for candidate in folder.iterdir():
        match = _TEMPORARY.match(candidate.name)
        if not match or not candidate.is_file():
            continue
        if wanted is not None and (match["stem"], match["suffixes"] or "") != wanted:
            continue
        pid = int(match["pid"])
        if pid != os.getpid() and not _pid_alive(pid):
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


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
    """Yield a temporary path; on success, move it over `path` atomically (else remove it).

    The temporaries of `path` that killed writers left are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        remove_stale_temporaries(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp} for {path}")
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_paths(paths, exist_ok=True):
    """Temporary names for several files, all renamed only when the block succeeds.

    The LAST path is the set's completion mark: deleted first, renamed last.
    One set at a time: a second process that writes the same set meanwhile
    gets a `FileExistsError` at once (a lock beside the mark, removed at the
    end); so does any process, with `exist_ok=False`, once one of the files exists.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(paths[-1].with_name(f".{paths[-1].name}.lock")):
        existing = [p.name for p in paths if p.exists()]
        if existing and not exist_ok:
            raise FileExistsError(f"{paths[-1].parent} already holds {', '.join(existing)} "
                                  "(another process wrote them meanwhile)")
        with _renamed_at_the_end(paths) as temps:
            yield temps


@contextlib.contextmanager
def _exclusive(lock):
    """Hold an exclusive lock on the file `lock` (`FileExistsError` if another process does)."""
    import fcntl

    with open(lock, "a") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FileExistsError(f"another process is writing into {lock.parent} now "
                                  f"({lock.name} is locked); wait for it to finish or write "
                                  "elsewhere") from None
        try:
            yield lock
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()  # still held: nobody else has it open in the meantime


@contextlib.contextmanager
def _renamed_at_the_end(paths):
    for path in paths:
        remove_stale_temporaries(path)  # left by a killed writer
    temps = [temporary_name(p) for p in paths]
    try:
        yield temps
        missing = [str(t) for t in temps if not t.exists()]
        if missing:
            raise FileNotFoundError(f"nothing was written to {', '.join(missing)}")
        for tmp in temps:
            _fsync(tmp)
        with contextlib.suppress(FileNotFoundError):
            paths[-1].unlink()
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
        for folder in {p.parent for p in paths}:
            _fsync(folder)
    except BaseException:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path, mode="w", newline=None, encoding="utf-8"):
    """Open a temporary file for writing (``"w"`` or ``"wb"``); on success, rename it to `path`."""
    _checks.one_of("mode", mode, ("w", "wb"))
    with atomic_path(path) as tmp:
        kwargs = {} if "b" in mode else {"newline": newline, "encoding": encoding}
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
