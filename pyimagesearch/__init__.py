"""pyimagesearch: the DL4CV study package on Keras 3.

The subpackages are the book's: `pyimagesearch.nn` (and `nn.conv`, the
architectures), `preprocessing`, `datasets`, `io` (HDF5), `callbacks`,
`utils`, plus `features` (transfer learning by feature extraction) and
`harness` (what the study scripts share). Each is imported on first use,
so ``import pyimagesearch`` stays cheap:

>>> import pyimagesearch
>>> pyimagesearch.nn.conv.LeNet.build(28, 28, 1, 10).output_shape
(None, 10)

Importing the package quietens TensorFlow's C++ INFO lines
(``TF_CPP_MIN_LOG_LEVEL=1``) unless the user has already chosen a level.
"""

import importlib
import os

# 0 = all messages, 1 = no INFO, 2 = no WARNING, 3 = no ERROR. Set before
# TensorFlow is imported anywhere, and never over the user's own choice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"

SUBPACKAGES = ("callbacks", "datasets", "features", "harness", "io", "nn", "preprocessing",
               "utils")
__all__ = ["__version__", *SUBPACKAGES]


def __getattr__(name):
    if name in SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(SUBPACKAGES))
