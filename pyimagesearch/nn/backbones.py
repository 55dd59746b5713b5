"""ImageNet networks from `keras.applications`, looked up by name.

The Practitioner Bundle uses networks pre-trained on ImageNet three ways:
as classifiers, as feature extractors and as the body of a fine-tuned
network. Each network comes with its own
input size and its own `preprocess_input` (the pixel scaling it was trained
with: "caffe" mean subtraction in BGR for VGG and ResNet, [-1, 1] for
Inception, Xception and MobileNetV2, ...). Mixing one network with another's
preprocessing silently costs accuracy, so this registry keeps the three
together:

| name | application | input | unfreeze_from (fine-tuning) |
|---|---|---|---|
| `vgg16` | `VGG16` | 224 | 15 = `block5_conv1` (the book's choice) |
| `vgg19` | `VGG19` | 224 | 17 = `block5_conv1` |
| `resnet50` | `ResNet50` | 224 | 143 = `conv5_block1_1_conv` (stage 5) |
| `inception_v3` | `InceptionV3` | 299 | 249 = first layer after `mixed8` (top 2 blocks) |
| `xception` | `Xception` | 299 | 116 = `block13_sepconv1_act` (the exit flow) |
| `mobilenet_v2` | `MobileNetV2` | 224 | 116 = `block_13_expand` (blocks 13-16, `Conv_1`) |
| `densenet121` | `DenseNet121` | 224 | 313 = `conv5_block1_0_bn` (dense block 5) |
| `efficientnet_b0` | `EfficientNetB0` | 224 | 162 = `block6a_expand_conv` (stages 6, 7) |

The book's names `inception` and `resnet` are accepted as aliases.

`unfreeze_from` is the index, in the headless network's `layers`, of the
first layer that fine-tuning trains again: like the book's VGG16 index 15
(the start of the last convolutional block), each default is the start of
the network's last stage at the lowest resolution. `unfreeze_index(name,
model)` finds it by the layer's name in a built model (robust to other
Keras versions), falling back to the number. For InceptionV3 the choice
is Keras' own fine-tuning guide (train the top two inception blocks); for
MobileNetV2 it is the last inverted-residual stage at 7x7 (blocks 13 to 16
and `Conv_1`: 1.66 M of its 2.26 M parameters, BN aside).

Example:

```python
from pyimagesearch.nn.backbones import build_backbone, preprocess_input, input_size

base = build_backbone("mobilenet_v2", weights=None, include_top=False)
size = input_size("mobilenet_v2")                 # 224
features = base.predict(preprocess_input("mobilenet_v2")(images))
```
"""

import dataclasses
import importlib
import json
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.errors import one_line


class UnknownBackboneError(PyImageSearchError, ValueError):
    """A network name that is not in the registry."""


@dataclasses.dataclass(frozen=True)
class Backbone:
    """One registered network.

    Attributes:
        name: the registry name (``"vgg16"``).
        application: the constructor's name in `keras.applications`.
        module: the `keras.applications` submodule holding its
            `preprocess_input` (and `decode_predictions`).
        size: the input size it was trained at (square).
        min_size: the smallest input Keras accepts without the top.
        unfreeze_from: default first layer index to fine-tune.
        unfreeze_anchor: `(layer_name, offset)`: the layer `unfreeze_from`
            points at is the one `offset` places after `layer_name`.
    """

    name: str
    application: str
    module: str
    size: int
    min_size: int
    unfreeze_from: int
    unfreeze_anchor: tuple

    def constructor(self):
        import keras

        return getattr(keras.applications, self.application)

    def preprocess_input(self):
        return importlib.import_module(f"keras.applications.{self.module}").preprocess_input


BACKBONES = {
    b.name: b
    for b in (
        Backbone("vgg16", "VGG16", "vgg16", 224, 32, 15, ("block5_conv1", 0)),
        Backbone("vgg19", "VGG19", "vgg19", 224, 32, 17, ("block5_conv1", 0)),
        Backbone("resnet50", "ResNet50", "resnet50", 224, 32, 143, ("conv5_block1_1_conv", 0)),
        Backbone("inception_v3", "InceptionV3", "inception_v3", 299, 75, 249, ("mixed8", 1)),
        Backbone("xception", "Xception", "xception", 299, 71, 116, ("block13_sepconv1_act", 0)),
        Backbone("mobilenet_v2", "MobileNetV2", "mobilenet_v2", 224, 32, 116,
                 ("block_13_expand", 0)),
        Backbone("densenet121", "DenseNet121", "densenet", 224, 32, 313,
                 ("conv5_block1_0_bn", 0)),
        Backbone("efficientnet_b0", "EfficientNetB0", "efficientnet", 224, 32, 162,
                 ("block6a_expand_conv", 0)),
    )
}

# the names the book's scripts used (`--model inception`, `--model resnet`)
ALIASES = {"inception": "inception_v3", "resnet": "resnet50", "mobilenet": "mobilenet_v2"}


def backbone_names():
    """The registered names, in registry order."""
    return list(BACKBONES)


def get_backbone(name):
    """The `Backbone` record of `name` (an alias is resolved).

    Raises:
        PyImageSearchError: (a `ValueError` too) for an unknown name; the
            message lists the valid names on one line.
    """
    key = str(name).strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in BACKBONES:
        raise UnknownBackboneError(
            f"unknown network {name!r}; choose one of: {', '.join(BACKBONES)} "
            f"(aliases: {', '.join(f'{a}={t}' for a, t in ALIASES.items())})"
        )
    return BACKBONES[key]


def input_size(name):
    """The input size `name` was trained at (224, or 299 for Inception/Xception)."""
    return get_backbone(name).size


def preprocess_input(name):
    """`name`'s own `preprocess_input` function.

    It takes RGB images on a 0-255 scale (NumPy or tensors). Note that on a
    float NumPy array Keras scales *in place*: pass a copy if you need the
    original pixels.
    """
    return get_backbone(name).preprocess_input()


def unfreeze_index(name, model=None):
    """Index of the first layer to fine-tune in `name`'s network.

    With a built `model` (the headless backbone, or a model built on
    `backbone.input` so that the backbone's layers come first), the index is
    found from the anchor layer's name; otherwise, or when the anchor is not
    there, the registry's number is returned.

    Example:

    >>> unfreeze_index("vgg16")
    15
    """
    spec = get_backbone(name)
    if model is not None:
        layer_name, offset = spec.unfreeze_anchor
        for i, layer in enumerate(model.layers):
            if layer.name == layer_name:
                return i + offset
    return spec.unfreeze_from


def build_backbone(name, weights="imagenet", include_top=True, pooling=None, input_shape=None,
                   classes=1000):
    """Build a registered `keras.applications` network.

    Args:
        name: a registry name (see `backbone_names()`) or alias.
        weights: ``"imagenet"`` (downloaded by Keras, cached under
            ``~/.keras/models``), ``None`` or ``"none"`` (random weights), or
            the path of a weights file for that application (``.h5``).
        include_top: keep the ImageNet classifier (1000 classes).
        pooling: ``None`` (the last feature map, e.g. 7x7x512 for VGG16),
            ``"avg"`` or ``"max"`` (one vector per image); only without top.
        input_shape: e.g. ``(224, 224, 3)``; default: the network's own size,
            square, in `keras.config.image_data_format()` order. Without the
            top any size from the network's minimum up is allowed.
        classes: classes of the top (only with ``weights=None``).

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        UnknownBackboneError: unknown `name`.
        DatasetError: `weights` is a path that does not exist, or a file
            that does not fit this network.
        PyImageSearchError: ``weights="imagenet"`` but Keras could not
            download them (offline): pass the file's path instead.
        ValueError: a bad `pooling` or `input_shape`.

    Example:

    ```python
    base = build_backbone("vgg16", weights=None, include_top=False,
                          input_shape=(64, 64, 3))
    base.output_shape  # (None, 2, 2, 512)
    ```
    """
    import keras

    spec = get_backbone(name)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"`pooling` must be None, 'avg' or 'max'. Received: pooling={pooling!r}")
    if pooling is not None and include_top:
        raise ValueError(
            f"`pooling` only applies without the top. Received: pooling={pooling!r}, "
            "include_top=True"
        )
    channels_first = keras.config.image_data_format() == "channels_first"
    if input_shape is None:
        from pyimagesearch.nn.conv.common import image_shape

        input_shape = image_shape(spec.size, spec.size, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or not all(isinstance(d, int) and d > 0 for d in input_shape):
        raise ValueError(
            "`input_shape` must be 3 positive integers (height, width, channels). "
            f"Received: input_shape={input_shape!r}"
        )
    spatial = input_shape[1:] if channels_first else input_shape[:2]
    if min(spatial) < spec.min_size:
        raise ValueError(
            f"{spec.name} needs inputs of at least {spec.min_size}x{spec.min_size}. "
            f"Received: input_shape={input_shape!r}"
        )

    weights_arg, source = _resolve_weights(weights, spec)
    kwargs = dict(weights=weights_arg, include_top=include_top, input_shape=input_shape)
    if include_top:
        kwargs["classes"] = classes
    else:
        kwargs["pooling"] = pooling
    try:
        return spec.constructor()(**kwargs)
    except ValueError as error:
        if source == "path":
            raise DatasetError(
                f"--weights {weights}: could not load it into {spec.name} "
                f"(include_top={include_top}, input_shape={input_shape}): "
                f"{one_line(error)}"
            ) from error
        raise
    except Exception as error:  # Keras' get_file raises a bare Exception offline
        if source == "imagenet":
            raise PyImageSearchError(
                f"could not download the ImageNet weights of {spec.name} "
                f"({one_line(error)}); offline, pass a weights file with --weights PATH"
            ) from error
        if source == "path":
            raise DatasetError(
                f"--weights {weights}: could not load it into {spec.name} "
                f"(include_top={include_top}): {one_line(error)}"
            ) from error
        raise


def _resolve_weights(weights, spec):
    """`(argument for keras, "imagenet" | "none" | "path")`."""
    if weights is None or (isinstance(weights, str) and weights.lower() == "none"):
        return None, "none"
    if isinstance(weights, str) and weights.lower() == "imagenet":
        return "imagenet", "imagenet"
    path = Path(str(weights)).expanduser()
    if not path.is_file():
        raise DatasetError(
            f"--weights {weights}: no such file (pass imagenet, none, or the path of "
            f"a {spec.application} weights file)"
        )
    if path.name.endswith(".weights.h5"):
        # Keras sends *.weights.h5 to its native loader, which cannot read
        # the keras-applications (legacy HDF5) layout
        raise DatasetError(
            f"--weights {weights}: a keras.applications weights file must end in .h5 "
            "but not .weights.h5; rename (or link) it"
        )
    return str(path), "path"


# ---------------------------------------------------------------------------
# ImageNet labels
# ---------------------------------------------------------------------------
def load_imagenet_class_index(path):
    """Read an ImageNet class index (the JSON `decode_predictions` downloads).

    The format: ``{"0": ["n01440764", "tench"], ..., "999": [...]}``.

    Returns:
        A list: entry `i` is the `(wnid, label)` pair of class `i`.

    Raises:
        DatasetError: missing file, not JSON, or not that layout.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"--labels {path}: no such file")
    try:
        raw = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise DatasetError(f"--labels {path}: not a JSON file ({one_line(error)})") from None
    try:
        index = [raw[str(i)] for i in range(len(raw))]
        if not all(len(entry) == 2 and all(isinstance(s, str) for s in entry) for entry in index):
            raise TypeError
    except (KeyError, TypeError):
        raise DatasetError(
            f"--labels {path}: expected {{\"0\": [\"n01440764\", \"tench\"], ...}} with "
            "keys 0..N-1"
        ) from None
    return [tuple(entry) for entry in index]


def decode_predictions(preds, class_index, top=5):
    """The `top` classes of every row of `preds`, best first.

    Like `keras.applications.imagenet_utils.decode_predictions`, but from a
    class index already in memory (no download).

    Args:
        preds: probabilities, shape `(n, classes)`.
        class_index: list of `(wnid, label)` (see `load_imagenet_class_index`).
        top: how many classes per row.

    Returns:
        A list (one per row) of lists of `(wnid, label, probability)`.

    Example:

    >>> index = [("n0", "cat"), ("n1", "dog"), ("n2", "panda")]
    >>> decode_predictions([[0.2, 0.7, 0.1]], index, top=2)
    [[('n1', 'dog', 0.7), ('n0', 'cat', 0.2)]]
    """
    import numpy as np

    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != len(class_index):
        raise ValueError(
            f"`preds` must have shape (samples, {len(class_index)}) to match the class "
            f"index. Received: preds.shape={preds.shape}"
        )
    if not 1 <= int(top) <= preds.shape[1]:
        raise ValueError(f"`top` must be in [1, {preds.shape[1]}]. Received: top={top!r}")
    results = []
    for row in preds:
        best = np.argsort(-row, kind="stable")[: int(top)]
        results.append([(*class_index[i], float(row[i])) for i in best])
    return results
