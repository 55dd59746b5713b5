"""What every architecture builder shares: argument checks, input shape, the softmax."""

import keras


def input_shape_and_axis(width, height, depth, classes, name):
    """Validate a builder's arguments; return `(input_shape, channel_axis)`.

    Honours `keras.config.image_data_format()`: channels_last gives
    `(height, width, depth)` and axis -1, channels_first `(depth, height,
    width)` and axis 1.
    """
    for arg, value in (("width", width), ("height", height), ("depth", depth),
                       ("classes", classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"{name}.build: `{arg}` must be a positive integer. Received: {arg}={value!r}"
            )
    if classes < 2:
        raise ValueError(f"{name}.build: `classes` must be >= 2. Received: classes={classes}")
    axis = 1 if keras.config.image_data_format() == "channels_first" else -1
    return image_shape(height, width, depth), axis


def image_shape(height, width, depth):
    """The input shape of images in `keras.config.image_data_format()` order.

    Example:

    >>> image_shape(224, 224, 3)   # channels_last, Keras' default
    (224, 224, 3)
    """
    if keras.config.image_data_format() == "channels_first":
        return (depth, height, width)
    return (height, width, depth)


def softmax_output(x, classes):
    """Dense(classes) + softmax kept in float32 (safe under mixed precision)."""
    x = keras.layers.Dense(classes, name="predictions_dense")(x)
    return keras.layers.Activation("softmax", dtype="float32", name="predictions")(x)
