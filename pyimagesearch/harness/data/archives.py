"""Archives and folders a user already has: unpack safely, find what a layout needs, hash.

- `sha256_file(path)`: the hex SHA-256 of a file;
- `unpack(source, work, wanted=None)`: a folder as it is, or a tar/zip
  archive extracted under `work` (members named outside it are refused);
- `Unpacked(root, work).find(test)`: the first folder below `root` that
  passes `test`, unpacking archives found inside (CALTECH-101's zip holds
  tarballs, Kaggle's holds train.zip) until one does.

Example:

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "a" / "jpg").mkdir(parents=True)
>>> Unpacked(folder, folder).find(lambda p: p.name == "jpg").relative_to(folder).as_posix()
'a/jpg'
"""

import hashlib
import os
import tarfile
import zipfile
import zlib
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip", ".tar.bz2", ".tar.xz")
#: what a damaged or truncated archive raises while it is read
ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError)


def sha256_file(path, chunk=1 << 20):
    """The hex SHA-256 of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def is_archive(path):
    return Path(path).name.lower().endswith(ARCHIVE_SUFFIXES)


def unpack(source, work, wanted=None):
    """The folder to read: `source` itself, or `source` (an archive) extracted into `work`.

    Args:
        wanted: a test of a member's base name; members that fail it (and are
            no archive themselves) are not extracted.

    Raises:
        DatasetError: not a folder, not a known archive, or a damaged one.
    """
    source = Path(source)
    if source.is_dir():
        return source
    if not is_archive(source):
        raise DatasetError(f"{source} is neither a folder nor an archive "
                           f"({', '.join(ARCHIVE_SUFFIXES)})")
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    try:
        if source.name.lower().endswith(".zip"):
            _unzip(source, work, wanted)
        else:
            _untar(source, work, wanted)
    except ARCHIVE_ERRORS as error:
        raise DatasetError(f"{source} is not a readable archive ({one_line(error)})") from None
    return work


def _keep(name, wanted):
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return wanted is None or is_archive(base) or wanted(base)


def _safe(root, name, source):
    target = (root / name).resolve()
    if Path(name).is_absolute() or root.resolve() not in (target, *target.parents):
        raise DatasetError(f"{source} names a member outside its folder ({name}); refused")
    return target


def _unzip(source, work, wanted):
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            if member.is_dir() or not _keep(member.filename, wanted):
                continue
            target = _safe(work, member.filename, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)


def _untar(source, work, wanted):
    with tarfile.open(source) as archive:
        for member in archive:
            if not member.isfile() or not _keep(member.name, wanted):
                continue
            _safe(work, member.name, source)
            archive.extract(member, work, filter="data")


class Unpacked:
    """A source folder (or an unpacked archive) and the archives found inside it.

    `find(test)` returns the first folder (sorted walk) for which `test(folder)`
    holds; archives met on the way are unpacked into new folders under
    `work` (never beside them: the root may be the user's own folder), up to
    `depth` levels of archives in archives, each at most once.
    """

    def __init__(self, root, work, wanted=None, depth=3):
        self.roots, self.done = [Path(root)], set()
        self.work, self.wanted, self.depth = Path(work), wanted, depth

    def find(self, test):
        """The first folder that passes `test`, or `None`."""
        for level in range(self.depth + 1):
            for folder in self.roots:
                found = _walk_for(folder, test)
                if found is not None:
                    return found
            nested = list(dict.fromkeys(p for folder in self.roots for p in _files(folder)
                                        if is_archive(p) and p not in self.done))
            if not nested or level == self.depth:
                return None
            for archive in nested:
                self.done.add(archive)
                self.roots.append(unpack(archive, self.work / f"nested-{len(self.done)}",
                                         self.wanted))
        return None


def _walk_for(root, test):
    for folder, subfolders, _ in os.walk(root):
        subfolders.sort()
        if test(Path(folder)):
            return Path(folder)
    return None


def _files(root):
    return sorted(Path(folder) / name for folder, _, names in os.walk(root) for name in names)
