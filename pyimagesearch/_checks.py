"""Argument checks: each returns the value it accepted or raises Keras-style `ValueError`."""

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
        if minimum is None or maximum is None:
            must = ("an integer" if minimum is None and maximum is None
                    else f"an integer >= {minimum}" if maximum is None
                    else f"an integer <= {maximum}")
        else:
            must = f"an integer in [{minimum}, {maximum}]"
        _fail(name, must, value)
    return int(value)


def positive_int(name, value):
    """An integer >= 1.

    >>> positive_int("batch_size", 0)
    Traceback (most recent call last):
    ...
    ValueError: `batch_size` must be an integer >= 1. Received: batch_size=0
    """
    return integer(name, value, minimum=1)


def non_negative_int(name, value):
    """An integer >= 0."""
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
        must = ("a finite number" if low is None and high is None
                else f"a number in {left}{'-inf' if low is None else low}, "
                     f"{'inf' if high is None else high}{right}")
        _fail(name, must, value)
    return float(value)


def positive_number(name, value):
    """A finite number > 0."""
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


def size(name, value):
    """A positive int (a square) or a pair of positive ints, as a 2-tuple of `int`.

    >>> size("size", 32), size("size", (64, 48))
    ((32, 32), (64, 48))
    """
    pair = (value, value) if is_int(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2
            and all(is_int(v) and v >= 1 for v in pair)):
        _fail(name, "a positive integer or a pair of them", value)
    return int(pair[0]), int(pair[1])


def image(name, value, ndim=(2, 3), channels=None):
    """`value` if it is a non-empty NumPy image: `(H, W)` or `(H, W, C)` (of `channels`).

    >>> image("image", np.zeros((4, 4, 3)), ndim=(3,), channels=3).shape
    (4, 4, 3)
    >>> image("image", [[1, 2]])
    Traceback (most recent call last):
    ...
    ValueError: `image` must be a non-empty 2-D or 3-D NumPy array. Received: list
    """
    ok = (isinstance(value, np.ndarray) and value.ndim in ndim and value.size > 0
          and (channels is None or value.shape[-1] == channels))
    if not ok:
        must = f"a non-empty {' or '.join(f'{d}-D' for d in ndim)} NumPy array"
        must += f" of {channels} channels" if channels else ""
        got = (f"array of shape {value.shape}" if isinstance(value, np.ndarray)
               else type(value).__name__)
        raise ValueError(f"`{name}` must be {must}. Received: {got}")
    return value
