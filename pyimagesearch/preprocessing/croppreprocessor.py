"""Ten-crop (over-sampling) of an image for evaluation."""

import cv2
import numpy as np


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
        if not isinstance(horiz, (bool, np.bool_)):
            raise ValueError(f"`horiz` must be a bool. Received: horiz={horiz!r}")
        if not isinstance(inter, (int, np.integer)) or isinstance(inter, bool):
            raise ValueError(
                f"`inter` must be an OpenCV interpolation flag (an int). "
                f"Received: inter={inter!r}"
            )
        self.width = int(width)
        self.height = int(height)
        self.horiz = bool(horiz)
        self.inter = int(inter)

    def preprocess(self, image):
        """Returns the crops as an array `(10 or 5, height, width[, C])`.

        The channel axis is present exactly when `image` has one.
        """
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
        (h, w) = image.shape[:2]
        if h == 0 or w == 0:
            raise ValueError(f"`image` is empty. Received: shape {image.shape}")
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
