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
__all__ += ["load_means", "mean_subtraction_layer"]

from pyimagesearch.preprocessing.meanlayer import load_means  # noqa: E402
from pyimagesearch.preprocessing.meanlayer import mean_subtraction_layer  # noqa: E402
