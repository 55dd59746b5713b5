"""Take a random fixed-size patch out of an image."""

import numpy as np

from pyimagesearch._checks import image as check_image, positive_int


class PatchPreprocessor:
    """Extracts a random `(height, width)` crop from an image.

    Random cropping (Practitioner Bundle, chapter 10) is a cheap data
    augmentation: train on, say, random 227x227 patches of 256x256 images,
    so that the network sees a slightly different view of every image on
    every epoch. The corner is drawn uniformly over all valid positions.

    Args:
        width: the patch width in pixels.
        height: the patch height in pixels.
        seed: seed of the `np.random.default_rng` that draws the positions.

    Example:

    >>> PatchPreprocessor(227, 227, seed=42).preprocess(np.zeros((256, 256, 3), np.uint8)).shape
    (227, 227, 3)
    """

    def __init__(self, width, height, seed=None):
        self.width = positive_int("width", width)
        self.height = positive_int("height", height)
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def preprocess(self, image):
        """A random `(height, width[, channels])` patch of `image`."""
        (h, w) = check_image("image", image).shape[:2]
        if h < self.height or w < self.width:
            raise ValueError(f"`image` is smaller than the patch ({self.height}x{self.width}, "
                             f"HxW). Received: image of shape {image.shape}")
        # any top-left corner that keeps the patch inside the image
        y = int(self.rng.integers(0, h - self.height + 1))
        x = int(self.rng.integers(0, w - self.width + 1))
        return image[y:y + self.height, x:x + self.width].copy()
