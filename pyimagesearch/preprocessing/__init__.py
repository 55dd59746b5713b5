from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor
from pyimagesearch.preprocessing.croppreprocessor import CropPreprocessor
from pyimagesearch.preprocessing.imagetoarraypreprocessor import (
    ImageToArrayPreprocessor,
)
from pyimagesearch.preprocessing.meanpreprocessor import MeanPreprocessor
from pyimagesearch.preprocessing.patchpreprocessor import PatchPreprocessor
from pyimagesearch.preprocessing.simplepreprocessor import SimplePreprocessor

__all__ = [
    "AspectAwarePreprocessor",
    "CropPreprocessor",
    "ImageToArrayPreprocessor",
    "MeanPreprocessor",
    "PatchPreprocessor",
    "SimplePreprocessor",
]
__all__ += ["build_augmentation"]

from pyimagesearch.preprocessing.augmentation import build_augmentation  # noqa: E402
