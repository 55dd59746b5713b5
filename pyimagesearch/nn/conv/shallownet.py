import keras
from keras import layers

from pyimagesearch.nn.conv.common import image_input, softmax_output


class ShallowNet:
    """The book's first CNN: CONV(32, 3x3) => RELU => FC => SOFTMAX.

    Example:

    >>> model = ShallowNet.build(width=32, height=32, depth=3, classes=3)
    >>> model.output_shape
    (None, 3)
    """

    @staticmethod
    def build(width, height, depth, classes):
        inputs = image_input(width, height, depth, classes)
        x = layers.Conv2D(32, (3, 3), padding="same", name="conv1")(inputs)
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.Flatten(name="flatten")(x)
        outputs = softmax_output(x, classes)
        return keras.Model(inputs, outputs, name="shallownet")
