"""The argument checks of the book's package: one-line calls, Keras' messages.

Each check returns the value it accepted and raises
``ValueError("`name` must be ... Received: name=value")``. Check only what
would fail late, silently or with a misleading message; leave to Python and
Keras what they already reject at once.

Example:

>>> positive_int("classes", 10)
10
>>> number_in("momentum", 0.9, 0, 1, high_open=True)
0.9
>>> one_of("pooling", "avg", ("avg", "max", None))
'avg'
"""

import math

import numpy as np


def is_int(value):
    """Whether `value` is an integer (Python or NumPy), booleans excluded.

    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """Whether `value` is a real number (int or float, NumPy's too), booleans excluded."""
    return is_int(value) or (isinstance(value, (float, np.floating)))


def _fail(name, must, value):
    raise ValueError(f"`{name}` must be {must}. Received: {name}={value!r}")


def integer(name, value, minimum=None, maximum=None):
    """An integer in ``[minimum, maximum]`` (either bound may be `None`), as `int`."""
    if not is_int(value) or (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum):
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        must = (f"an integer >= {minimum}" if maximum is None and minimum is not None
                else f"an integer in [{low}, {high}]")
        _fail(name, must, value)
    return int(value)


def positive_int(name, value):
    """An integer >= 1 (a count, a size, a batch size).

    >>> positive_int("batch_size", 0)
    Traceback (most recent call last):
    ...
    ValueError: `batch_size` must be an integer >= 1. Received: batch_size=0
    """
    return integer(name, value, minimum=1)


def non_negative_int(name, value):
    """An integer >= 0 (an epoch to start at, a verbosity)."""
    return integer(name, value, minimum=0)


def number_in(name, value, low=None, high=None, *, low_open=False, high_open=False):
    """A finite number in the interval (closed unless `low_open`/`high_open`), as `float`.

    >>> number_in("test_size", 1.5, 0, 1, low_open=True, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: `test_size` must be a number in (0, 1). Received: test_size=1.5
    """
    ok = is_number(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        must = (f"a number in {left}{'-inf' if low is None else low}, "
                f"{'inf' if high is None else high}{right}")
        _fail(name, must, value)
    return float(value)


def positive_number(name, value):
    """A finite number > 0 (a learning rate, a scale)."""
    if not (is_number(value) and math.isfinite(value) and value > 0):
        _fail(name, "a positive number", value)
    return float(value)


def one_of(name, value, choices):
    """`value` if it is one of `choices`.

    >>> one_of("resize", "stretch", ("squash", "crop"))
    Traceback (most recent call last):
    ...
    ValueError: `resize` must be one of ('squash', 'crop'). Received: resize='stretch'
    """
    if isinstance(value, bool) or value not in tuple(choices):
        _fail(name, f"one of {tuple(choices)!r}", value)
    return value


def flag(name, value):
    """A `bool` (NumPy's too), as `bool`: not a string such as ``"False"``."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, "True or False", value)
    return bool(value)


def finite_array(name, array, ndim=None):
    """`array` as a NumPy array whose values are all finite (and of `ndim` dimensions)."""
    array = np.asarray(array)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"`{name}` must have {ndim} dimensions. "
                         f"Received: {name} of shape {array.shape}")
    if array.dtype.kind in "fc" and array.size and not np.isfinite(array).all():
        raise ValueError(f"`{name}` must hold only finite numbers. "
                         f"Received: {name} with NaN or infinite values")
    return array
