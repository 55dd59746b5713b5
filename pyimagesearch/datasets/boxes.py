"""One object box per image, from a CSV file of pixel corners.

The layout (one row per image, a header row optional)::

    filename,startX,startY,endX,endY
    image_0001.jpg,49,30,349,137

`startX, startY` is the top-left corner and `endX, endY` the bottom-right
one, in pixels of the original image. `load_boxes` reads the images, resizes
them to the network's input size (the aspect ratio is not kept) and divides
every box by its image's ORIGINAL width and height, so the targets are in
[0, 1] whatever the size the network sees, and a predicted box is scaled
back to any image by its own width and height.

A row that cannot be right stops the load with its CSV line number: a wrong
number of fields, a coordinate that is not a finite number, a corner outside
the image, an inverted box (``endX < startX`` or ``endY < startY``), an image
that does not exist or cannot be read, an image named twice. A degenerate
box (zero width or zero height: ``endX == startX`` or ``endY == startY``)
is skipped with a warning that counts them, or kept with
``keep_degenerate=True``.

Example:

```python
from pyimagesearch.datasets import load_boxes

data = load_boxes("airplanes.csv", "images", size=224)
data.images.shape    # (799, 224, 224, 3), uint8 RGB
data.boxes[0]        # [0.12, 0.18, 0.87, 0.83] = x1/w, y1/h, x2/w, y2/h
data.filenames[0]    # 'image_0001.jpg'
```
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

from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.progress import progress_bar

BOX_COLUMNS = ("filename", "startX", "startY", "endX", "endY")


@dataclasses.dataclass(frozen=True)
class BoxRow:
    """One annotation row: the CSV line it came from, the image and its box.

    Attributes:
        line: the line number in the CSV file (1 = the first line).
        filename: the image's name, relative to the image folder.
        box: ``(startX, startY, endX, endY)`` in pixels (floats).
    """

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

    Attributes:
        images: ``(n, height, width, 3)`` uint8, RGB (BGR with ``rgb=False``).
        boxes: ``(n, 4)`` float32, ``x1, y1, x2, y2`` divided by the original
            image's width (x) and height (y).
        filenames: the `n` image names, as written in the CSV.
        sizes: ``(n, 2)`` int, each original image's ``(width, height)``.
        lines: the `n` CSV line numbers.
        skipped: the `BoxRow`s of the degenerate boxes left out.
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
    """A first row whose four coordinates are all words, not numbers."""
    return len(fields) == 5 and all(_number(f) is None for f in fields[1:])


def _parse_row(where, line, fields):
    """`BoxRow` of one CSV row, or `DatasetError` naming `where` and `line`."""
    if len(fields) != 5:
        raise DatasetError(
            f"{where}, line {line}: expected 5 fields ({','.join(BOX_COLUMNS)}), "
            f"got {len(fields)}: {','.join(fields)!r}"
        )
    filename = fields[0].strip()
    if not filename:
        raise DatasetError(f"{where}, line {line}: the file name is empty")
    box = []
    for name, text in zip(BOX_COLUMNS[1:], fields[1:]):
        value = _number(text.strip())
        if value is None:
            raise DatasetError(
                f"{where}, line {line}: {name} is not a finite number: {text.strip()!r}"
            )
        box.append(value)
    x1, y1, x2, y2 = box
    if x2 < x1 or y2 < y1:
        raise DatasetError(
            f"{where}, line {line}: inverted box for {filename} (startX={x1:g}, "
            f"startY={y1:g}, endX={x2:g}, endY={y2:g}); the end corner must not lie "
            "left of or above the start corner"
        )
    return BoxRow(line, filename, tuple(box))


def read_box_csv(csv_path, header=None):
    """Parse and check a box CSV file, without reading the images.

    Args:
        csv_path: the CSV file (``filename,startX,startY,endX,endY``).
        header: ``None`` (default) detects a header row (a first line whose
            four coordinates are not numbers); ``True``/``False`` force it.

    Returns:
        A list of `BoxRow`, in file order (degenerate boxes included; blank
        lines are ignored).

    Raises:
        DatasetError: no such file, no rows, or a row that is not a box
            (its line number in the message), or an image named twice.

    Example:

    >>> rows = read_box_csv("airplanes.csv")  # doctest: +SKIP
    >>> rows[0]  # doctest: +SKIP
    BoxRow(line=1, filename='image_0001.jpg', box=(49.0, 30.0, 349.0, 137.0))
    """
    path = Path(csv_path)
    if not path.is_file():
        raise DatasetError(f"box annotations {path}: no such file")
    if header not in (None, True, False):
        raise ValueError(f"`header` must be None, True or False. Received: header={header!r}")
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
                    raise DatasetError(
                        f"{path}, line {line}: {row.filename} already has a box on line "
                        f"{seen[row.filename]}; one box per image is expected"
                    )
                seen[row.filename] = line
                rows.append(row)
    except UnicodeDecodeError as error:
        raise DatasetError(f"box annotations {path}: not a text file ({error.reason})") from None
    if not rows:
        raise DatasetError(f"box annotations {path}: no rows ({','.join(BOX_COLUMNS)})")
    return rows


def check_box_in_image(row, width, height, where="annotations"):
    """Raise `DatasetError` (with the row's line) if `row.box` leaves the image.

    Corners may lie on the border (``endX == width``), not beyond it.
    """
    x1, y1, x2, y2 = row.box
    if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
        raise DatasetError(
            f"{where}, line {row.line}: the box ({x1:g}, {y1:g}, {x2:g}, {y2:g}) of "
            f"{row.filename} leaves the image ({width}x{height} pixels)"
        )


def _size_pair(size):
    if isinstance(size, (int, np.integer)):
        size = (int(size), int(size))
    size = tuple(size)
    if len(size) != 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in size):
        raise ValueError(
            f"`size` must be a positive int or (width, height). Received: size={size!r}"
        )
    return int(size[0]), int(size[1])


def resize_image(image, size, rgb=True):
    """A BGR image (OpenCV's) at `size`, aspect ratio not kept, as `load_boxes` does.

    Args:
        image: ``(h, w, 3)`` uint8 BGR.
        size: an int or ``(width, height)``.
        rgb: convert to RGB.

    Example:

    >>> resize_image(np.zeros((120, 300, 3), np.uint8), 64).shape
    (64, 64, 3)
    """
    width, height = _size_pair(size)
    image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if rgb else image


def _usable_rows(csv_path, image_dir, header, keep_degenerate):
    """`(rows to load, degenerate rows skipped)`; every missing image is an error."""
    rows = read_box_csv(csv_path, header=header)
    for row in rows:  # found before decoding any image
        if not (image_dir / row.filename).is_file():
            raise DatasetError(
                f"{csv_path}, line {row.line}: image {row.filename} not found in {image_dir}"
            )
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
        csv_path: the CSV file (see `read_box_csv`).
        image_dir: the folder the file names are relative to.
        size: the images' output size, an int or ``(width, height)``; they
            are resized without keeping the aspect ratio (`resize_image`).
        keep_degenerate: keep boxes of zero width or height (default: skip
            them, with one warning that counts them).
        header: see `read_box_csv`.
        rgb: convert OpenCV's BGR to RGB (what `keras.applications` expect).
        workers: decoding threads (default: the number of CPU cores).
        verbose: > 0 shows a progress bar.

    Returns:
        A `BoxDataset`.

    Raises:
        DatasetError: a bad row, a missing or unreadable image, or a box
            outside its image (each with its CSV line number).
    """
    width, height = _size_pair(size)
    image_dir = Path(image_dir)
    if not image_dir.is_dir():
        raise DatasetError(f"image folder {image_dir}: no such folder")
    rows, skipped = _usable_rows(csv_path, image_dir, header, keep_degenerate)

    def decode(row):
        image = cv2.imread(str(image_dir / row.filename), cv2.IMREAD_COLOR)
        if image is None:
            return None, None
        return resize_image(image, (width, height), rgb), (image.shape[1], image.shape[0])

    images = np.empty((len(rows), height, width, 3), np.uint8)
    boxes = np.empty((len(rows), 4), np.float32)
    sizes = np.empty((len(rows), 2), np.int64)
    bar = progress_bar(len(rows), "[INFO] loading images", verbose > 0)
    with ThreadPoolExecutor(int(workers or os.cpu_count() or 1)) as pool:
        for i, (row, (image, wh)) in enumerate(zip(rows, pool.map(decode, rows))):
            if image is None:
                raise DatasetError(
                    f"{csv_path}, line {row.line}: {image_dir / row.filename} is not a "
                    "readable image"
                )
            check_box_in_image(row, *wh, where=csv_path)
            images[i], sizes[i] = image, wh
            boxes[i] = np.divide(row.box, (wh[0], wh[1], wh[0], wh[1]))
            bar.update(i + 1)
    bar.finish()
    if skipped:
        first = ", ".join(f"line {r.line} ({r.filename})" for r in skipped[:3])
        warnings.warn(
            f"skipped {len(skipped)} degenerate box(es) of zero width or height: {first}"
            f"{' ...' if len(skipped) > 3 else ''}; pass keep_degenerate=True to keep them",
            stacklevel=2,
        )
    return BoxDataset(images, boxes, [r.filename for r in rows], sizes,
                      [r.line for r in rows], skipped)
