"""What every architecture builder shares: the named input, the channel axis, the softmax."""

import keras

from pyimagesearch._checks import integer, positive_int


def image_shape(height, width, depth):
    """The shape of one image in `keras.config.image_data_format()` order.

    Example:

    >>> image_shape(224, 160, 3)   # channels_last, Keras' default
    (224, 160, 3)
    """
    if keras.config.image_data_format() == "channels_first":
        return (depth, height, width)
    return (height, width, depth)


def channel_axis():
    """The channel axis of a batch of images: 1 on channels_first, -1 on channels_last."""
    return 1 if keras.config.image_data_format() == "channels_first" else -1


def image_input(width, height, depth, classes):
    """Check a builder's sizes and return its input, `keras.Input` named ``"image"``.

    Raises:
        ValueError: a size that is not a positive integer, or fewer than 2 classes.

    Example:

    >>> image_input(32, 28, 3, classes=10).shape
    (None, 28, 32, 3)
    """
    for name, value in (("width", width), ("height", height), ("depth", depth)):
        positive_int(name, value)
    integer("classes", classes, minimum=2)  # a softmax over 1 class always says 1.0
    return keras.Input(shape=image_shape(height, width, depth), name="image")


def apply_preprocessing(x, preprocessing):
    """`x` through `preprocessing`: `None`, a Keras layer or a list of layers.

    The saved model then carries its own preprocessing (e.g. a mean subtraction).
    """
    if preprocessing is None:
        return x
    if isinstance(preprocessing, keras.layers.Layer):
        preprocessing = [preprocessing]
    for layer in preprocessing:
        if not isinstance(layer, keras.layers.Layer):
            raise ValueError("`preprocessing` must be a Keras layer or a list of layers. "
                             f"Received an item {layer!r}")
        x = layer(x)
    return x


def softmax_output(x, classes, name="predictions", **dense_kwargs):
    """Dense(classes) named ``{name}_dense``, then a softmax named `name`, in float32.

    The softmax runs in float32 whatever the dtype policy: it stays stable
    under mixed precision. `dense_kwargs` go to the Dense layer (e.g. a
    ``kernel_regularizer``).

    Example:

    >>> x = keras.Input((8,))
    >>> softmax_output(x, 3).dtype
    'float32'
    """
    x = keras.layers.Dense(classes, name=f"{name}_dense", **dense_kwargs)(x)
    return keras.layers.Activation("softmax", dtype="float32", name=name)(x)
