"""Read image files safely, write them atomically.

OpenCV decodes a truncated JPEG without an error: it prints "Premature end of
JPEG file" and returns the image with its missing rows grey, which a data set
would then use as a real sample. `read_image` refuses such files (a JPEG
whose last scan has no end-of-image marker) as it refuses unreadable ones,
so every loader skips and counts them the same way.

- `read_image(path)`: a BGR uint8 image, or `None` when the file is not a
  whole, readable image.
- `jpeg_is_truncated(data)`: the end-marker check on the file's bytes.
- `write_image(path, image)`: encode by the suffix, then write atomically.

Example:

>>> import tempfile, pathlib, numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_image(folder / "a.jpg", np.zeros((8, 8, 3), np.uint8))
>>> read_image(folder / "a.jpg").shape
(8, 8, 3)
>>> data = (folder / "a.jpg").read_bytes()
>>> _ = (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
>>> read_image(folder / "cut.jpg") is None
True
"""

from pathlib import Path

import cv2
import numpy as np

from pyimagesearch.utils.atomic import atomic_write

__all__ = ["jpeg_is_truncated", "read_image", "write_image"]

_SOI = b"\xff\xd8"  # start of image
_SOS = b"\xff\xda"  # start of scan
_EOI = b"\xff\xd9"  # end of image


def jpeg_is_truncated(data):
    """True if `data` is a JPEG whose last scan never reaches the end-of-image marker.

    Inside a scan's entropy-coded data a 0xFF byte is always followed by
    0x00 or a restart marker, so ``FF D9`` after the last ``FF DA`` can only
    be the real end of the image (an EXIF thumbnail's own end marker comes
    before the main scan). Bytes after the end marker (some cameras append
    data) are allowed. Not a JPEG: False.
    """
    data = bytes(data)
    if not data.startswith(_SOI):
        return False
    last_scan = data.rfind(_SOS)
    return last_scan < 0 or data.find(_EOI, last_scan + 2) < 0


def read_image(path, flags=cv2.IMREAD_COLOR):
    """Decode `path` with OpenCV; `None` if it is unreadable, empty or a truncated JPEG.

    Args:
        path: the image file (any name, non-ASCII included: the bytes are
            read by NumPy, then decoded).
        flags: OpenCV's ``IMREAD_*`` flag; the default gives 3-channel BGR
            for grayscale, RGBA and colour files alike.

    Returns:
        The decoded image (uint8), or `None`.
    """
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except (OSError, ValueError):
        return None
    if data.size == 0 or jpeg_is_truncated(data.tobytes()):
        return None
    return cv2.imdecode(data, flags)


def write_image(path, image, params=None):
    """Encode `image` (BGR) in the format of `path`'s suffix and write it atomically.

    Raises:
        ValueError: OpenCV cannot encode that format (e.g. an unknown suffix).
    """
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix or ".png", image, params or [])
    if not ok:
        raise ValueError(f"OpenCV could not encode an image as {path.suffix!r} for {path}")
    with atomic_write(path, "wb") as f:
        f.write(encoded.tobytes())
    return path
