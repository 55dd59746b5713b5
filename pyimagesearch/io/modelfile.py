"""Load a Keras model file given on the command line, with one-line errors.

`keras.saving.load_model` answers a file that is not a model with "File not
found", and a model holding a `Lambda` layer with a long explanation of
safe mode; `load_keras_model` checks the file first and turns every failure
into a `DatasetError` that names the file and says what to do. Safe mode
stays on: a model file never runs Python code from its config.

Example:

```python
model = load_keras_model(args.model, flag="--model", compile=False)
check_model_classes(model, class_names, flag="--model", path=args.model)
```
"""

import zipfile
from pathlib import Path

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line

__all__ = ["check_model_classes", "load_keras_model"]

_LEGACY_SUFFIXES = (".h5", ".hdf5")


def _check_file(path, flag):
    if not path.is_file():
        raise DatasetError(f"{flag} {path}: no such file")
    if path.suffix.lower() in _LEGACY_SUFFIXES:
        return
    if path.suffix.lower() != ".keras" or not zipfile.is_zipfile(path):
        raise DatasetError(f"{flag} {path}: not a Keras model file (a .keras file written by "
                           "model.save); pass the model.keras a training run wrote")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    if "config.json" not in names:
        raise DatasetError(f"{flag} {path}: not a Keras model file (a .keras archive without "
                           "config.json); pass the model.keras a training run wrote")


def load_keras_model(path, flag="--model", compile=True, **kwargs):
    """`keras.saving.load_model(path)` in safe mode, with one-line errors.

    Args:
        path: a ``.keras`` file (or a legacy ``.h5`` model).
        flag: how the file was given, for the messages (``--model``).
        compile: load the optimizer and the loss too (to resume training).
        **kwargs: passed to `keras.saving.load_model` (not `safe_mode`).

    Raises:
        DatasetError: no such file, not a model file, a model that needs
            code to load (a `Lambda` layer: safe mode refuses it), or any
            other failure to load it.
    """
    import keras

    if "safe_mode" in kwargs:
        raise ValueError("`safe_mode` cannot be turned off here: a model file must not run code")
    path = Path(path)
    _check_file(path, flag)
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True, **kwargs)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError, OSError...
        message = str(error)
        if "safe_mode" in message or "Lambda" in message:
            raise DatasetError(
                f"{flag} {path}: the model holds a Lambda layer (Python code), which safe "
                "mode refuses to run; rebuild it with registered layers instead of Lambda"
            ) from None
        raise DatasetError(f"{flag} {path}: cannot be loaded as a Keras model "
                           f"({type(error).__name__}: {one_line(error, limit=160)})") from None


def check_model_classes(model, class_names, flag="--model", path=None, source="the data"):
    """Check that `model` predicts one probability per class of `class_names`.

    Raises:
        DatasetError: the model's output size differs from the class count.
    """
    outputs = model.output_shape[-1]
    if outputs != len(class_names):
        raise DatasetError(
            f"{flag} {path or model.name} predicts {outputs} classes but {source} holds "
            f"{len(class_names)} ({', '.join(map(str, class_names))}); use the model trained "
            "on these classes")
