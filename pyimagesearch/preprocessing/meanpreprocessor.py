"""Subtract the data set's per-channel mean from an image, and read the means."""

import json
import math
import os
from pathlib import Path

import numpy as np

from pyimagesearch._checks import image as check_image, is_number, number_in
from pyimagesearch._compat import book_aliases, book_attribute
from pyimagesearch.errors import DatasetError, one_line


def load_means(means):
    """The `(R, G, B)` means of a dict, of a JSON file of one, or of three numbers.

    Raises:
        DatasetError: the file is missing, not JSON, or not R, G, B numbers.
        ValueError: `means` is neither a path, a dict nor three finite numbers.

    Example:

    >>> load_means({"R": 124.9, "G": 116.0, "B": 106.2})
    (124.9, 116.0, 106.2)
    """
    if isinstance(means, (str, os.PathLike)):
        path = Path(means)
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as error:  # missing, not UTF-8, not JSON
            raise DatasetError(f"{path}: not a readable JSON file of means "
                               f"({one_line(error, limit=120)})") from None
        values = _rgb(raw) if isinstance(raw, dict) else None
        if values is None:
            raise DatasetError(f'{path}: expected {{"R": .., "G": .., "B": ..}} of finite '
                               f"numbers. Received: {json.dumps(raw)[:120]}")
        return values
    values = _rgb(means)
    if values is None:
        raise ValueError('`means` must be {"R": .., "G": .., "B": ..}, the path of a JSON '
                         f"file of it, or 3 finite numbers (R, G, B). Received: means={means!r}")
    return values


def _rgb(means):
    if isinstance(means, dict):
        means = [means.get(channel) for channel in "RGB"]
    try:
        values = list(means)
    except TypeError:
        return None
    if len(values) != 3 or not all(is_number(v) and math.isfinite(v) for v in values):
        return None
    return tuple(float(v) for v in values)


class MeanPreprocessor:
    """Subtracts the per-channel RGB means of a training set from an image.

    Images are BGR (as `cv2.imread` loads them); the means are given in
    R, G, B order.

    Example:

    >>> mp = MeanPreprocessor(123.68, 116.78, 103.94)
    >>> mp.preprocess(np.full((2, 2, 3), 120, np.uint8))[0, 0].round(2)
    array([16.06,  3.22, -3.68], dtype=float32)
    """

    @book_aliases(rMean="r_mean", gMean="g_mean", bMean="b_mean")
    def __init__(self, r_mean, g_mean, b_mean):
        self.r_mean = number_in("r_mean", r_mean)
        self.g_mean = number_in("g_mean", g_mean)
        self.b_mean = number_in("b_mean", b_mean)

    rMean = book_attribute("r_mean")
    gMean = book_attribute("g_mean")
    bMean = book_attribute("b_mean")

    @classmethod
    def from_json(cls, path):
        """The preprocessor of a JSON file ``{"R": .., "G": .., "B": ..}`` (see `load_means`)."""
        return cls(*load_means(Path(path)))

    def preprocess(self, image):
        """`image` (BGR) minus the channel means, as float32."""
        check_image("image", image, ndim=(3,), channels=3)
        means = np.array([self.b_mean, self.g_mean, self.r_mean], dtype=np.float32)
        return image.astype(np.float32) - means
