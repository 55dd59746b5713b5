import keras
from keras import layers


class FCHeadNet:
    """The book's new fully-connected head for network surgery.

    FLATTEN => FC(D) => RELU => DROPOUT(0.5) => FC(classes) => SOFTMAX, put
    on the output of a headless base network (e.g. VGG16 with
    ``include_top=False``). As in the book, `build` returns the head's
    output *tensor*; make the model with
    ``keras.Model(base_model.input, head)``. The
    base's layers then come first in ``model.layers`` at the same indices,
    so "unfreeze from layer 15" means the same layer in both.

    Every layer is named (``head_flatten``, ``head_fc``, ``head_dropout``,
    ``head_predictions_dense``, ``head_predictions``); the softmax runs in
    float32, which keeps it stable under mixed precision.

    Args (of `build`):
        base_model: a `keras.Model` with one output of known size.
        classes: the number of classes (>= 2).
        D: units of the hidden fully-connected layer.

    Example:

    ```python
    base = VGG16(weights="imagenet", include_top=False,
                 input_shape=(224, 224, 3))
    head = FCHeadNet.build(base, classes=17, D=256)
    model = keras.Model(inputs=base.input, outputs=head)
    ```
    """

    @staticmethod
    def build(base_model: "keras.Model", classes: int, D: int):
        if not isinstance(base_model, keras.Model):
            raise ValueError(
                f"FCHeadNet.build: `base_model` must be a keras.Model. Received: {base_model!r}"
            )
        if len(base_model.outputs) != 1:
            raise ValueError(
                "FCHeadNet.build: `base_model` must have exactly one output. Received "
                f"{len(base_model.outputs)} outputs"
            )
        for arg, value, low in (("classes", classes, 2), ("D", D, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(
                    f"FCHeadNet.build: `{arg}` must be an integer >= {low}. "
                    f"Received: {arg}={value!r}"
                )
        shape = base_model.output.shape[1:]
        if any(d is None for d in shape):
            raise ValueError(
                "FCHeadNet.build: the base's output size must be known to flatten it; build "
                "the base with a fixed `input_shape`. Received output shape "
                f"{base_model.output.shape}"
            )

        # initialize the head model that will be placed on top of the base,
        # then add a FC layer
        head = base_model.output
        head = layers.Flatten(name="head_flatten")(head)
        head = layers.Dense(D, activation="relu", name="head_fc")(head)
        head = layers.Dropout(0.5, name="head_dropout")(head)

        # add a softmax layer (in float32, safe under mixed precision)
        head = layers.Dense(classes, name="head_predictions_dense")(head)
        head = layers.Activation("softmax", dtype="float32", name="head_predictions")(head)

        # return the model's head
        return head
