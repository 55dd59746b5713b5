"""Take a random fixed-size patch out of an image."""

import numpy as np

from pyimagesearch.preprocessing.checks import check_image
from pyimagesearch.preprocessing.checks import check_size


class PatchPreprocessor:
    """Extracts a random `(height, width)` crop from an image.

    Random cropping (Practitioner Bundle, chapter 10) is a cheap form of
    data augmentation: train on, say, random 227x227 patches of 256x256
    images, so that the network sees a slightly different view of every
    image on every epoch. The book used scikit-learn's
    `extract_patches_2d(image, (h, w), max_patches=1)`; this draws the patch
    corner directly, uniformly over all valid positions.

    Args:
        width: Patch width in pixels, a positive integer.
        height: Patch height in pixels, a positive integer.
        seed: Seed of the `np.random.default_rng` that draws the positions;
            the same seed gives the same sequence of patches.

    Example:

    ```python
    pp = PatchPreprocessor(227, 227, seed=42)
    patch = pp.preprocess(np.zeros((256, 256, 3), dtype="uint8"))
    patch.shape  # (227, 227, 3)
    ```
    """

    def __init__(self, width, height, seed=None):
        width, height = check_size(width, height)
        if seed is not None and (
            not isinstance(seed, (int, np.integer))
            or isinstance(seed, bool)
            or seed < 0
        ):
            raise ValueError(
                "`seed` must be None or a non-negative integer. "
                f"Received: seed={seed!r}"
            )
        self.width = int(width)
        self.height = int(height)
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns a random `(height, width[, channels])` patch of `image`."""
        (h, w) = check_image(image, allow_empty=True)
        if h < self.height or w < self.width:
            raise ValueError(
                f"`image` ({h}x{w}, HxW) is smaller than the patch "
                f"({self.height}x{self.width}). Received: shape {image.shape}"
            )
        # Any top-left corner that keeps the patch inside the image.
        y = int(self.rng.integers(0, h - self.height + 1))
        x = int(self.rng.integers(0, w - self.width + 1))
        return image[y : y + self.height, x : x + self.width].copy()
