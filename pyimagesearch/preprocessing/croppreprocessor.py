"""Ten-crop (over-sampling) of an image for evaluation."""

import cv2
import numpy as np

from pyimagesearch._checks import flag, image as check_image, non_negative_int, positive_int


class CropPreprocessor:
    """The 4 corner crops, the centre crop and their horizontal mirrors.

    Over-sampling (Practitioner Bundle, chapter 10): at test time, average
    the network's predictions over several crops of each image instead of
    one resized image.

    The crops come in this order: 0 top-left, 1 top-right, 2 bottom-right,
    3 bottom-left, 4 centre, then (with `horiz`) 5-9 the mirrors
    (`crop[:, ::-1]`) of crops 0-4. Along a dimension where the image is
    smaller than the crop, each crop spans the whole dimension and is then
    resized (with `inter`).

    Args:
        width: the crop width in pixels.
        height: the crop height in pixels.
        horiz: also return the horizontal mirrors (10 crops instead of 5).
        inter: the OpenCV interpolation used when a crop must be resized.

    Example:

    >>> CropPreprocessor(227, 227).preprocess(np.zeros((256, 256, 3), np.uint8)).shape
    (10, 227, 227, 3)
    """

    def __init__(self, width, height, horiz=True, inter=cv2.INTER_AREA):
        self.width = positive_int("width", width)
        self.height = positive_int("height", height)
        self.horiz = flag("horiz", horiz)
        self.inter = non_negative_int("inter", inter)

    def preprocess(self, image):
        """The crops as an array `(10 or 5, height, width[, C])`."""
        (h, w) = check_image("image", image).shape[:2]
        ch, cw = min(self.height, h), min(self.width, w)

        # (startY, startX) of the four corner crops and the centre crop
        starts = [(0, 0), (0, w - cw), (h - ch, w - cw), (h - ch, 0),
                  ((h - ch) // 2, (w - cw) // 2)]
        crops = []
        for (y, x) in starts:
            crop = image[y:y + ch, x:x + cw]
            if (ch, cw) != (self.height, self.width):
                crop = cv2.resize(crop, (self.width, self.height), interpolation=self.inter)
                # OpenCV drops a trailing channel axis of size 1
                crop = crop[:, :, np.newaxis] if image.ndim == 3 and crop.ndim == 2 else crop
            crops.append(crop)

        # the horizontal mirrors of the same five crops
        if self.horiz:
            crops.extend([crop[:, ::-1] for crop in crops])
        return np.array(crops)
