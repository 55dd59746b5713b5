"""Load a folder of images into memory, label = parent folder's name."""

import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from pyimagesearch._checks import positive_int
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import read_image

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")


def list_images(base_path, extensions=IMAGE_EXTENSIONS):
    """Sorted paths of the image files below `base_path` (any depth).

    Raises:
        DatasetError: the folder does not exist or holds no image files.

    Example:

    >>> paths = list_images("datasets/animals")  # doctest: +SKIP
    >>> paths[0]  # doctest: +SKIP
    'datasets/animals/cats/cats_00001.jpg'
    """
    base = Path(base_path)
    if not base.is_dir():
        raise DatasetError(f"image folder {base} does not exist (or is not a folder)")
    paths = sorted(str(p) for p in base.rglob("*")
                   if p.suffix.lower() in extensions and p.is_file())
    if not paths:
        raise DatasetError(f"image folder {base} holds no image files ({', '.join(extensions)});"
                           " expected <folder>/<class>/<image>")
    _warn_empty_class_folders(base, paths)
    return paths


def _warn_empty_class_folders(base, paths):
    """Warn about the sub-folders of `base` that hold none of `paths` (a class would vanish)."""
    used = {Path(p).relative_to(base).parts[0] for p in paths if Path(p).parent != base}
    empty = sorted(entry.name for entry in base.iterdir()
                   if entry.is_dir() and not entry.name.startswith(".") and entry.name not in used)
    if empty:
        warnings.warn(f"{base}: class folder(s) {', '.join(empty)} hold no image files and are "
                      "left out of the classes", stacklevel=3)


def list_labelled_images(folder, label_from=None, extensions=IMAGE_EXTENSIONS):
    """Sorted image paths of `folder` and a label for each.

    `folder` is a ``<class>/<image>`` tree, or, with `label_from` (a function
    `f(path) -> str`), a flat folder of images. Returns `(paths, labels)`.

    Raises:
        DatasetError: no such folder, no images, or fewer than 2 classes.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("cat.1.jpg", "dog.1.jpg", "dog.2.jpg"):
    ...     _ = (root / name).write_bytes(b"")
    >>> list_labelled_images(root, label_from=lambda p: pathlib.Path(p).name.split(".")[0])[1]
    ['cat', 'dog', 'dog']
    """
    base = Path(folder)
    if not base.is_dir():
        raise DatasetError(f"image folder {base}: no such folder")
    pattern = "*/*" if label_from is None else "*"
    paths = sorted(str(p) for p in base.glob(pattern)
                   if p.suffix.lower() in extensions and p.is_file())
    if not paths:
        layout = "<class>/<image>" if label_from is None else "image files"
        raise DatasetError(f"image folder {base}: no images ({layout}) in it")
    if label_from is None:
        labels = [Path(p).parent.name for p in paths]
        _warn_empty_class_folders(base, paths)
    else:
        labels = [label_from(p) for p in paths]
    if len(set(labels)) < 2:
        raise DatasetError(f"image folder {base}: only one class ({labels[0]!r}) among "
                           f"{len(paths)} images; a classifier needs at least two")
    return paths, labels


class SimpleDatasetLoader:
    """The book's loader: read images, apply preprocessors, label by folder.

    Images are decoded by OpenCV (BGR) on `workers` threads, in order;
    unreadable files are skipped with one warning.

    >>> from pyimagesearch.preprocessing import SimplePreprocessor
    >>> sdl = SimpleDatasetLoader(preprocessors=[SimplePreprocessor(32, 32)])
    >>> data, labels = sdl.load(list_images("datasets/animals"), verbose=500)  # doctest: +SKIP
    """

    def __init__(self, preprocessors=None, workers=None):
        self.preprocessors = list(preprocessors or [])
        for p in self.preprocessors:
            if not callable(getattr(p, "preprocess", None)):
                raise ValueError("every preprocessor needs a `preprocess(image)` method. "
                                 f"Received: {p!r}")
        self.workers = positive_int("workers", workers) if workers is not None else (
            os.cpu_count() or 1)

    def _load_one(self, path):
        image = read_image(path, cv2.IMREAD_COLOR)
        if image is not None:
            for p in self.preprocessors:
                image = p.preprocess(image)
        return image

    def load(self, image_paths, verbose=-1):
        """Load `image_paths` (``<root>/<class>/<file>``); returns `(data, labels)` arrays.

        `verbose` logs every `verbose` images (1: every tenth; <= 0: silent).

        Raises:
            DatasetError: no image could be read.
        """
        if isinstance(image_paths, (str, os.PathLike)):
            raise DatasetError(f"SimpleDatasetLoader.load takes a list of image paths, not the "
                               f"folder {str(image_paths)!r}: pass list_images(folder)")
        image_paths = [str(p) for p in image_paths]
        if not image_paths:
            raise DatasetError("no image paths to load: the list is empty")
        n = len(image_paths)
        every = 0 if verbose <= 0 else verbose if verbose > 1 else -(-n // 10)
        data, labels, skipped = [], [], []
        with ThreadPoolExecutor(self.workers) as pool:
            for i, (path, image) in enumerate(zip(image_paths,
                                                  pool.map(self._load_one, image_paths)), 1):
                if image is None:
                    skipped.append(path)
                else:
                    data.append(image)
                    labels.append(Path(path).parent.name)
                if every and i % every == 0:
                    logger.info(f"processed {i}/{n}")
        if skipped:
            warnings.warn(f"skipped {len(skipped)} of {n} files that are not readable images "
                          f"(first: {skipped[0]})", stacklevel=2)
            lost = sorted({Path(p).parent.name for p in skipped} - set(labels))
            if data and lost:
                warnings.warn(f"no readable image left in the class folder(s) "
                              f"{', '.join(lost)}: they are left out of the classes",
                              stacklevel=2)
        if not data:
            raise DatasetError(f"none of the {n} files could be read as an image "
                               f"(first: {image_paths[0]})")
        shapes = {np.shape(d) for d in data}
        if len(shapes) > 1:
            raise DatasetError(f"images have different shapes {sorted(shapes)[:3]}...; add a "
                               "resizing preprocessor (e.g. SimplePreprocessor) so they stack")
        return np.array(data), np.array(labels)
