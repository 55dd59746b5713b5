"""Resize an image to a fixed size, ignoring its aspect ratio."""

import cv2
import numpy as np

from pyimagesearch.preprocessing.checks import check_image
from pyimagesearch.preprocessing.checks import check_inter
from pyimagesearch.preprocessing.checks import check_size


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
        width, height = check_size(width, height)
        inter = check_inter(inter)
        self.width = int(width)
        self.height = int(height)
        self.inter = int(inter)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns `image` resized to `(height, width[, channels])`."""
        check_image(image)
        resized = cv2.resize(
            image, (self.width, self.height), interpolation=self.inter
        )
        # OpenCV drops a trailing channel axis of size 1: put it back.
        if image.ndim == 3 and resized.ndim == 2:
            resized = resized[:, :, np.newaxis]
        return resized

