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

The package reports through `logging` (the ``pyimagesearch`` logger): INFO
lines go to stdout as ``[INFO] ...``, warnings to stderr as ``[WARN] ...``,
in a script and in a notebook alike. Silence them with
``logging.getLogger("pyimagesearch").setLevel(logging.WARNING)`` (the
harness does it for ``--verbose 0``).
"""

import importlib
import logging
import os
import sys

# 0 = all messages, 1 = no INFO, 2 = no WARNING, 3 = no ERROR. Set before
# TensorFlow is imported anywhere, and never over the user's own choice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"


class _ConsoleHandler(logging.Handler):
    """``[INFO] message`` on stdout, ``[WARN] message`` on stderr (the streams of the moment)."""

    def emit(self, record):
        try:
            stream = sys.stdout if record.levelno < logging.WARNING else sys.stderr
            level = "WARN" if record.levelno == logging.WARNING else record.levelname
            print(f"[{level}] {record.getMessage()}", file=stream, flush=True)
        except Exception:  # a closed stream never stops the program (as logging's own)
            self.handleError(record)


_logger = logging.getLogger(__name__)
if not _logger.handlers:
    _logger.addHandler(_ConsoleHandler())
    _logger.setLevel(logging.INFO)
    _logger.propagate = False

SUBPACKAGES = ("callbacks", "datasets", "features", "harness", "io", "nn", "preprocessing",
               "utils")
__all__ = ["__version__", *SUBPACKAGES]


def __getattr__(name):
    if name in SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(SUBPACKAGES))
