"""Load a Keras model file with one-line errors.

`keras.saving.load_model` answers a file that is not a model with "File not
found", and a model holding a `Lambda` layer with a long explanation of
safe mode; `load_keras_model` checks the file first and turns every failure
into a `DatasetError` that names the file. Safe mode stays on: a model file
never runs Python code from its config.

Example:

```python
model = load_keras_model("outputs/run/model.keras", compile=False)
check_model_classes(model, class_names, path="outputs/run/model.keras")
```
"""

import zipfile
from pathlib import Path

from pyimagesearch.errors import DatasetError, one_line

__all__ = ["check_model_classes", "load_keras_model"]


def _check_file(path):
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    if path.suffix.lower() in (".h5", ".hdf5"):
        return  # a legacy model: Keras checks it
    is_model = path.suffix.lower() == ".keras" and zipfile.is_zipfile(path)
    if is_model:
        with zipfile.ZipFile(path) as archive:
            is_model = "config.json" in archive.namelist()
    if not is_model:
        raise DatasetError(f"{path}: not a Keras model file (a .keras archive written by "
                           "model.save)")


def load_keras_model(path, compile=True, **kwargs):
    """`keras.saving.load_model(path)` in safe mode, with one-line errors.

    Args:
        path: a ``.keras`` file (or a legacy ``.h5`` model).
        compile: load the optimizer and the loss too (to resume training).
        **kwargs: passed to `keras.saving.load_model` (not `safe_mode`).

    Raises:
        DatasetError: no such file, not a model file, a model that needs
            code to load (a `Lambda` layer), or any other failure to load it.
    """
    import keras

    if "safe_mode" in kwargs:
        raise ValueError("`safe_mode` cannot be turned off here: a model file must not run code")
    path = Path(path)
    _check_file(path)
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True, **kwargs)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError, OSError...
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise DatasetError(
                f"{path}: the model holds a Lambda layer (Python code), which safe mode "
                "refuses to run; rebuild it with registered layers instead of Lambda") from None
        raise DatasetError(f"{path}: cannot be loaded as a Keras model "
                           f"({type(error).__name__}: {one_line(error, limit=160)})") from None


def check_model_classes(model, class_names, path=None, source="the data"):
    """Check that `model` predicts one probability per class of `class_names`.

    Raises:
        DatasetError: the model's output size differs from the class count.
    """
    outputs = model.output_shape[-1]
    if outputs != len(class_names):
        raise DatasetError(
            f"{path or model.name} predicts {outputs} classes but {source} holds "
            f"{len(class_names)} ({', '.join(map(str, class_names))}); use the model trained "
            "on these classes")
