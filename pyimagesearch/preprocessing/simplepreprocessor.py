"""Resize an image to a fixed size, ignoring its aspect ratio."""

import cv2
import numpy as np

from pyimagesearch._checks import image as check_image, non_negative_int, positive_int


class SimplePreprocessor:
    """Resizes an image to `(height, width)`, ignoring the aspect ratio.

    The book's simplest preprocessor (Starter Bundle, chapter 7): every
    image gets the same size, so that a batch of images stacks into one
    array, at the price of squashing the images of another aspect ratio.

    Args:
        width: the target width in pixels.
        height: the target height in pixels.
        inter: the OpenCV interpolation of `cv2.resize` (`cv2.INTER_AREA`
            suits shrinking).

    Example:

    >>> SimplePreprocessor(32, 16).preprocess(np.zeros((60, 80, 3), np.uint8)).shape
    (16, 32, 3)
    """

    def __init__(self, width, height, inter=cv2.INTER_AREA):
        self.width = positive_int("width", width)
        self.height = positive_int("height", height)
        self.inter = non_negative_int("inter", inter)

    def preprocess(self, image):
        """`image` resized to `(height, width[, channels])`."""
        check_image("image", image)
        resized = cv2.resize(image, (self.width, self.height), interpolation=self.inter)
        # OpenCV drops a trailing channel axis of size 1: put it back
        return resized[:, :, np.newaxis] if image.ndim == 3 and resized.ndim == 2 else resized
