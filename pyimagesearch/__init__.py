"""pyimagesearch: the DL4CV study package on Keras 3.

Importing the package quietens TensorFlow's C++ INFO lines
(``TF_CPP_MIN_LOG_LEVEL=1``) unless the user has already chosen a level.
"""

import os

# 0 = all messages, 1 = no INFO, 2 = no WARNING, 3 = no ERROR. Set before
# TensorFlow is imported anywhere, and never over the user's own choice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"
