"""Data sets that need no folder of images: scikit-learn's and MNIST.

- `load_digits(size)`: scikit-learn's bundled 8x8 handwritten digits (1,797
  images), upscaled to `size` x `size` uint8 images like MNIST's. Ships with
  scikit-learn: no download.
- `load_iris()`: scikit-learn's bundled Iris (150 x 4 features, 3 classes).
- `load_mnist(path=None)`: MNIST from a `mnist.npz` file in the Keras layout,
  or through `keras.datasets.mnist` (downloads once where the network allows).
"""

from pathlib import Path

import cv2
import numpy as np

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line

DIGIT_NAMES = [str(i) for i in range(10)]
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_digits(size: int = 28) -> tuple:
    """scikit-learn's 8x8 digits as `size` x `size` uint8 images.

    The 0-16 intensities are scaled to 0-255 and the images resized with
    bicubic interpolation, so they look like (blurry) MNIST digits.

    Returns:
        `(images, labels)`: uint8 `(1797, size, size)` and int `(1797,)`.

    Example:

    >>> images, labels = load_digits(28)
    >>> images.shape, images.dtype, labels[:3].tolist()
    ((1797, 28, 28), dtype('uint8'), [0, 1, 2])
    """
    from sklearn.datasets import load_digits as sk_load_digits

    if int(size) < 8:
        raise ValueError(f"`size` must be >= 8. Received: size={size}")
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


def load_mnist(path=None) -> tuple:
    """MNIST as `((x_train, y_train), (x_test, y_test))`, uint8 28x28 images.

    Args:
        path: a `mnist.npz` in the Keras layout (`x_train`, `y_train`,
            `x_test`, `y_test`). `None` downloads through
            `keras.datasets.mnist` (cached in ~/.keras/datasets).

    Raises:
        DatasetError: the file is missing or not in that layout, or the
            download failed (offline): pass the path of a `mnist.npz`.
    """
    if path is None:
        return keras_download("mnist", "MNIST", "PATH/mnist.npz")
    path = Path(path)
    if path.is_dir():
        path = path / "mnist.npz"
    if not path.is_file():
        raise DatasetError(f"MNIST file {path} does not exist; pass --dataset PATH/mnist.npz")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in MNIST_KEYS if k not in f.files]
            if missing:
                raise DatasetError(
                    f"{path} is not a Keras MNIST file: missing {', '.join(missing)} "
                    f"(has {', '.join(f.files) or 'nothing'})"
                )
            x_train, y_train, x_test, y_test = (f[k] for k in MNIST_KEYS)
    except DatasetError:
        raise
    except Exception as error:
        raise DatasetError(f"{path} is not a readable .npz file ({type(error).__name__})") from None
    if x_train.ndim != 3 or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise DatasetError(
            f"{path}: unexpected shapes x_train {x_train.shape}, y_train {y_train.shape}, "
            f"x_test {x_test.shape}, y_test {y_test.shape}"
        )
    return (x_train, y_train), (x_test, y_test)


def keras_download(name, title, hint):
    """`keras.datasets.<name>.load_data()`, or a one-line `DatasetError` when offline.

    Args:
        name: the `keras.datasets` module (``"mnist"``, ``"cifar10"``).
        title: the data set's name in the message.
        hint: what to pass instead, e.g. ``"PATH/mnist.npz"``.
    """
    import importlib

    try:
        return importlib.import_module(f"keras.datasets.{name}").load_data()
    except Exception as error:  # urllib/HTTP/OS errors: offline
        raise DatasetError(
            f"could not download {title} ({type(error).__name__}: {one_line(error, limit=160)}); "
            f"pass --dataset {hint}"
        ) from None
