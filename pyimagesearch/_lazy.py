"""Names a package imports on first use (PEP 562 module `__getattr__`)."""

import importlib
import sys


def lazy_names(package, names):
    """A module `__getattr__` for `package` that imports `names` on first use.

    Used by the packages whose Keras-based names would otherwise import keras
    and TensorFlow (seconds, hundreds of MB) for users that only need the
    OpenCV/NumPy/h5py parts, e.g. a decoding thread of the HDF5 build.

    Args:
        package: the package's `__name__`.
        names: `{name: module}`, the module each name is defined in.

    Example:

    ```python
    # in pyimagesearch/io/__init__.py
    __getattr__ = lazy_names(__name__, {
        "HDF5DatasetGenerator": "pyimagesearch.io.hdf5datasetgenerator"})
    ```
    """

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        setattr(sys.modules[package], name, value)  # imported once
        return value

    return __getattr__
