import keras
from keras import layers

from pyimagesearch.nn.conv.common import (apply_preprocessing, channel_axis, image_input,
                                          softmax_output)


class MiniGoogLeNet:
    """The book's MiniGoogLeNet for 32x32 images (Practitioner Bundle, chapter 11).

    Three modules make the network (each a static method, as in the book):

    - `conv_module`: CONV => BN => RELU;
    - `inception_module`: a 1x1 and a 3x3 `conv_module` side by side,
      concatenated along the channel axis;
    - `downsample_module`: a 3x3 stride-2 ``valid`` `conv_module` beside a
      3x3/2 max-pool, concatenated along the channel axis.

    The plan: conv(96, 3x3); inception (32, 32), (32, 48); downsample(80);
    inception (112, 48), (96, 64), (80, 80), (48, 96); downsample(96);
    inception (176, 160) x 2; AVERAGE POOL 7x7; DROPOUT(0.5); FLATTEN;
    FC(classes) => SOFTMAX. At 32x32 the two downsample modules take the
    maps to 15x15 and 7x7, so the average pool leaves 1x1x336.

    Args (of `build`):
        width, height, depth: the input size (32, 32, 3 for CIFAR-10); at
            least 31x31, so that the 7x7 average pool still fits.
        classes: the number of classes.
        preprocessing: a layer, or a list of layers, put between the input
            and the first convolution (e.g. `pixel_mean_layer(train_x)`).

    Example:

    >>> model = MiniGoogLeNet.build(width=32, height=32, depth=3, classes=10)
    >>> model.output_shape, model.count_params()
    ((None, 10), 1656250)
    """

    MIN_SIZE = 31  # two downsample modules, then a 7x7 average pool

    @staticmethod
    def conv_module(x, K, kX, kY, stride, chanDim, padding="same", name=None):
        """CONV(K, kX x kY, stride) => BN => RELU; layers named `name`, `name_bn`, `name_relu`."""
        x = layers.Conv2D(K, (kX, kY), strides=stride, padding=padding, name=name)(x)
        x = layers.BatchNormalization(axis=chanDim, name=name and f"{name}_bn")(x)
        return layers.Activation("relu", name=name and f"{name}_relu")(x)

    @staticmethod
    def inception_module(x, numK1x1, numK3x3, chanDim, name=None):
        """A 1x1 and a 3x3 `conv_module` (stride 1), concatenated on `chanDim`."""
        conv_1x1 = MiniGoogLeNet.conv_module(x, numK1x1, 1, 1, (1, 1), chanDim,
                                             name=name and f"{name}_1x1")
        conv_3x3 = MiniGoogLeNet.conv_module(x, numK3x3, 3, 3, (1, 1), chanDim,
                                             name=name and f"{name}_3x3")
        return layers.Concatenate(axis=chanDim, name=name and f"{name}_concat")(
            [conv_1x1, conv_3x3])

    @staticmethod
    def downsample_module(x, K, chanDim, name=None):
        """A 3x3/2 ``valid`` `conv_module` beside a 3x3/2 max-pool, concatenated."""
        conv_3x3 = MiniGoogLeNet.conv_module(x, K, 3, 3, (2, 2), chanDim, padding="valid",
                                             name=name and f"{name}_3x3")
        pool = layers.MaxPooling2D((3, 3), strides=(2, 2), name=name and f"{name}_pool")(x)
        return layers.Concatenate(axis=chanDim, name=name and f"{name}_concat")(
            [conv_3x3, pool])

    @staticmethod
    def build(width, height, depth, classes, preprocessing=None):
        inputs = image_input(width, height, depth, classes)
        if min(width, height) < MiniGoogLeNet.MIN_SIZE:
            raise ValueError(
                f"MiniGoogLeNet needs inputs of at least {MiniGoogLeNet.MIN_SIZE}x"
                f"{MiniGoogLeNet.MIN_SIZE}. Received: width={width}, height={height}")
        m, axis = MiniGoogLeNet, channel_axis()
        x = apply_preprocessing(inputs, preprocessing)

        # the first CONV module
        x = m.conv_module(x, 96, 3, 3, (1, 1), axis, name="block1_conv")

        # two Inception modules followed by a downsample module
        x = m.inception_module(x, 32, 32, axis, name="inception2a")
        x = m.inception_module(x, 32, 48, axis, name="inception2b")
        x = m.downsample_module(x, 80, axis, name="downsample1")

        # four Inception modules followed by a downsample module
        x = m.inception_module(x, 112, 48, axis, name="inception3a")
        x = m.inception_module(x, 96, 64, axis, name="inception3b")
        x = m.inception_module(x, 80, 80, axis, name="inception3c")
        x = m.inception_module(x, 48, 96, axis, name="inception3d")
        x = m.downsample_module(x, 96, axis, name="downsample2")

        # two Inception modules followed by global POOL and dropout
        x = m.inception_module(x, 176, 160, axis, name="inception4a")
        x = m.inception_module(x, 176, 160, axis, name="inception4b")
        x = layers.AveragePooling2D((7, 7), name="avg_pool")(x)
        x = layers.Dropout(0.5, name="dropout")(x)

        # softmax classifier
        x = layers.Flatten(name="flatten")(x)
        outputs = softmax_output(x, classes)
        return keras.Model(inputs, outputs, name="minigooglenet")
