import keras
from keras import layers, regularizers

from pyimagesearch._checks import number_in, positive_int
from pyimagesearch.nn.conv.common import (apply_preprocessing, channel_axis, image_input,
                                          softmax_output)


class AlexNet:
    """AlexNet as the book builds it for Dogs vs. Cats (Practitioner Bundle, ch. 10).

    CONV(96, 11x11, stride 4) => RELU => BN => POOL(3x3/2) => DROPOUT(0.25)
    => CONV(256, 5x5) => RELU => BN => POOL(3x3/2) => DROPOUT(0.25)
    => (CONV(384, 3x3) => RELU => BN) x 2 => CONV(256, 3x3) => RELU => BN
    => POOL(3x3/2) => DROPOUT(0.25)
    => (FC(4096) => RELU => BN => DROPOUT(0.5)) x 2 => FC(classes) => SOFTMAX.

    Every convolution uses ``padding="same"``; every CONV and FC layer has
    an L2 kernel penalty `reg`.

    Args (of `build`):
        width, height, depth: the input size (227, 227, 3 in the book); at
            least 57x57.
        classes: the number of classes.
        reg: the L2 regularisation strength (>= 0).
        preprocessing: a layer, or a list of layers, put between the input
            and the first convolution, e.g. `mean_subtraction_layer(...)`.
        fc_units: units of the two hidden fully-connected layers.
        bn_momentum: momentum of the moving statistics of every
            BatchNormalization layer. At Keras' 0.99 they need a few hundred
            steps to forget their start: use about 0.9 for a small data set.

    Example:

    >>> model = AlexNet.build(227, 227, 3, classes=2)
    >>> model.output_shape
    (None, 2)
    """

    # a stride-4 convolution and three 3x3/2 pools leave 1x1 at 57x57
    MIN_SIZE = 57

    @staticmethod
    def build(width, height, depth, classes, reg=0.0002, preprocessing=None, fc_units=4096,
              bn_momentum=0.99):
        inputs = image_input(width, height, depth, classes)
        if min(width, height) < AlexNet.MIN_SIZE:
            raise ValueError(
                f"AlexNet needs inputs of at least {AlexNet.MIN_SIZE}x{AlexNet.MIN_SIZE}. "
                f"Received: width={width}, height={height}")
        reg = number_in("reg", reg, 0)
        positive_int("fc_units", fc_units)
        number_in("bn_momentum", bn_momentum, 0, 1, high_open=True)
        axis = channel_axis()

        def l2():
            return regularizers.L2(reg) if reg else None

        def conv(x, filters, kernel, name, strides=(1, 1)):
            # CONV => RELU => BN
            x = layers.Conv2D(filters, kernel, strides=strides, padding="same",
                              kernel_regularizer=l2(), name=name)(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
            return layers.BatchNormalization(axis=axis, momentum=bn_momentum,
                                             name=f"{name}_bn")(x)

        def pool(x, block):
            # POOL => DROPOUT
            x = layers.MaxPooling2D((3, 3), strides=(2, 2), name=f"block{block}_pool")(x)
            return layers.Dropout(0.25, name=f"block{block}_dropout")(x)

        x = apply_preprocessing(inputs, preprocessing)
        # Block #1: first CONV => RELU => POOL layer set
        x = pool(conv(x, 96, (11, 11), "block1_conv", strides=(4, 4)), 1)
        # Block #2: second CONV => RELU => POOL layer set
        x = pool(conv(x, 256, (5, 5), "block2_conv"), 2)
        # Block #3: CONV => RELU => CONV => RELU => CONV => RELU => POOL
        x = conv(x, 384, (3, 3), "block3_conv1")
        x = conv(x, 384, (3, 3), "block3_conv2")
        x = pool(conv(x, 256, (3, 3), "block3_conv3"), 3)
        # Blocks #4 and #5: two sets of FC => RELU => BN => DROPOUT
        x = layers.Flatten(name="flatten")(x)
        for i in (1, 2):
            x = layers.Dense(fc_units, kernel_regularizer=l2(), name=f"fc{i}")(x)
            x = layers.Activation("relu", name=f"fc{i}_relu")(x)
            x = layers.BatchNormalization(momentum=bn_momentum, name=f"fc{i}_bn")(x)
            x = layers.Dropout(0.5, name=f"fc{i}_dropout")(x)
        # softmax classifier
        outputs = softmax_output(x, classes, kernel_regularizer=l2())
        return keras.Model(inputs, outputs, name="alexnet")
