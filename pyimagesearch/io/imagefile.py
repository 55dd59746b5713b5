"""Read image files safely (one reader for every loader), write them atomically.

`check_image` reads the header first and refuses, before anything is
decoded, a file over the pixel limit (`set_max_pixels`, default 64
megapixels, or ``$PYIMAGESEARCH_MAX_PIXELS``) and a truncated one (a JPEG
without its end marker, a PNG without IEND). `read_image` returns `None` for
such a file (loaders skip and count it), `load_image` raises a one-line
`DatasetError`; `write_image` encodes by the suffix and writes atomically.

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

import io
import os
import struct
import warnings
from pathlib import Path

import cv2
import numpy as np

from pyimagesearch._checks import positive_int
from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.atomic import atomic_write

try:  # Pillow (installed with matplotlib) reads the headers of the other formats
    from PIL import Image as _PIL
except ImportError:  # pragma: no cover
    _PIL = None

__all__ = ["DEFAULT_MAX_PIXELS", "MAX_PIXELS_ENV", "check_image", "get_max_pixels",
           "image_size", "jpeg_is_truncated", "load_image", "read_image", "set_max_pixels",
           "write_image"]

DEFAULT_MAX_PIXELS = 64_000_000
MAX_PIXELS_ENV = "PYIMAGESEARCH_MAX_PIXELS"
_SOI, _SOS, _EOI = b"\xff\xd8", b"\xff\xda", b"\xff\xd9"  # start of image, of scan; end
_PNG, _IEND = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"  # the signature; IEND and its CRC
_ENV_AT_IMPORT = os.environ.get(MAX_PIXELS_ENV)
_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # JPEG start-of-frame markers


def set_max_pixels(pixels):
    """Refuse images of more than `pixels` pixels (`None`: back to the default).

    Stored in the ``PYIMAGESEARCH_MAX_PIXELS`` environment variable, so
    worker processes started afterwards use the same limit; `None` puts
    back the variable's value of when the package was imported.
    """
    if pixels is None:
        os.environ.pop(MAX_PIXELS_ENV, None)
        if _ENV_AT_IMPORT is not None:
            os.environ[MAX_PIXELS_ENV] = _ENV_AT_IMPORT
    else:
        os.environ[MAX_PIXELS_ENV] = str(positive_int("max_pixels", pixels))


def get_max_pixels():
    """The pixel limit: ``PYIMAGESEARCH_MAX_PIXELS`` if set, else `DEFAULT_MAX_PIXELS`."""
    value = os.environ.get(MAX_PIXELS_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_PIXELS
    if not value.isdigit() or int(value) < 1:
        raise DatasetError(f"{MAX_PIXELS_ENV} must be a whole number of pixels >= 1. "
                           f"Received: {MAX_PIXELS_ENV}={value!r}")
    return int(value)


def jpeg_is_truncated(data):
    """True if `data` is a JPEG whose last scan never reaches the end-of-image marker.

    Inside a scan's entropy-coded data a 0xFF byte is always followed by
    0x00 or a restart marker, so ``FF D9`` after the last ``FF DA`` can only
    be the real end of the image (an EXIF thumbnail's own end marker comes
    before the main scan). Bytes after the end marker are allowed.
    """
    data = bytes(data)
    if not data.startswith(_SOI):
        return False
    last_scan = data.rfind(_SOS)
    return last_scan < 0 or data.find(_EOI, last_scan + 2) < 0


def image_size(data):
    """`(width, height)` read from the header of an image file's bytes; `None` if unknown."""
    data = bytes(data[:1 << 20]) if len(data) > 1 << 20 else bytes(data)
    if data.startswith(_PNG) and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data.startswith(_SOI):
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF or data[i + 1] in (0xFF, 0x00):
                i += 1
            elif data[i + 1] in _SOF:
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            elif data[i + 1] == 0x01 or 0xD0 <= data[i + 1] <= 0xD8:
                i += 2
            else:
                i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
        return None
    if _PIL is None:
        return None
    with warnings.catch_warnings():  # Pillow opens lazily: the header, not the pixels
        warnings.simplefilter("ignore")
        try:
            with _PIL.open(io.BytesIO(data)) as image:
                return image.size
        except _PIL.DecompressionBombError:
            return (1 << 31, 1)  # Pillow's own limit (> 178 megapixels) was passed
        except Exception:  # noqa: BLE001 (not an image Pillow knows: let OpenCV try)
            return None


def check_image(path, max_pixels=None):
    """The bytes of `path` (a NumPy uint8 array) once it passed the checks.

    Raises:
        DatasetError: unreadable, empty, truncated, or over `max_pixels`
            (default `get_max_pixels()`) pixels; nothing is decoded.
    """
    limit = get_max_pixels() if max_pixels is None else positive_int("max_pixels", max_pixels)
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: cannot read the file ({error.__class__.__name__})") from None
    head = data[:1 << 20].tobytes()
    if data.size == 0:
        raise DatasetError(f"{path} is empty, not an image")
    if jpeg_is_truncated(data.tobytes()) or (head.startswith(_PNG) and
                                             data[-4096:].tobytes().find(_IEND) < 0):
        raise DatasetError(f"{path} is truncated (no end marker): not a whole image")
    size = image_size(head)
    if size is not None and size[0] * size[1] > limit:
        raise DatasetError(f"{path} is {size[0]}x{size[1]} pixels, over the limit of {limit} "
                           f"pixels (set {MAX_PIXELS_ENV} to raise it)")
    return data


def load_image(path, flags=cv2.IMREAD_COLOR, max_pixels=None):
    """`check_image`, then decode with OpenCV (BGR by default); raises `DatasetError`."""
    image = cv2.imdecode(check_image(path, max_pixels), flags)
    if image is None:
        raise DatasetError(f"{path} is not a readable image")
    return image


def read_image(path, flags=cv2.IMREAD_COLOR, max_pixels=None):
    """`load_image`, but `None` for a bad file (loaders skip and count those).

    Args:
        path: the image file (any name, non-ASCII included).
        flags: OpenCV's ``IMREAD_*`` flag; the default gives 3-channel BGR.
        max_pixels: the pixel limit; `None` is `get_max_pixels()`.
    """
    try:
        return load_image(path, flags, max_pixels)
    except DatasetError:
        return None


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
