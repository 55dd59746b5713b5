"""ImageNet networks from `keras.applications`, each with its input size and preprocessing.

`unfreeze_from` indexes the headless network's `layers`: the first layer
fine-tuning trains again (the start of the last, lowest-resolution stage).

Example:

>>> base = build_backbone("mobilenet_v2", weights=None, include_top=False,
...                       input_shape=(32, 32, 3))
>>> features = base.predict(preprocess_input("mobilenet_v2")(np.zeros((1, 32, 32, 3))), verbose=0)
>>> features.shape
(1, 1, 1, 1280)
"""

import dataclasses
import importlib
import json
from pathlib import Path

import numpy as np

from pyimagesearch._checks import integer, one_of
from pyimagesearch.errors import DatasetError, PyImageSearchError, one_line


class UnknownBackboneError(PyImageSearchError, ValueError):
    """A network name that is not in the registry."""


@dataclasses.dataclass(frozen=True)
class Backbone:
    """One registered network.

    `module` is the `keras.applications` submodule of its `preprocess_input`;
    `unfreeze_anchor` is `(layer_name, offset)`: `unfreeze_from` is the layer
    `offset` places after `layer_name`.
    """

    name: str
    application: str
    module: str
    size: int
    min_size: int
    unfreeze_from: int
    unfreeze_anchor: tuple

    def constructor(self):
        return getattr(importlib.import_module("keras.applications"), self.application)

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

ALIASES = {"inception": "inception_v3", "resnet": "resnet50", "mobilenet": "mobilenet_v2"}


def backbone_names():
    """The registered names, in registry order."""
    return list(BACKBONES)


def get_backbone(name):
    """The `Backbone` record of `name` (or of an alias).

    Raises:
        UnknownBackboneError: (a `ValueError` too) the message lists the names.
    """
    key = str(name).strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in BACKBONES:
        raise UnknownBackboneError(
            f"unknown network {name!r}; choose one of: {', '.join(BACKBONES)} "
            f"(aliases: {', '.join(f'{a}={t}' for a, t in ALIASES.items())})")
    return BACKBONES[key]


def input_size(name):
    """The input size `name` was trained at (224, or 299 for Inception/Xception)."""
    return get_backbone(name).size


def preprocess_input(name):
    """`name`'s own `preprocess_input`: RGB images on a 0-255 scale in, the network's scale out.

    On a float NumPy array Keras scales *in place*: pass a copy to keep the pixels.
    """
    return get_backbone(name).preprocess_input()


def unfreeze_index(name, model=None):
    """Index of the first layer to fine-tune in `name`'s network (found in `model` if given).

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
        name: a registry name or alias.
        weights: ``"imagenet"``, ``None``/``"none"``, or an ``.h5`` weights file.
        pooling: ``None``, ``"avg"`` or ``"max"``; only without the top.
        input_shape: default: the network's own size, square.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        UnknownBackboneError: unknown `name`.
        DatasetError: a missing weights file, or one that does not fit.
        PyImageSearchError: Keras could not download the ImageNet weights.
    """
    from pyimagesearch.nn.conv.common import image_shape

    spec = get_backbone(name)
    # Keras ignores a pooling it does not know, and any pooling with the top
    one_of("pooling", pooling, (None, "avg", "max"))
    if pooling is not None and include_top:
        raise ValueError(f"`pooling` only applies without the top. Received: pooling={pooling!r}"
                         ", include_top=True")
    input_shape = input_shape or image_shape(spec.size, spec.size, 3)
    path = _weights_file(weights, spec)
    kwargs = dict(include_top=include_top, input_shape=input_shape)
    kwargs.update({"classes": classes} if include_top else {"pooling": pooling})
    if path is None and str(weights).lower() == "imagenet":
        try:
            return spec.constructor()(weights="imagenet", **kwargs)
        except ValueError:
            raise
        except Exception as error:  # Keras' get_file raises a bare Exception offline
            raise PyImageSearchError(
                f"could not download the ImageNet weights of {spec.name} ({one_line(error)}); "
                "offline, pass the path of a weights file: weights=PATH") from error
    model = spec.constructor()(weights=None, **kwargs)
    if path is not None:
        try:
            model.load_weights(path)
        except Exception as error:
            raise DatasetError(
                f"could not load it into {spec.name} (include_top={include_top}, "
                f"input_shape={tuple(input_shape)}): {one_line(error)}. Received: weights={path}"
            ) from error
    return model


def _weights_file(weights, spec):
    """The path of a weights file, or `None` for ``"imagenet"`` and ``None``/``"none"``."""
    if weights is None or str(weights).lower() in ("none", "imagenet"):
        return None
    path = Path(str(weights)).expanduser()
    if not path.is_file():
        raise DatasetError(f"no such file (pass 'imagenet', None, or the path of a "
                           f"{spec.application} weights file). Received: weights={weights}")
    if path.name.endswith(".weights.h5"):
        # Keras' native loader cannot read the keras-applications layout
        raise DatasetError("a keras.applications weights file must end in .h5 but not "
                           f".weights.h5: rename (or link) it. Received: weights={weights}")
    return str(path)


def load_imagenet_class_index(path):
    """Read an ImageNet class index JSON: entry `i` is the `(wnid, label)` of class `i`.

    Raises:
        DatasetError: missing file, not JSON, or not ``{"0": [wnid, label], ...}``.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"ImageNet class index {path}: no such file")
    try:
        raw = json.loads(path.read_text())
        index = [raw[str(i)] for i in range(len(raw))]
    except (ValueError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: not a JSON file ({one_line(error)})") from None
    except (KeyError, TypeError):
        index = None
    if not index or not all(isinstance(e, list) and len(e) == 2
                            and all(isinstance(s, str) for s in e) for e in index):
        raise DatasetError(f'{path}: expected {{"0": ["n01440764", "tench"], ...}} with keys '
                           "0..N-1")
    return [tuple(entry) for entry in index]


def decode_predictions(preds, class_index, top=5):
    """The `top` `(wnid, label, probability)` of every row of `preds`, best first.

    >>> index = [("n0", "cat"), ("n1", "dog"), ("n2", "panda")]
    >>> decode_predictions([[0.2, 0.7, 0.1]], index, top=2)
    [[('n1', 'dog', 0.7), ('n0', 'cat', 0.2)]]
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != len(class_index):
        raise ValueError(f"`preds` must have shape (samples, {len(class_index)}) to match the "
                         f"class index. Received: preds.shape={preds.shape}")
    top = integer("top", top, 1, preds.shape[1])
    return [[(*class_index[i], float(row[i])) for i in np.argsort(-row, kind="stable")[:top]]
            for row in preds]
