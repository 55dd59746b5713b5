"""Ten-crop (over-sampling) of an image for evaluation."""

import cv2
import numpy as np

from pyimagesearch.preprocessing.checks import check_image
from pyimagesearch.preprocessing.checks import check_inter
from pyimagesearch.preprocessing.checks import check_size


class CropPreprocessor:
    """Returns the 4 corner crops, the centre crop and their mirrors.

    Over-sampling (Practitioner Bundle, chapter 10): at test time, average
    the network's predictions over several crops of each image instead of
    one resized image; this typically adds 1-2% accuracy.

    The crops come in this exact order (mirrors when `horiz=True` only):

    0. top-left, 1. top-right, 2. bottom-right, 3. bottom-left, 4. centre,
    5-9. the horizontal mirrors (`crop[:, ::-1]`) of crops 0-4, same order.

    The centre crop starts at `((H - height) // 2, (W - width) // 2)`. When
    the image is at least `(height, width)`, every crop is an exact slice of
    it. Along a dimension where the image is smaller than the crop, each
    crop spans the whole dimension and is then resized (with `inter`) to
    `(height, width)`.

    Args:
        width: Crop width in pixels, a positive integer.
        height: Crop height in pixels, a positive integer.
        horiz: Also return the horizontal mirrors (10 crops instead of 5).
        inter: OpenCV interpolation flag used when a crop must be resized.

    Example:

    ```python
    cp = CropPreprocessor(227, 227)
    crops = cp.preprocess(np.zeros((256, 256, 3), dtype="uint8"))
    crops.shape  # (10, 227, 227, 3)
    ```
    """

    def __init__(self, width, height, horiz=True, inter=cv2.INTER_AREA):
        width, height = check_size(width, height)
        if not isinstance(horiz, (bool, np.bool_)):
            raise ValueError(f"`horiz` must be a bool. Received: horiz={horiz!r}")
        inter = check_inter(inter)
        self.width = int(width)
        self.height = int(height)
        self.horiz = bool(horiz)
        self.inter = int(inter)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns the crops as an array `(10 or 5, height, width[, C])`.

        The channel axis is present exactly when `image` has one.
        """
        (h, w) = check_image(image)
        # Crop size actually available along each dimension.
        ch = min(self.height, h)
        cw = min(self.width, w)

        # (startY, startX) of the top-left, top-right, bottom-right,
        # bottom-left and centre crops.
        starts = [
            (0, 0),
            (0, w - cw),
            (h - ch, w - cw),
            (h - ch, 0),
            ((h - ch) // 2, (w - cw) // 2),
        ]
        crops = []
        for (y, x) in starts:
            crop = image[y : y + ch, x : x + cw]
            if (ch, cw) != (self.height, self.width):
                crop = cv2.resize(
                    crop, (self.width, self.height), interpolation=self.inter
                )
                # OpenCV drops a trailing channel axis of size 1.
                if image.ndim == 3 and crop.ndim == 2:
                    crop = crop[:, :, np.newaxis]
            crops.append(crop)

        # The horizontal mirrors of the same five crops.
        if self.horiz:
            crops.extend([crop[:, ::-1] for crop in crops])
        return np.array(crops)
