import keras
from keras import layers

from pyimagesearch.nn.conv.common import image_input, softmax_output


class LeNet:
    """LeNet as in the book: two CONV => RELU => POOL blocks, FC 500, softmax.

    CONV(20, 5x5) => RELU => POOL(2x2) => CONV(50, 5x5) => RELU => POOL(2x2)
    => FC(500) => RELU => FC(classes) => SOFTMAX.

    Example:

    >>> model = LeNet.build(width=28, height=28, depth=1, classes=10)
    >>> model.output_shape
    (None, 10)
    """

    @staticmethod
    def build(width, height, depth, classes):
        inputs = image_input(width, height, depth, classes)
        x = inputs
        # first and second set of CONV => RELU => POOL layers
        for block, filters in ((1, 20), (2, 50)):
            x = layers.Conv2D(filters, (5, 5), padding="same", name=f"block{block}_conv")(x)
            x = layers.Activation("relu", name=f"block{block}_relu")(x)
            x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
        # first (and only) set of FC => RELU layers, then the softmax classifier
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(500, name="fc1")(x)
        x = layers.Activation("relu", name="fc1_relu")(x)
        outputs = softmax_output(x, classes)
        return keras.Model(inputs, outputs, name="lenet")
