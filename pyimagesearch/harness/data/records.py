"""What prepare recorded, and the check of a folder against it.

- `write_manifest(folder, name)`: ``MANIFEST.csv`` (file, class, sha256,
  bytes) of every file a prepare wrote;
- `subset(name, which)`: the rows of a committed subset manifest
  (``manifests/<name>_<which>.csv.gz``), e.g. the README's CIFAR-10 subset;
- `verify(folder, name)`: one line per missing, extra or changed file.

Example:

>>> rows = subset("cifar10", "readme")
>>> len(rows), sorted(rows[0])
(12000, ['class', 'file', 'pixels_sha256', 'split'])
"""

import csv
import gzip
import hashlib
import io
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.harness.data.archives import sha256_file

#: the committed subset manifests (tests may point it elsewhere)
MANIFEST_DIR = Path(__file__).resolve().parent / "manifests"
MANIFEST = "MANIFEST.csv"
SOURCE_RECORD = "SOURCE.json"
BOOKKEEPING = (MANIFEST, SOURCE_RECORD)
#: the most lines `verify` prints of each kind of problem
SHOWN = 20


def label_of(relative, name):
    """The class a prepared file belongs to (Kaggle: the name before the first dot)."""
    parts = Path(relative).parts
    if name == "dogs_vs_cats":
        return parts[-1].split(".", 1)[0]
    return parts[-2] if len(parts) > 1 else ""


def data_files(folder):
    """The files of a prepared folder (relative POSIX paths), bookkeeping and hidden aside."""
    folder = Path(folder)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".")
                                             for part in p.relative_to(folder).parts)
                  and p.relative_to(folder).as_posix() not in BOOKKEEPING)


def write_manifest(folder, name):
    """Write ``folder/MANIFEST.csv`` for every data file; returns how many."""
    files = data_files(folder)
    with open(Path(folder) / MANIFEST, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("file", "class", "sha256", "bytes"))
        for relative in files:
            path = Path(folder) / relative
            writer.writerow((relative, label_of(relative, name), sha256_file(path),
                             path.stat().st_size))
    return len(files)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def subset(name, which):
    """The rows of the committed manifest `which` of data set `name`."""
    path = MANIFEST_DIR / f"{name}_{which}.csv.gz"
    if not path.is_file():
        raise DatasetError(f"{name} has no '{which}' subset (no manifest {path.name})")
    with gzip.open(path, "rt", newline="") as f:
        return list(csv.DictReader(io.StringIO(f.read())))


def pixels_sha256(rgb):
    """The SHA-256 of an image's decoded pixels (uint8 RGB, row by row)."""
    return hashlib.sha256(rgb.tobytes()).hexdigest()


def verify(folder, name):
    """`(checked, problems)`: one line per missing, extra or changed file of `folder`.

    Against ``MANIFEST.csv`` when prepare wrote one; else against the
    committed subset manifest (CIFAR-10: decoded pixels; Dogs vs. Cats: names).

    Raises:
        DatasetError: no folder, or nothing to check it against.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{name} is not prepared: {folder} does not exist")
    on_disk = set(data_files(folder))
    if (folder / MANIFEST).is_file():
        expected = {row["file"]: row["sha256"] for row in read_csv(folder / MANIFEST)}
        digest = sha256_file
    elif name in ("cifar10", "dogs_vs_cats") and (MANIFEST_DIR / f"{name}_readme.csv.gz").exists():
        expected, digest = _subset_expectation(name)
    else:
        raise DatasetError(f"{folder} has no {MANIFEST}: it was not made by prepare, so there "
                           f"is nothing to check it against; prepare {name} again")
    missing = sorted(set(expected) - on_disk)
    extra = sorted(on_disk - set(expected))
    changed = sorted(f for f in set(expected) & on_disk
                     if expected[f] is not None and digest(folder / f) != expected[f])
    problems = []
    for kind, files in (("missing", missing), ("extra", extra), ("changed", changed)):
        problems += [f"{kind}: {name}/{f}" for f in files[:SHOWN]]
        if len(files) > SHOWN:
            problems.append(f"{kind}: ... and {len(files) - SHOWN} more")
    return len(expected), problems


def _subset_expectation(name):
    rows = subset(name, "readme")
    if name == "dogs_vs_cats":  # downscaled JPEGs: their bytes depend on the encoder
        return {f"train/{row['file']}": None for row in rows}, None
    return ({f"{row['split']}/{row['class']}/{row['file']}": row["pixels_sha256"]
             for row in rows}, _png_pixels_sha256)


def _png_pixels_sha256(path):
    import cv2

    from pyimagesearch.io.imagefile import read_image

    image = read_image(path)  # None for a truncated or unreadable file
    return None if image is None else pixels_sha256(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
