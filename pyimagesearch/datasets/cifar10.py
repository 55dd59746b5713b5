"""CIFAR-10 from a folder of PNG files, the official python batches, or Keras' download."""

import collections
import importlib
import logging
import os
import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from pyimagesearch._checks import positive_int
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import load_image
from pyimagesearch.errors import one_line
from pyimagesearch.utils.progress import progress_bar

logger = logging.getLogger(__name__)

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]
BATCH_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
IMAGE_SHAPE = (32, 32, 3)


def load_cifar10(path=None, workers=None, verbose=1):
    """CIFAR-10 as `((x_train, y_train), (x_test, y_test))`.

    Args:
        path: a folder of ``{train,test}/<class>/*.png``, the
            ``cifar-10-batches-py`` folder (or one that contains it), or
            `None` to download through `keras.datasets.cifar10`.
        workers: threads that decode PNG files.

    Returns:
        uint8 RGB images `(N, 32, 32, 3)` and int64 labels `(N,)`.

    Raises:
        DatasetError: a missing or unknown folder, a missing, unknown or
            unreadable file, or a failed download.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = load_cifar10("datasets/cifar10")  # doctest: +SKIP
    >>> x_train.shape[1:], x_train.dtype, CIFAR10_CLASSES[y_train[0]]  # doctest: +SKIP
    ((32, 32, 3), dtype('uint8'), 'airplane')
    """
    if workers is not None:
        positive_int("workers", workers)
    if path is None:
        return _download()
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"CIFAR-10 folder {path} does not exist. Received: path={str(path)!r}")
    if not path.is_dir():
        raise DatasetError(f"{path} is a file; CIFAR-10 is read from a folder: "
                           f"{{train,test}}/<class>/*.png or {BATCH_FOLDER}/")
    if (path / BATCH_FOLDER).is_dir():
        return _load_batches(path / BATCH_FOLDER)
    if any((path / name).exists() for name in (*TRAIN_BATCHES, TEST_BATCH)):
        return _load_batches(path)
    if (path / "train").is_dir() or (path / "test").is_dir():
        return _load_png_folder(path, workers, verbose)
    raise DatasetError(f"{path} is not a CIFAR-10 folder: expected train/ and test/ folders of "
                       f"<class>/*.png, or the python batches ({BATCH_FOLDER}/data_batch_1..5, "
                       "test_batch)")


def _download():
    from pyimagesearch.datasets.builtin import keras_download

    (x_train, y_train), (x_test, y_test) = keras_download(
        "cifar10", "CIFAR-10", "path='PATH' (a {train,test}/<class>/*.png folder or "
        f"{BATCH_FOLDER}/)")
    if x_train.shape[1:] == (3, 32, 32):  # Keras returns channels_first when so configured
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return ((np.ascontiguousarray(x_train), y_train.reshape(-1).astype(np.int64)),
            (np.ascontiguousarray(x_test), y_test.reshape(-1).astype(np.int64)))


def _load_batches(folder):
    missing = [name for name in (*TRAIN_BATCHES, TEST_BATCH) if not (folder / name).is_file()]
    if missing:
        raise DatasetError(f"CIFAR-10 batches in {folder} are incomplete: missing "
                           f"{', '.join(missing)}")
    train = [_read_batch(folder / name) for name in TRAIN_BATCHES]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    x_test, y_test = _read_batch(folder / TEST_BATCH)
    return (x_train, y_train), (x_test, y_test)


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler that builds only what a CIFAR-10 batch holds (arrays): no code runs."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"): ("numpy", "ndarray"),
        ("numpy", "dtype"): ("numpy", "dtype"),
        ("_codecs", "encode"): ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        target = self.ALLOWED.get((module, name))
        if target is None:
            raise pickle.UnpicklingError(f"it asks to run {module}.{name}")
        return getattr(importlib.import_module(target[0]), target[1])


def _read_batch(path):
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
    except pickle.UnpicklingError as error:
        raise DatasetError(
            f"{path} is not a CIFAR-10 batch and was refused: {one_line(error)} (a CIFAR-10 "
            "batch holds only arrays and lists; use the official cifar-10-batches-py files)"
        ) from None
    except Exception as error:
        raise DatasetError(
            f"{path} is not a readable CIFAR-10 batch ({type(error).__name__})"
        ) from None
    if not isinstance(batch, dict):
        raise DatasetError(f"{path} is not a CIFAR-10 batch: expected a dict, "
                           f"found {type(batch).__name__}")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise DatasetError(f"{path} is not a CIFAR-10 batch: it lacks b'data' or b'labels' "
                           f"(has {', '.join(map(str, batch)) or 'nothing'})")
    data = np.asarray(batch["data"])
    labels = np.asarray(batch["labels"]).reshape(-1)
    if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise DatasetError(f"{path}: expected data of shape (N, 3072) and N labels, found data "
                           f"{data.shape} and {len(labels)} labels")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CIFAR10_CLASSES)):
        raise DatasetError(f"{path}: labels outside 0..9 "
                           f"(from {labels.min()} to {labels.max()})")
    # each row holds the red, green then blue 32x32 planes
    images = data.astype(np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


def _load_png_folder(root, workers, verbose):
    for split in ("train", "test"):
        if not (root / split).is_dir():
            raise DatasetError(f"CIFAR-10 folder {root} has no {split}/ folder; expected "
                               f"{root}/{{train,test}}/<class>/*.png")
    return (_load_png_split(root / "train", workers, verbose),
            _load_png_split(root / "test", workers, verbose))


def _list_png_split(folder):
    paths, labels = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            raise DatasetError(f"{entry} is a file; {folder} must hold one folder per class "
                               f"({', '.join(CIFAR10_CLASSES)})")
        if entry.name not in CIFAR10_CLASSES:
            raise DatasetError(f"unknown CIFAR-10 class folder {entry}; the classes are "
                               f"{', '.join(CIFAR10_CLASSES)}")
        files = sorted(p for p in entry.iterdir()
                       if p.suffix.lower() == ".png" and not p.name.startswith("."))
        paths.extend(files)
        labels.extend([CIFAR10_CLASSES.index(entry.name)] * len(files))
    if not paths:
        raise DatasetError(f"{folder} holds no PNG files in <class>/*.png")
    return paths, np.asarray(labels, dtype=np.int64)


def _read_png(path):
    image = load_image(path)
    if image.shape != IMAGE_SHAPE:
        raise DatasetError(f"{path} is {image.shape[1]}x{image.shape[0]}; CIFAR-10 images are "
                           "32x32")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)  # OpenCV reads BGR; Keras' CIFAR is RGB


def _load_png_split(folder, workers, verbose):
    paths, labels = _list_png_split(folder)
    images = np.empty((len(paths), *IMAGE_SHAPE), dtype=np.uint8)
    workers = workers or max(4, os.cpu_count() or 1)
    bar = progress_bar(len(paths), f"loading {folder.name}", verbose)
    # OpenCV's decoder releases the GIL, so threads decode in parallel
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i, image in enumerate(pool.map(_read_png, paths)):
            images[i] = image
            if (i + 1) % 256 == 0 or i + 1 == len(paths):
                bar.update(i + 1)
    bar.finish()
    return images, labels


CifarData = collections.namedtuple("CifarData", "train_x train_y test_x test_y")


def load_cifar10_for_training(source=None, scale=True, verbose=1):
    """CIFAR-10 ready for a Keras classifier: float32 images, one-hot labels.

    Args:
        source: ``None`` or ``"cifar10"`` (Keras' download), or a folder.
        scale: divide the pixels by 255.

    Returns:
        A `CifarData`: images in `keras.config.image_data_format()` order,
        one-hot labels.

    Example:

    >>> data = load_cifar10_for_training("datasets/cifar10")  # doctest: +SKIP
    >>> data.train_x.dtype, data.train_y.shape[1]  # doctest: +SKIP
    (dtype('float32'), 10)
    """
    import keras

    from pyimagesearch.nn.conv.common import channel_axis

    logger.info("loading CIFAR-10...")
    (train_x, train_y), (test_x, test_y) = load_cifar10(
        None if source in (None, "cifar10") else source, verbose=verbose)
    train_x, test_x = train_x.astype("float32"), test_x.astype("float32")
    if scale:
        train_x /= 255.0
        test_x /= 255.0
    train_x = np.ascontiguousarray(np.moveaxis(train_x, -1, channel_axis()))
    test_x = np.ascontiguousarray(np.moveaxis(test_x, -1, channel_axis()))
    classes = len(CIFAR10_CLASSES)
    train_y = keras.utils.to_categorical(train_y, classes)
    test_y = keras.utils.to_categorical(test_y, classes)
    logger.info(f"{len(train_x)} training and {len(test_x)} test images")
    return CifarData(train_x, train_y, test_x, test_y)
