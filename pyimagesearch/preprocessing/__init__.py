from pyimagesearch._lazy import lazy_names
from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor
from pyimagesearch.preprocessing.croppreprocessor import CropPreprocessor
from pyimagesearch.preprocessing.imagetoarraypreprocessor import (
    ImageToArrayPreprocessor,
)
from pyimagesearch.preprocessing.meanpreprocessor import MeanPreprocessor, load_means
from pyimagesearch.preprocessing.patchpreprocessor import PatchPreprocessor
from pyimagesearch.preprocessing.simplepreprocessor import SimplePreprocessor

# the Keras-based names are imported on first use: the OpenCV/NumPy
# preprocessors above (what a decoding thread or process needs) must not
# pay for importing keras and TensorFlow (seconds, hundreds of MB)
_LAZY = {
    "build_augmentation": "pyimagesearch.preprocessing.augmentation",
    "mean_subtraction_layer": "pyimagesearch.preprocessing.meanlayer",
    "pixel_mean_layer": "pyimagesearch.preprocessing.meanlayer",
}

__all__ = [
    "AspectAwarePreprocessor",
    "CropPreprocessor",
    "ImageToArrayPreprocessor",
    "MeanPreprocessor",
    "PatchPreprocessor",
    "SimplePreprocessor",
    "load_means",
    *_LAZY,
]

__getattr__ = lazy_names(__name__, _LAZY)
