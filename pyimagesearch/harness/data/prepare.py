"""Prepare a data set from what the user has, all or nothing.

`prepare(name, source, ...)` checks the archive's SHA-256 when asked,
unpacks it (or reads a folder) in a temporary folder beside the target,
writes the studies' layout with its ``MANIFEST.csv`` and ``SOURCE.json``,
and only then renames it to ``$DATASETS_DIR/<name>``: a damaged archive, a
wrong hash, a missing member or an interrupted prepare leaves nothing under
the final name (and the previous copy, with `force`, untouched).
"""

import datetime
import json
import shutil
import tempfile
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import OutputExistsError
from pyimagesearch.harness.data import records
from pyimagesearch.harness.data.archives import Unpacked
from pyimagesearch.harness.data.archives import is_archive
from pyimagesearch.harness.data.archives import sha256_file
from pyimagesearch.harness.data.archives import unpack
from pyimagesearch.harness.data.layouts import LAYOUTS
from pyimagesearch.harness.data.layouts import wanted_members
from pyimagesearch.harness.data.sources import SOURCES
from pyimagesearch.harness.files import datasets_root


def source_of(name):
    """The `Source` of data set `name`, or a `DatasetError` that lists the names."""
    if name not in SOURCES:
        raise DatasetError(f"unknown data set {name!r}; the data sets are "
                           f"{', '.join(SOURCES)}")
    return SOURCES[name]


def refuse_existing(name, force):
    """The target folder of `name`; an `OutputExistsError` if it exists and not `force`."""
    target = datasets_root() / name
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputExistsError(f"{target} already exists; pass --force to replace it")
    return target


def prepare(name, source, *, subset=None, force=False, sha256=None, fetched_from=None,
            report=print):
    """Write `$DATASETS_DIR/<name>` from `source` (an archive, a folder or mnist.npz).

    Args:
        subset: the name of a committed subset manifest (``"readme"``), or `None`.
        sha256: the SHA-256 the archive must have (`None`: print the one seen).
        fetched_from: the URL it was downloaded from (recorded).

    Returns:
        The target folder.
    """
    spec = source_of(name)
    if subset is not None and subset not in spec.subsets:
        raise DatasetError(f"{name} has no subset {subset!r}"
                           + (f"; its subsets: {', '.join(spec.subsets)}" if spec.subsets
                              else " (it is prepared whole)"))
    source = Path(source).expanduser()
    if not source.exists():
        raise DatasetError(f"{source}: no such file or folder")
    if source.is_file() and not is_archive(source) and not (
            name == "mnist" and source.suffix.lower() == ".npz"):
        raise DatasetError(f"{source} is neither a folder nor an archive (.tar.gz, .tgz, "
                           ".tar, .zip)" + (" nor an .npz file" if name == "mnist" else ""))
    target = refuse_existing(name, force)
    seen = sha256_file(source) if source.is_file() else None
    if seen is not None:
        _check_hash(source, seen, sha256, spec, report)
    rows = None if subset is None else records.subset(name, subset)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=target.parent))
    try:
        out = staging / name
        out.mkdir()
        work = staging / "source"
        root = source if source.is_dir() or not is_archive(source) else unpack(
            source, work, wanted_members(name, rows))
        summary = LAYOUTS[name](source, Unpacked(root, work / "nested"), out, rows)
        files = records.write_manifest(out, name)
        (out / records.SOURCE_RECORD).write_text(json.dumps({
            "name": name, "from": str(source), "url": fetched_from or spec.url,
            "sha256": seen, "published_sha256": spec.sha256, "subset": subset,
            "files": files, "prepared": datetime.datetime.now().isoformat(timespec="seconds"),
        }, indent=2) + "\n")
        _replace(target, out, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(f"{name}: {summary} -> {target}")
    return target


def _check_hash(source, seen, sha256, spec, report):
    if sha256 is not None and seen != sha256.lower():
        raise DatasetError(f"{source} has SHA-256 {seen}, not the expected {sha256}; "
                           "download it again")
    if spec.sha256 is None:
        report(f"SHA-256 of {source.name}: {seen} (no published checksum; recorded in "
               f"{spec.name}/{records.SOURCE_RECORD})")
    elif seen != spec.sha256 and source.name == spec.archive:
        report(f"note: {source.name} has SHA-256 {seen}, not the published {spec.sha256}")


def _replace(target, out, staging):
    """Rename `out` to `target`; an existing `target` is moved aside first, and back on failure."""
    old = None
    if target.exists() or target.is_symlink():
        old = staging / "previous"
        target.rename(old)
    try:
        out.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
