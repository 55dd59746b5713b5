"""Predictions over every sample, whatever caps `fit` and `predict` by default."""

import contextlib

__all__ = ["predict_all", "uncapped_steps"]


@contextlib.contextmanager
def uncapped_steps():
    """Lift `KERAS_MAX_STEPS_PER_EPOCH` (which also caps `predict`) inside the block.

    The variable is handy to make training epochs short in a test, but
    Keras applies it to `predict` and `evaluate` too, which then return
    fewer rows than they were given. An evaluation must cover every test
    sample, so it runs inside this block.
    """
    import keras

    cap = keras.config.max_steps_per_epoch()
    keras.config.set_max_steps_per_epoch(None)
    try:
        yield
    finally:
        keras.config.set_max_steps_per_epoch(cap)


def predict_all(model, x, batch_size: int = 32, verbose: int = 0, expected: "int | None" = None):
    """`model.predict(x)` over every sample; an error if any row is missing.

    Args:
        model: a Keras model.
        x: an array, a `tf.data.Dataset` or a `PyDataset`.
        batch_size: for arrays.
        verbose: `predict`'s verbosity.
        expected: the number of rows to expect (default `len(x)` for arrays).

    Example:

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    >>> predict_all(model, np.zeros((5, 2)), batch_size=2).shape
    (5, 3)
    """
    if expected is None and hasattr(x, "shape"):
        expected = len(x)
    kwargs = {"batch_size": batch_size} if hasattr(x, "shape") else {}
    with uncapped_steps():
        predictions = model.predict(x, verbose=verbose, **kwargs)
    if expected is not None and len(predictions) != expected:
        raise RuntimeError(f"predict covered {len(predictions)} of {expected} samples; "
                           "the evaluation would be truncated")
    return predictions
