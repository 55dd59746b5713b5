"""Resize an image to a fixed size while keeping its aspect ratio."""

import cv2
import numpy as np

from pyimagesearch._checks import image as check_image, non_negative_int, positive_int


class AspectAwarePreprocessor:
    """Resizes along the shorter side, then centre-crops to `(height, width)`.

    From the book's Practitioner Bundle (chapter 2): instead of squashing an
    image into the target size, scale it so that it *covers* the target
    (the side shorter relative to the target lands on it), then cut out the
    centre. For a square target this is the book's "resize the shorter side
    to the target size". The crop is always exactly `(height, width)`.

    Args:
        width: the target width in pixels.
        height: the target height in pixels.
        inter: the OpenCV interpolation of `cv2.resize`.

    Example:

    >>> AspectAwarePreprocessor(64, 64).preprocess(np.zeros((480, 640, 3), np.uint8)).shape
    (64, 64, 3)
    """

    def __init__(self, width, height, inter=cv2.INTER_AREA):
        self.width = positive_int("width", width)
        self.height = positive_int("height", height)
        self.inter = non_negative_int("inter", inter)

    def preprocess(self, image):
        """The aspect-preserving centre crop of `image`."""
        (h, w) = check_image("image", image).shape[:2]

        # scale so that the image covers the target; rounding never leaves
        # it smaller than the target
        scale = max(self.width / w, self.height / h)
        new_w = max(self.width, int(round(w * scale)))
        new_h = max(self.height, int(round(h * scale)))
        resized = cv2.resize(image, (new_w, new_h), interpolation=self.inter)

        # crop the centre, with the offsets taken from the *resized* image
        d_h = (new_h - self.height) // 2
        d_w = (new_w - self.width) // 2
        cropped = resized[d_h:d_h + self.height, d_w:d_w + self.width]
        # OpenCV drops a trailing channel axis of size 1: put it back
        return cropped[:, :, np.newaxis] if image.ndim == 3 and cropped.ndim == 2 else cropped
