"""Small argument checks the subpackages share."""

import numpy as np


def is_int(value):
    """Whether `value` is an integer (Python or NumPy), booleans excluded.

    Example:

    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
