"""One object box per image, from a CSV file of pixel corners.

The layout (one row per image, a header row optional)::

    filename,startX,startY,endX,endY
    image_0001.jpg,49,30,349,137

Corners are in pixels of the original image; `load_boxes` divides them by
its width and height, so the targets are in [0, 1]. A bad row stops the
load with its CSV line number; a degenerate box is skipped with a warning.
"""

import csv
import dataclasses
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from pyimagesearch._checks import flag, size as check_size
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import load_image
from pyimagesearch.utils.progress import progress_bar

BOX_COLUMNS = ("filename", "startX", "startY", "endX", "endY")


@dataclasses.dataclass(frozen=True)
class BoxRow:
    """One annotation row: its CSV line (from 1), the image's name and its box in pixels."""

    line: int
    filename: str
    box: tuple

    @property
    def degenerate(self):
        """Zero width or zero height."""
        x1, y1, x2, y2 = self.box
        return x2 == x1 or y2 == y1


@dataclasses.dataclass
class BoxDataset:
    """What `load_boxes` returns.

    `boxes` are float32 ``x1, y1, x2, y2`` divided by the original image's
    width and height, `sizes` each original ``(width, height)``, `skipped`
    the degenerate `BoxRow`s left out.
    """

    images: np.ndarray
    boxes: np.ndarray
    filenames: list
    sizes: np.ndarray
    lines: list
    skipped: list


def _number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_header(fields):
    return len(fields) == 5 and all(_number(f) is None for f in fields[1:])


def _parse_row(where, line, fields):
    if len(fields) != 5:
        raise DatasetError(f"{where}, line {line}: expected 5 fields ({','.join(BOX_COLUMNS)}), "
                           f"got {len(fields)}: {','.join(fields)!r}")
    filename = fields[0].strip()
    if not filename:
        raise DatasetError(f"{where}, line {line}: the file name is empty")
    box = []
    for name, text in zip(BOX_COLUMNS[1:], fields[1:]):
        value = _number(text.strip())
        if value is None:
            raise DatasetError(f"{where}, line {line}: {name} is not a finite number: "
                               f"{text.strip()!r}")
        box.append(value)
    x1, y1, x2, y2 = box
    if x2 < x1 or y2 < y1:
        raise DatasetError(f"{where}, line {line}: inverted box for {filename} (startX={x1:g}, "
                           f"startY={y1:g}, endX={x2:g}, endY={y2:g}); the end corner must not "
                           "lie left of or above the start corner")
    return BoxRow(line, filename, tuple(box))


def read_box_csv(csv_path, header=None):
    """Parse and check a box CSV file, without reading the images.

    `header=None` detects a header row; ``True``/``False`` force it.
    Returns the `BoxRow`s in file order, degenerate boxes included.

    Raises:
        DatasetError: no such file, no rows, a bad row, or an image named twice.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "boxes.csv"
    >>> _ = path.write_text("filename,startX,startY,endX,endY\\nimage_0001.jpg,49,30,349,137\\n")
    >>> read_box_csv(path)
    [BoxRow(line=2, filename='image_0001.jpg', box=(49.0, 30.0, 349.0, 137.0))]
    """
    path = Path(csv_path)
    if not path.is_file():
        raise DatasetError(f"box annotations {path}: no such file")
    if header is not None:
        header = flag("header", header)
    rows, seen = [], {}
    try:
        with path.open(newline="") as f:
            for line, fields in enumerate(csv.reader(f), 1):
                if not fields or all(not field.strip() for field in fields):
                    continue
                if line == 1 and (header or (header is None and _is_header(fields))):
                    continue
                row = _parse_row(path, line, fields)
                if row.filename in seen:
                    raise DatasetError(f"{path}, line {line}: {row.filename} already has a box "
                                       f"on line {seen[row.filename]}; one box per image")
                seen[row.filename] = line
                rows.append(row)
    except UnicodeDecodeError as error:
        raise DatasetError(f"box annotations {path}: not a text file ({error.reason})") from None
    if not rows:
        raise DatasetError(f"box annotations {path}: no rows ({','.join(BOX_COLUMNS)})")
    return rows


def check_box_in_image(row, width, height, where="annotations"):
    """Raise `DatasetError` if `row.box` leaves the image (the border is inside)."""
    x1, y1, x2, y2 = row.box
    if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
        raise DatasetError(f"{where}, line {row.line}: the box ({x1:g}, {y1:g}, {x2:g}, {y2:g}) "
                           f"of {row.filename} leaves the image ({width}x{height} pixels)")


def resize_image(image, size, rgb=True):
    """A BGR image (OpenCV's) at `size`, aspect ratio not kept, as `load_boxes` does.

    >>> resize_image(np.zeros((120, 300, 3), np.uint8), 64).shape
    (64, 64, 3)
    """
    width, height = check_size("size", size)
    image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if rgb else image


def _usable_rows(csv_path, image_dir, header, keep_degenerate):
    rows = read_box_csv(csv_path, header=header)
    for row in rows:  # found before decoding any image
        if not (image_dir / row.filename).is_file():
            raise DatasetError(f"{csv_path}, line {row.line}: image {row.filename} not found "
                               f"in {image_dir}")
    if keep_degenerate:
        return rows, []
    usable = [row for row in rows if not row.degenerate]
    if not usable:
        raise DatasetError(f"{csv_path}: every box is degenerate (zero width or height)")
    return usable, [row for row in rows if row.degenerate]


def load_boxes(csv_path, image_dir, size=224, keep_degenerate=False, header=None, rgb=True,
               workers=None, verbose=0):
    """Load the images and the normalised boxes of a box CSV file.

    Args:
        image_dir: the folder the file names are relative to.
        size: an int or ``(width, height)`` (the aspect ratio is not kept).
        keep_degenerate: keep boxes of zero width or height.
        rgb: convert OpenCV's BGR to RGB.

    Returns:
        A `BoxDataset`.

    Raises:
        DatasetError: a bad row, a missing or unreadable image, or a box
            outside its image.
    """
    width, height = check_size("size", size)
    image_dir = Path(image_dir)
    if not image_dir.is_dir():
        raise DatasetError(f"image folder {image_dir}: no such folder")
    rows, skipped = _usable_rows(csv_path, image_dir, header, keep_degenerate)

    def decode(row):
        try:
            image = load_image(image_dir / row.filename)
        except DatasetError as error:
            return error, None
        return resize_image(image, (width, height), rgb), (image.shape[1], image.shape[0])

    images = np.empty((len(rows), height, width, 3), np.uint8)
    boxes = np.empty((len(rows), 4), np.float32)
    sizes = np.empty((len(rows), 2), np.int64)
    bar = progress_bar(len(rows), "loading images", verbose > 0)
    with ThreadPoolExecutor(int(workers or os.cpu_count() or 1)) as pool:
        for i, (row, (image, wh)) in enumerate(zip(rows, pool.map(decode, rows))):
            if isinstance(image, DatasetError):
                raise DatasetError(f"{csv_path}, line {row.line}: {image}")
            check_box_in_image(row, *wh, where=csv_path)
            images[i], sizes[i] = image, wh
            boxes[i] = np.divide(row.box, (wh[0], wh[1], wh[0], wh[1]))
            bar.update(i + 1)
    bar.finish()
    if skipped:
        first = ", ".join(f"line {r.line} ({r.filename})" for r in skipped[:3])
        warnings.warn(f"skipped {len(skipped)} degenerate box(es) of zero width or height: "
                      f"{first}{' ...' if len(skipped) > 3 else ''}; pass keep_degenerate=True "
                      "to keep them", stacklevel=2)
    return BoxDataset(images, boxes, [r.filename for r in rows], sizes,
                      [r.line for r in rows], skipped)
