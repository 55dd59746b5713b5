from pyimagesearch._lazy import lazy_names
from pyimagesearch.utils.plotting import plot_history
from pyimagesearch.utils.progress import progress_bar
from pyimagesearch.utils.progress import track
from pyimagesearch.utils.ranked import rank5_accuracy
from pyimagesearch.utils.reports import classification_report
from pyimagesearch.utils.schedules import PolynomialDecay
from pyimagesearch.utils.schedules import StepDecay
from pyimagesearch.utils.schedules import keras2_decay
from pyimagesearch.utils.display import show_image
from pyimagesearch.utils.iou import box_iou

# the Keras metric is imported on first use: the NumPy helpers above must not
# pay for importing keras and TensorFlow
_LAZY = {"BoxIoU": "pyimagesearch.utils.ioumetric"}

__all__ = [
    "PolynomialDecay",
    "StepDecay",
    "box_iou",
    "classification_report",
    "keras2_decay",
    "plot_history",
    "progress_bar",
    "rank5_accuracy",
    "show_image",
    "track",
    *_LAZY,
]

__getattr__ = lazy_names(__name__, _LAZY)
