"""Test-time augmentation: average a model's predictions over mirrored images."""

import numpy as np


def predict_with_flips(model, x, batch_size=32, predictions=None):
    """The mean of `model`'s predictions on `x` and on `x` mirrored left-right.

    A classifier trained with random horizontal flips sees both versions of
    an image as the same class; averaging its two answers is the cheapest
    test-time augmentation (2x the inference cost). The width axis follows
    `keras.config.image_data_format()`.

    Args:
        model: a Keras model taking a batch of images.
        x: images, `(N, H, W, C)` (channels_last) or `(N, C, H, W)`.
        batch_size: inference batch size.
        predictions: `model`'s predictions on `x` when they are already at
            hand (then only the mirrored images are run through the model).

    Returns:
        The averaged predictions, `(N, classes)`.

    Raises:
        ValueError: `x` is not a 4-D batch of images, or `predictions` does not
            hold one row per image.

    Example:

    ```python
    probs = predict_with_flips(model, test_x)
    accuracy = (probs.argmax(axis=1) == test_y.argmax(axis=1)).mean()
    ```
    """
    import keras

    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"`x` must be a 4-D batch of images. Received: x.shape={x.shape}")
    width_axis = 2 if keras.config.image_data_format() == "channels_last" else 3
    plain = (model.predict(x, batch_size=batch_size, verbose=0) if predictions is None
             else np.asarray(predictions))
    if len(plain) != len(x):
        raise ValueError(f"`predictions` must hold one row per image: {len(x)} images. "
                         f"Received: predictions.shape={plain.shape}")
    mirrored = model.predict(np.flip(x, axis=width_axis), batch_size=batch_size, verbose=0)
    return (plain + mirrored) / 2.0
