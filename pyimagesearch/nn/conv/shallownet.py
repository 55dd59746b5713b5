import keras
from keras import layers

from pyimagesearch.nn.conv.common import input_shape_and_axis
from pyimagesearch.nn.conv.common import softmax_output


class ShallowNet:
    """The book's first CNN: CONV(32, 3x3) => RELU => FC => SOFTMAX.

    Example:

    >>> model = ShallowNet.build(width=32, height=32, depth=3, classes=3)
    >>> model.output_shape
    (None, 3)
    """

    @staticmethod
    def build(width: int, height: int, depth: int, classes: int) -> "keras.Model":
        shape, _ = input_shape_and_axis(width, height, depth, classes, "ShallowNet")
        inputs = keras.Input(shape=shape, name="image")
        x = layers.Conv2D(32, (3, 3), padding="same", name="conv1")(inputs)
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.Flatten(name="flatten")(x)
        outputs = softmax_output(x, classes)
        return keras.Model(inputs, outputs, name="shallownet")
