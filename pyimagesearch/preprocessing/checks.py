"""Argument checks shared by the preprocessors (errors say what was received)."""

import numpy as np

from pyimagesearch._checks import is_int as _is_int


def check_size(width, height):
    """Both positive integers; returns `(int(width), int(height))`."""
    for name, value in (("width", width), ("height", height)):
        if not _is_int(value) or value < 1:
            raise ValueError(
                f"`{name}` must be a positive integer. "
                f"Received: width={width!r}, height={height!r}"
            )
    return int(width), int(height)


def check_inter(inter):
    """An OpenCV interpolation flag (an int); returns it as `int`."""
    if not _is_int(inter):
        raise ValueError(
            "`inter` must be an OpenCV interpolation flag (an int). "
            f"Received: inter={inter!r}"
        )
    return int(inter)


def check_image(image, allow_empty=False):
    """A 2-D or 3-D NumPy array with pixels; returns its `(height, width)`."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        described = (
            f"array of shape {image.shape}"
            if isinstance(image, np.ndarray)
            else type(image).__name__
        )
        raise ValueError(
            "`image` must be a 2-D (grayscale) or 3-D (H, W, C) NumPy "
            f"array. Received: {described}"
        )
    h, w = image.shape[:2]
    if not allow_empty and (h == 0 or w == 0):
        raise ValueError(f"`image` is empty. Received: shape {image.shape}")
    return h, w
