import keras
from keras import layers

from pyimagesearch._checks import integer, positive_int
from pyimagesearch.nn.conv.common import softmax_output


class FCHeadNet:
    """The book's new fully-connected head for network surgery.

    FLATTEN => FC(D) => RELU => DROPOUT(0.5) => FC(classes) => SOFTMAX, put
    on the output of a headless base network (e.g. VGG16 with
    ``include_top=False``). As in the book, `build` returns the head's
    output *tensor*: make the model with ``keras.Model(base_model.input,
    head)``. The base's layers then keep their indices in ``model.layers``,
    so "unfreeze from layer 15" means the same layer in both.

    The layers are named ``head_flatten``, ``head_fc``, ``head_dropout``,
    ``head_predictions_dense`` and ``head_predictions``.

    Args (of `build`):
        base_model: a `keras.Model` with one output of known size.
        classes: the number of classes (>= 2).
        D: units of the hidden fully-connected layer.

    Example:

    >>> inputs = keras.Input((8, 8, 3))
    >>> base = keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))
    >>> head = FCHeadNet.build(base, classes=17, D=256)
    >>> keras.Model(base.input, head).output_shape
    (None, 17)
    """

    @staticmethod
    def build(base_model, classes, D):
        if not isinstance(base_model, keras.Model) or len(base_model.outputs) != 1:
            raise ValueError("`base_model` must be a keras.Model with one output. "
                             f"Received: base_model={base_model!r}")
        integer("classes", classes, minimum=2)
        positive_int("D", D)
        if None in base_model.output.shape[1:]:
            raise ValueError(
                "the output size of `base_model` must be known to flatten it: build the base "
                f"with a fixed `input_shape`. Received: output shape {base_model.output.shape}")

        # initialize the head model that will be placed on top of the base,
        # then add a FC layer
        head = layers.Flatten(name="head_flatten")(base_model.output)
        head = layers.Dense(D, activation="relu", name="head_fc")(head)
        head = layers.Dropout(0.5, name="head_dropout")(head)

        # add a softmax layer and return the model's head
        return softmax_output(head, classes, name="head_predictions")
