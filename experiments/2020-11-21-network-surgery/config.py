"""What the network-surgery scripts share (2020-11-21-network-surgery).

`finetune.py` and `inspect_model.py` both build a registered ImageNet network
without its head at a chosen square size: `network` resolves the name and
checks the size once, before anything is loaded; `load_flowers` reads the
flowers at that size; `describe_phase` says what trains in a phase.

Example:

```python
import config

spec, size = config.network("mobilenet_v2", image_size=None)  # size 224
base = backbones.build_backbone(spec.name, weights=None, include_top=False,
                                input_shape=config.input_shape(size))
```
"""

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from pyimagesearch import harness
from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.nn import backbones
from pyimagesearch.nn.conv.common import image_shape
from pyimagesearch.preprocessing import AspectAwarePreprocessor
from pyimagesearch.utils import plot_history

MODEL = "vgg16"


def add_network_arguments(parser, weights, weights_help, image_size_help):
    """`--model`, `--weights` and `--image-size`, which both scripts take."""
    parser.add_argument("-m", "--model", default=MODEL,
                        help=f"network: {', '.join(backbones.backbone_names())}; default {MODEL}")
    parser.add_argument("-w", "--weights", default=weights, help=weights_help)
    parser.add_argument("--image-size", type=harness.positive_int, default=None,
                        help=image_size_help)


def network(model, image_size=None):
    """The registered backbone `model` and its input size.

    Args:
        model: a name from `pyimagesearch.nn.backbones` (`--model`).
        image_size: the square input size (`--image-size`); `None` for the
            network's own (224, or 299 for Inception and Xception).

    Returns:
        `(spec, size)`: the `Backbone` record and the size to build it at.

    Raises:
        PyImageSearchError: an unknown network, or a size below its minimum.
    """
    spec = backbones.get_backbone(model)
    size = image_size or spec.size
    if size < spec.min_size:
        raise PyImageSearchError(
            f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    return spec, size


def check_weights(weights):
    """`--weights`: imagenet, none or an existing file (checked before the run folder is used)."""
    if str(weights).lower() not in ("imagenet", "none") and not Path(weights).is_file():
        raise PyImageSearchError(f"--weights {weights}: no such file (pass imagenet, none, or "
                                 "the path of a weights file without top)")


def fine_tuning_start(spec, base, requested=None):
    """The index of the first base layer to fine-tune, checked against `base`."""
    start = backbones.unfreeze_index(spec.name, base) if requested is None else requested
    if not 0 <= start < len(base.layers):
        raise PyImageSearchError(f"--unfreeze-from {start}: {spec.name} has layers 0.."
                                 f"{len(base.layers) - 1} (see inspect_model.py)")
    return start


def network_input(spec):
    """The network's `preprocess_input` of a batch of uint8 images, cast to float32 first."""
    preprocess = backbones.preprocess_input(spec.name)
    return lambda images: preprocess(tf.cast(images, tf.float32))


def input_shape(size):
    """`(size, size, 3)`, or `(3, size, size)` with channels-first data."""
    return image_shape(size, size, 3)


def load_flowers(dataset, size, seed, verbose):
    """The flowers at the network's size (aspect-aware), RGB uint8, split 75/25.

    The images are channels first when `keras.config.image_data_format()`
    says so.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: class `i` is
        `class_names[i]` in every split.
    """
    # load the images at the network's size (aspect-aware), kept as
    # uint8, and turn OpenCV's BGR into the RGB the networks expect
    print("[INFO] loading images...")
    sdl = SimpleDatasetLoader(preprocessors=[AspectAwarePreprocessor(size, size)])
    data, labels = sdl.load(list_images(dataset), verbose=verbose)
    data = data[..., ::-1]
    if keras.config.image_data_format() == "channels_first":
        data = np.moveaxis(data, -1, 1)
    data = np.ascontiguousarray(data)

    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=0.25, seed=seed)


def describe_phase(name, model, epochs, optimizer, learning_rate):
    """What trains in a phase of `finetune.py`: printed, and kept in phases.json."""
    trainable, frozen = (int(sum(np.prod(w.shape) for w in weights))
                         for weights in (model.trainable_weights, model.non_trainable_weights))
    layers = [layer.name for layer in model.layers if layer.trainable and layer.weights]
    print(f"[INFO] {name}: {trainable:,} trainable parameters, {frozen:,} frozen; "
          f"{len(layers)} layers with trainable weights")
    return {"phase": name, "epochs": epochs, "optimizer": optimizer,
            "learning_rate": learning_rate, "trainable_params": trainable,
            "non_trainable_params": frozen, "trainable_layers": layers}


def save_warmup(run, history, title):
    """The warm-up's `history_warmup.json` and `training_plot_warmup.png`."""
    logs = {k: [float(v) for v in values] for k, values in history.history.items()}
    run.save("history_warmup.json", logs)
    plot_history(logs, run.path("training_plot_warmup.png"), title=title)
