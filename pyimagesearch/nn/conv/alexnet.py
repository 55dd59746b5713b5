import numbers

import keras
from keras import layers
from keras import regularizers

from pyimagesearch.nn.conv.common import input_shape_and_axis

# three 3x3/2 max-pools after a stride-4 convolution: 57x57 is the smallest
# input that still leaves a 1x1 map before the fully-connected layers
MIN_SIZE = 57


class AlexNet:
    """AlexNet as the book builds it for Dogs vs. Cats (Practitioner Bundle, ch. 10).

    CONV(96, 11x11, stride 4) => RELU => BN => POOL(3x3/2) => DROPOUT(0.25)
    => CONV(256, 5x5) => RELU => BN => POOL(3x3/2) => DROPOUT(0.25)
    => (CONV(384, 3x3) => RELU => BN) x 2 => CONV(256, 3x3) => RELU => BN
    => POOL(3x3/2) => DROPOUT(0.25)
    => (FC(4096) => RELU => BN => DROPOUT(0.5)) x 2 => FC(classes) => SOFTMAX.

    Every convolution uses ``padding="same"``; every CONV and FC layer has
    an L2 kernel penalty `reg`. Batch normalisation runs on the channel
    axis of `keras.config.image_data_format()`; the softmax is kept in
    float32 (safe under mixed precision). Every layer is named
    (``block1_conv``, ``block3_conv2_bn``, ``fc1``, ``predictions``...).

    Args (of `build`):
        width, height, depth: the input size (227, 227, 3 in the book); at
            least 57x57.
        classes: the number of classes.
        reg: the L2 regularisation strength (>= 0; the book's 0.0002).
        preprocessing: a layer, or a list of layers, put between the input
            and the first convolution, e.g. `mean_subtraction_layer(...)`.
            The saved model then carries its preprocessing and takes raw
            pixels (uint8 batches are cast to float by the model's input).
        fc_units: units of the two hidden fully-connected layers (the
            book's 4096; smaller only for quick tests).
        bn_momentum: momentum of the moving mean and variance of every
            BatchNormalization layer (Keras' 0.99 by default). Validation
            and prediction use those moving statistics, and at 0.99 they
            need a few hundred steps to forget their start (0 and 1): the
            book had 195 steps per epoch, a 1,600-image set at batch 128
            has 13. Use about 0.9 there.

    Example:

    >>> model = AlexNet.build(227, 227, 3, classes=2)
    >>> model.output_shape
    (None, 2)
    """

    @staticmethod
    def build(width, height, depth, classes, reg=0.0002, preprocessing=None, fc_units=4096,
              bn_momentum=0.99):
        shape, chan_axis = input_shape_and_axis(width, height, depth, classes, "AlexNet")
        preprocessing = _check_arguments(width, height, reg, fc_units, bn_momentum,
                                         preprocessing)

        def l2():
            return regularizers.L2(float(reg)) if reg else None

        def conv(x, filters, kernel, name, strides=(1, 1)):
            # CONV => RELU => BN
            x = layers.Conv2D(filters, kernel, strides=strides, padding="same",
                              kernel_regularizer=l2(), name=name)(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
            return layers.BatchNormalization(axis=chan_axis, momentum=bn_momentum,
                                             name=f"{name}_bn")(x)

        def pool(x, block):
            # POOL => DROPOUT
            x = layers.MaxPooling2D((3, 3), strides=(2, 2), name=f"block{block}_pool")(x)
            return layers.Dropout(0.25, name=f"block{block}_dropout")(x)

        inputs = keras.Input(shape=shape, name="image")
        x = inputs
        # the model's own preprocessing (e.g. the mean subtraction)
        for layer in preprocessing:
            x = layer(x)

        # Block #1: first CONV => RELU => POOL layer set
        x = conv(x, 96, (11, 11), "block1_conv", strides=(4, 4))
        x = pool(x, 1)

        # Block #2: second CONV => RELU => POOL layer set
        x = conv(x, 256, (5, 5), "block2_conv")
        x = pool(x, 2)

        # Block #3: CONV => RELU => CONV => RELU => CONV => RELU => POOL
        x = conv(x, 384, (3, 3), "block3_conv1")
        x = conv(x, 384, (3, 3), "block3_conv2")
        x = conv(x, 256, (3, 3), "block3_conv3")
        x = pool(x, 3)

        # Blocks #4 and #5: two sets of FC => RELU => BN => DROPOUT
        x = layers.Flatten(name="flatten")(x)
        for i in (1, 2):
            x = layers.Dense(fc_units, kernel_regularizer=l2(), name=f"fc{i}")(x)
            x = layers.Activation("relu", name=f"fc{i}_relu")(x)
            x = layers.BatchNormalization(momentum=bn_momentum, name=f"fc{i}_bn")(x)
            x = layers.Dropout(0.5, name=f"fc{i}_dropout")(x)

        # softmax classifier (kept in float32 under mixed precision)
        x = layers.Dense(classes, kernel_regularizer=l2(), name="predictions_dense")(x)
        outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
        return keras.Model(inputs, outputs, name="alexnet")


def _check_arguments(width, height, reg, fc_units, bn_momentum, preprocessing):
    """Validate `AlexNet.build`'s arguments; return the preprocessing layers as a list."""
    if min(width, height) < MIN_SIZE:
        raise ValueError(
            f"AlexNet.build: the input must be at least {MIN_SIZE}x{MIN_SIZE} (a stride-4 "
            f"convolution and three 3x3/2 pools). Received: width={width}, height={height}"
        )
    if (isinstance(reg, bool) or not isinstance(reg, numbers.Real) or not reg >= 0
            or reg == float("inf")):
        raise ValueError(
            f"AlexNet.build: `reg` must be a finite number >= 0. Received: reg={reg!r}"
        )
    if isinstance(fc_units, bool) or not isinstance(fc_units, int) or fc_units < 1:
        raise ValueError(
            f"AlexNet.build: `fc_units` must be a positive integer. "
            f"Received: fc_units={fc_units!r}"
        )
    if (isinstance(bn_momentum, bool) or not isinstance(bn_momentum, numbers.Real)
            or not 0 <= bn_momentum < 1):
        raise ValueError(
            f"AlexNet.build: `bn_momentum` must be in [0, 1). "
            f"Received: bn_momentum={bn_momentum!r}"
        )
    if preprocessing is None:
        preprocessing = []
    elif isinstance(preprocessing, layers.Layer):
        preprocessing = [preprocessing]
    preprocessing = list(preprocessing)
    for layer in preprocessing:
        if not isinstance(layer, layers.Layer):
            raise ValueError(
                "AlexNet.build: `preprocessing` must be a keras layer or a list of "
                f"layers. Received an item {layer!r}"
            )
    return preprocessing
