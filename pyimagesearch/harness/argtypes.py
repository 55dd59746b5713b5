"""`argparse` types: a bad value is an argparse error (one line, exit 2), never a traceback.

Example:

>>> positive_int("3"), momentum("0.9"), positive_ints("25,25")
(3, 0.9, (25, 25))
"""

import argparse
from pathlib import Path


def _number(text, kind, ok, expected):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if isinstance(value, float) and value != value:  # NaN
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def int_at_least(minimum):
    """`argparse` type: an integer >= `minimum` (e.g. ``int_at_least(57)`` for a crop).

    Example:

    >>> int_at_least(1)("3")
    3
    """
    def parse(text):
        return _number(text, int, lambda v: v >= minimum, f"an integer >= {minimum}")

    parse.__name__ = f"int_at_least_{minimum}"
    return parse


def float_in(low, high, *, low_open=False, high_open=True):
    """`argparse` type: a float in an interval, ``[low, high)`` by default.

    `None` for a bound leaves that side open-ended.

    Example:

    >>> momentum = float_in(0, 1)       # [0, 1)
    >>> momentum("0.9")
    0.9
    """
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    expected = (f"a number in {left}{'-inf' if low is None else low}, "
                f"{'inf' if high is None else high}{right}")

    def ok(value):
        above = low is None or (value > low if low_open else value >= low)
        below = high is None or (value < high if high_open else value <= high)
        return above and below

    def parse(text):
        return _number(text, float, ok, expected)

    parse.__name__ = "float_in"
    return parse


def positive_int(text):
    """`argparse` type: an integer >= 1 (epochs, batch sizes, workers...)."""
    return _number(text, int, lambda v: v >= 1, "a positive integer")


def non_negative_int(text):
    """`argparse` type: an integer >= 0 (a start epoch...)."""
    return _number(text, int, lambda v: v >= 0, "an integer >= 0")


def random_seed(text):
    """`argparse` type: a seed NumPy and Keras accept, an integer in [0, 2**32 - 1]."""
    return _number(text, int, lambda v: 0 <= v < 2**32, "an integer in [0, 2**32 - 1]")


def positive_float(text):
    """`argparse` type: a float > 0 (e.g. a learning rate)."""
    return _number(text, float, lambda v: v > 0 and v != float("inf"), "a positive number")


def non_negative_float(text):
    """`argparse` type: a float >= 0 (weight decay, L2 strength...)."""
    return _number(text, float, lambda v: 0 <= v < float("inf"), "a number >= 0")


def n_jobs(text):
    """`argparse` type: scikit-learn's `n_jobs`, a positive integer or -1 (every core)."""
    return _number(text, int, lambda v: v >= 1 or v == -1, "a positive integer or -1")


#: `argparse` types of the common ranges
momentum = float_in(0, 1)            # SGD / batch-norm momentum, EMA decay: [0, 1)
fraction = float_in(0, 1, low_open=True)      # a split fraction: (0, 1)
probability = float_in(0, 1, high_open=False)  # a rate in [0, 1]


def existing_path(text):
    """`argparse` type: a path that exists (returned as a `Path`)."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or folder: {text!r}")
    return path


def existing_file(text):
    """`argparse` type: an existing file (returned as a `Path`)."""
    path = existing_path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"not a file: {text!r}")
    return path


def keras_file(text):
    """`argparse` type: an existing Keras 3 ``.keras`` file (what `Run.save_model` writes)."""
    path = existing_file(text)
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(f"expected a Keras 3 .keras file, got {text!r}")
    return path


def positive_ints(text):
    """`argparse` type: comma-separated positive integers, ``"25,25"`` -> ``(25, 25)``.

    Example:

    >>> positive_ints("32, 16")
    (32, 16)
    """
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas (e.g. 25,25), got {text!r}")
    return values


def existing_dir(text):
    """`argparse` type: an existing folder (returned as a `Path`)."""
    path = existing_path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {text!r}")
    return path


