"""Resize an image to a fixed size, ignoring its aspect ratio."""

import cv2
import numpy as np


class SimplePreprocessor:
    """Resizes an image to `(height, width)`, ignoring the aspect ratio.

    The simplest preprocessor of the book (Starter Bundle, chapter 7): every
    image becomes the same fixed size so that a batch of images can be
    stacked into one array, at the price of squashing or stretching images
    whose aspect ratio differs from the target's.

    Args:
        width: Target width in pixels, a positive integer.
        height: Target height in pixels, a positive integer.
        inter: OpenCV interpolation flag used by `cv2.resize`
            (default `cv2.INTER_AREA`, good for shrinking).

    Example:

    ```python
    sp = SimplePreprocessor(32, 32)
    image = sp.preprocess(cv2.imread("cat.jpg"))  # shape (32, 32, 3)
    ```
    """

    def __init__(self, width, height, inter=cv2.INTER_AREA):
        for name, value in (("width", width), ("height", height)):
            if (
                not isinstance(value, (int, np.integer))
                or isinstance(value, bool)
                or value < 1
            ):
                raise ValueError(
                    f"`{name}` must be a positive integer. "
                    f"Received: width={width!r}, height={height!r}"
                )
        if not isinstance(inter, (int, np.integer)) or isinstance(inter, bool):
            raise ValueError(
                f"`inter` must be an OpenCV interpolation flag (an int). "
                f"Received: inter={inter!r}"
            )
        self.width = int(width)
        self.height = int(height)
        self.inter = int(inter)

    def preprocess(self, image):
        """Returns `image` resized to `(height, width[, channels])`."""
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
        if image.shape[0] == 0 or image.shape[1] == 0:
            raise ValueError(f"`image` is empty. Received: shape {image.shape}")
        resized = cv2.resize(
            image, (self.width, self.height), interpolation=self.inter
        )
        # OpenCV drops a trailing channel axis of size 1: put it back.
        if image.ndim == 3 and resized.ndim == 2:
            resized = resized[:, :, np.newaxis]
        return resized

