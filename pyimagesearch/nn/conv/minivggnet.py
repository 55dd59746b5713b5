import keras
from keras import layers

from pyimagesearch._checks import flag
from pyimagesearch.nn.conv.common import channel_axis, image_input, softmax_output


class MiniVGGNet:
    """The book's MiniVGGNet: two VGG blocks of 3x3 convolutions, FC 512.

    (CONV => RELU => BN) x 2 => POOL => DROPOUT(0.25), with 32 then 64
    filters; FC(512) => RELU => BN => DROPOUT(0.5) => FC(classes) => SOFTMAX.

    Args (of `build`):
        width, height, depth: the input image's size and channels.
        classes: the number of classes.
        batch_norm: `False` leaves out every BatchNormalization layer.

    Example:

    >>> model = MiniVGGNet.build(32, 32, 3, 10)
    >>> model.output_shape
    (None, 10)
    """

    @staticmethod
    def build(width, height, depth, classes, batch_norm=True):
        inputs = image_input(width, height, depth, classes)
        batch_norm = flag("batch_norm", batch_norm)
        x = inputs
        # two blocks of (CONV => RELU => BN) * 2 => POOL => DROPOUT
        for block, filters in ((1, 32), (2, 64)):
            for conv in (1, 2):
                name = f"block{block}_conv{conv}"
                x = layers.Conv2D(filters, (3, 3), padding="same", name=name)(x)
                x = layers.Activation("relu", name=f"{name}_relu")(x)
                if batch_norm:
                    x = layers.BatchNormalization(axis=channel_axis(), name=f"{name}_bn")(x)
            x = layers.MaxPooling2D((2, 2), name=f"block{block}_pool")(x)
            x = layers.Dropout(0.25, name=f"block{block}_dropout")(x)
        # first (and only) set of FC => RELU layers, then the softmax classifier
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(512, name="fc1")(x)
        x = layers.Activation("relu", name="fc1_relu")(x)
        if batch_norm:
            x = layers.BatchNormalization(name="fc1_bn")(x)
        x = layers.Dropout(0.5, name="fc1_dropout")(x)
        outputs = softmax_output(x, classes)
        return keras.Model(inputs, outputs, name="minivggnet" if batch_norm else "minivggnet_nobn")
