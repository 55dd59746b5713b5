"""Subtract the data set's per-channel mean from an image."""

import json
import math

import numpy as np

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute


class MeanPreprocessor:
    """Subtracts the per-channel RGB means of a training set from an image.

    Mean subtraction (Practitioner Bundle, chapter 10) centres the pixel
    intensities of every channel around zero, which helps the network
    train. The means are computed once over the training set and applied
    to every image, at training and at test time.

    Images are expected in BGR order, as `cv2.imread` loads them; the means
    are given in R, G, B order, as the book stores them.

    Args:
        r_mean: Mean of the red channel.
        g_mean: Mean of the green channel.
        b_mean: Mean of the blue channel.

    The book's keyword names ``rMean``, ``gMean``, ``bMean`` (and attributes)
    are accepted too.

    Example:

    ```python
    mp = MeanPreprocessor(123.68, 116.78, 103.94)
    centred = mp.preprocess(cv2.imread("cat.jpg"))  # float32, BGR order
    mp = MeanPreprocessor.from_json("output/dogs_vs_cats_mean.json")
    ```
    """

    @book_aliases(rMean="r_mean", gMean="g_mean", bMean="b_mean")
    def __init__(self, r_mean, g_mean, b_mean):
        for name, value in (("r_mean", r_mean), ("g_mean", g_mean), ("b_mean", b_mean)):
            if (
                not isinstance(value, (int, float, np.number))
                or isinstance(value, bool)
                or not math.isfinite(value)
            ):
                raise ValueError(
                    f"`{name}` must be a finite number. Received: "
                    f"r_mean={r_mean!r}, g_mean={g_mean!r}, b_mean={b_mean!r}"
                )
        self.r_mean = float(r_mean)
        self.g_mean = float(g_mean)
        self.b_mean = float(b_mean)

    # the book's attribute names
    rMean = book_attribute("r_mean")
    gMean = book_attribute("g_mean")
    bMean = book_attribute("b_mean")

    @classmethod
    def from_json(cls, path):
        """Builds the preprocessor from a JSON file `{"R": .., "G": .., "B": ..}`.

        Example:

        ```python
        mp = MeanPreprocessor.from_json("output/dogs_vs_cats_mean.json")
        ```
        """
        with open(path) as handle:
            means = json.load(handle)
        if not isinstance(means, dict) or not {"R", "G", "B"} <= set(means):
            raise ValueError(
                f'The means file must hold a JSON object with keys "R", "G" '
                f"and \"B\". Received from {path}: {means!r}"
            )
        return cls(means["R"], means["G"], means["B"])

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns `image` (BGR) minus the channel means, as float32."""
        if (
            not isinstance(image, np.ndarray)
            or image.ndim != 3
            or image.shape[2] != 3
        ):
            described = (
                f"array of shape {image.shape}"
                if isinstance(image, np.ndarray)
                else type(image).__name__
            )
            raise ValueError(
                "`image` must be a 3-D (H, W, 3) BGR NumPy array. "
                f"Received: {described}"
            )
        # Subtract each channel's mean; the channels are in B, G, R order.
        means = np.array([self.b_mean, self.g_mean, self.r_mean], dtype=np.float32)
        return image.astype(np.float32) - means
