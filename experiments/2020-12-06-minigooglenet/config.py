"""What `train.py` and `report.py` share: the model, built and reloaded.

- `build_model(train_x, classes)`: MiniGoogLeNet whose first layer
  subtracts the per-pixel mean of `train_x` (pass the training images only),
  so the saved model predicts on raw pixels (0-255).
- `load_model(path, classes)`: reload a saved model, with a one-line error
  when the file is missing, does not load, or predicts another number of
  classes.
"""

from pathlib import Path

import keras

from pyimagesearch.errors import DatasetError
from pyimagesearch.nn.conv import MiniGoogLeNet
from pyimagesearch.preprocessing import pixel_mean_layer

STUDY = "2020-12-06-minigooglenet"
DATASET_HELP = ("cifar10 (a local copy under $DATASETS_DIR, else Keras' download), a "
                "{train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
                "(default: cifar10)")


def build_model(train_x, classes):
    """MiniGoogLeNet (32x32x3) that subtracts the mean image of `train_x` first.

    Args:
        train_x: the training images only (raw pixels, in the model's
            channel order); their mean image becomes the model's first layer.
        classes: the number of classes.
    """
    # the per-pixel mean of the training images, computed once, saved with the model
    mean = pixel_mean_layer(train_x, name="pixel_mean")
    return MiniGoogLeNet.build(width=32, height=32, depth=3, classes=classes,
                               preprocessing=mean)


def load_model(path, classes):
    """Reload a model saved by `train.py`; it must predict `classes` classes.

    Raises:
        DatasetError: the file is missing, is not a Keras model, or predicts
            another number of classes.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"--model {path}: no such file (train.py writes model.keras)")
    if path.suffix != ".keras":
        raise DatasetError(f"--model {path}: expected a Keras 3 .keras file")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # a corrupt or foreign file
        reason = " ".join(str(error).split())[:160]
        raise DatasetError(f"--model {path} does not load as a Keras model "
                           f"({type(error).__name__}: {reason})") from None
    if model.output_shape[-1] != classes:
        raise DatasetError(f"--model {path} predicts {model.output_shape[-1]} classes; "
                           f"CIFAR-10 has {classes}")
    return model
