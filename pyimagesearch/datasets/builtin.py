"""Data sets that need no folder of images: scikit-learn's digits and Iris, and MNIST."""

from pathlib import Path

import cv2
import numpy as np

from pyimagesearch._checks import integer
from pyimagesearch.errors import DatasetError, one_line

DIGIT_NAMES = [str(i) for i in range(10)]
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_digits(size=28):
    """scikit-learn's 8x8 digits as `size` x `size` uint8 images.

    Returns `(images, labels)`: uint8 `(1797, size, size)` and int `(1797,)`.

    >>> images, labels = load_digits(28)
    >>> images.shape, images.dtype, labels[:3].tolist()
    ((1797, 28, 28), dtype('uint8'), [0, 1, 2])
    """
    from sklearn.datasets import load_digits as sk_load_digits

    size = integer("size", size, minimum=8)
    digits = sk_load_digits()
    images = (digits.images * (255.0 / 16.0)).astype(np.float32)
    if size != 8:
        images = np.stack(
            [cv2.resize(im, (size, size), interpolation=cv2.INTER_CUBIC) for im in images]
        )
    images = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    return images, digits.target.astype(np.int64)


def load_iris():
    """scikit-learn's Iris: `(features (150, 4) float, labels (150,), class_names)`."""
    from sklearn.datasets import load_iris as sk_load_iris

    iris = sk_load_iris()
    return iris.data.astype(np.float64), iris.target.astype(np.int64), list(iris.target_names)


def load_mnist(path=None):
    """MNIST as `((x_train, y_train), (x_test, y_test))`, uint8 28x28 images.

    `path` is a `mnist.npz` in the Keras layout; `None` downloads it.

    Raises:
        DatasetError: the file is missing or not in that layout, or the
            download failed.
    """
    if path is None:
        return keras_download("mnist", "MNIST", "path='PATH/mnist.npz'")
    path = Path(path)
    if path.is_dir():
        path = path / "mnist.npz"
    if not path.is_file():
        raise DatasetError(f"MNIST file {path} does not exist. Received: path={str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in MNIST_KEYS if k not in f.files]
            if missing:
                raise DatasetError(f"{path} is not a Keras MNIST file: missing "
                                   f"{', '.join(missing)} (has {', '.join(f.files) or 'nothing'})")
            x_train, y_train, x_test, y_test = (f[k] for k in MNIST_KEYS)
    except DatasetError:
        raise
    except Exception as error:
        raise DatasetError(f"{path} is not a readable .npz file ({type(error).__name__})") from None
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),) or not len(x):
            raise DatasetError(f"{path}: MNIST's {split} split must be (n, 28, 28) images and "
                               f"(n,) labels, n >= 1. Received: x_{split} {x.shape}, y_{split} "
                               f"{y.shape}")
        if x.dtype != np.uint8:
            raise DatasetError(f"{path}: x_{split} must be uint8 pixels (0-255). Received: "
                               f"dtype {x.dtype}, values in [{x.min()}, {x.max()}]")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9:
            raise DatasetError(f"{path}: y_{split} must be digits 0-9. Received: dtype "
                               f"{y.dtype}, values in [{y.min()}, {y.max()}]")
    return (x_train, y_train), (x_test, y_test)


def keras_download(name, title, hint):
    """`keras.datasets.<name>.load_data()`, or a `DatasetError` naming `title` and `hint`."""
    import importlib

    try:
        return importlib.import_module(f"keras.datasets.{name}").load_data()
    except Exception as error:  # urllib/HTTP/OS errors: offline
        raise DatasetError(f"could not download {title} ({type(error).__name__}: "
                           f"{one_line(error, limit=160)}); pass the path of a local copy "
                           f"instead: {hint}") from None
