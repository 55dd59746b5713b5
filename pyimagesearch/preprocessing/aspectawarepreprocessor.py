"""Resize an image to a fixed size while keeping its aspect ratio."""

import cv2
import numpy as np

from pyimagesearch.preprocessing.checks import check_image
from pyimagesearch.preprocessing.checks import check_inter
from pyimagesearch.preprocessing.checks import check_size


class AspectAwarePreprocessor:
    """Resizes along the shorter side, then centre-crops to `(height, width)`.

    From the book's Practitioner Bundle (chapter 2): instead of squashing an
    image into the target size, scale it so that it *covers* the target
    (the shorter side, relative to the target, lands exactly on the target
    size and the other side is at least as large), then cut the centre out.
    For a square target this is the book's rule "resize the shorter side to
    the target size".

    The crop offsets are computed from the size *after* the resize (a 2020
    defect computed them from the original size, which cropped the wrong
    region or an empty one). The resized size is rounded and clamped so it
    is never smaller than the target, hence the crop is always exactly
    `(height, width)`: the book's final `cv2.resize`, which fixed the
    off-by-one of its `h - dH` slicing, is not needed.

    Args:
        width: Target width in pixels, a positive integer.
        height: Target height in pixels, a positive integer.
        inter: OpenCV interpolation flag used by `cv2.resize`
            (default `cv2.INTER_AREA`).

    Example:

    ```python
    aap = AspectAwarePreprocessor(64, 64)
    image = aap.preprocess(np.zeros((480, 640, 3), dtype="uint8"))
    image.shape  # (64, 64, 3): the 480x480 centre, scaled down
    ```
    """

    def __init__(self, width, height, inter=cv2.INTER_AREA):
        width, height = check_size(width, height)
        inter = check_inter(inter)
        self.width = int(width)
        self.height = int(height)
        self.inter = int(inter)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns the aspect-preserving centre crop of `image`."""
        (h, w) = check_image(image)

        # Scale so that the image covers the target: the side that is
        # shorter relative to the target lands exactly on it.
        scale = max(self.width / w, self.height / h)
        new_w = max(self.width, int(round(w * scale)))
        new_h = max(self.height, int(round(h * scale)))
        resized = cv2.resize(image, (new_w, new_h), interpolation=self.inter)

        # Centre crop, with the offsets taken from the *resized* image.
        d_h = (new_h - self.height) // 2
        d_w = (new_w - self.width) // 2
        cropped = resized[d_h : d_h + self.height, d_w : d_w + self.width]
        # OpenCV drops a trailing channel axis of size 1: put it back.
        if image.ndim == 3 and cropped.ndim == 2:
            cropped = cropped[:, :, np.newaxis]
        return cropped
