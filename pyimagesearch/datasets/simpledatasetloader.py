"""Load a folder of images into memory, label = parent folder's name."""

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import read_image
from pyimagesearch.utils.progress import progress_bar

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")


def list_images(base_path: "str | os.PathLike", extensions=IMAGE_EXTENSIONS) -> list:
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
    paths = sorted(
        str(p) for p in base.rglob("*")
        if p.suffix.lower() in extensions and p.is_file()
    )
    if not paths:
        raise DatasetError(
            f"image folder {base} holds no image files ({', '.join(extensions)}); "
            "expected <folder>/<class>/<image>"
        )
    _warn_empty_class_folders(base, paths)
    return paths


def _warn_empty_class_folders(base, paths):
    """Warn about the sub-folders of `base` that hold none of `paths` (a class would vanish)."""
    used = {Path(p).relative_to(base).parts[0] for p in paths if Path(p).parent != base}
    empty = sorted(entry.name for entry in base.iterdir()
                   if entry.is_dir() and not entry.name.startswith(".") and entry.name not in used)
    if empty:
        warnings.warn(
            f"{base}: class folder(s) {', '.join(empty)} hold no image files and are left out "
            "of the classes", stacklevel=3)
    return empty



def list_labelled_images(folder, label_from=None, extensions=IMAGE_EXTENSIONS):
    """Sorted image paths of `folder` and a label for each.

    Args:
        folder: a ``<class>/<image>`` tree (the book's layout), or, with a
            `label_from` function, a flat folder of images.
        label_from: `None` labels each image by its parent folder's name;
            a function `f(path) -> str` labels the images directly inside
            `folder` (e.g. Kaggle's ``cat.12.jpg``: the text before the
            first dot, a rule its study defines).
        extensions: the image file suffixes.

    Returns:
        `(paths, labels)`: two lists of str.

    Raises:
        DatasetError: no such folder, no images, or fewer than 2 classes.

    Example:

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("cat.1.jpg", "dog.1.jpg", "dog.2.jpg"):
    ...     _ = (root / name).write_bytes(b"")
    >>> list_labelled_images(root, label_from=lambda p: pathlib.Path(p).name.split(".")[0])[1]
    ['cat', 'dog', 'dog']
    """
    if label_from is not None and not callable(label_from):
        raise ValueError(f"`label_from` must be None or a function of the path. "
                         f"Received: label_from={label_from!r}")
    base = Path(folder)
    if not base.is_dir():
        raise DatasetError(f"--dataset {base}: no such folder")
    pattern = "*/*" if label_from is None else "*"
    paths = sorted(str(p) for p in base.glob(pattern)
                   if p.suffix.lower() in extensions and p.is_file())
    if not paths:
        layout = "<class>/<image>" if label_from is None else "image files"
        raise DatasetError(f"--dataset {base}: no images ({layout}) in it")
    if label_from is None:
        labels = [Path(p).parent.name for p in paths]
        _warn_empty_class_folders(base, paths)
    else:
        labels = [label_from(p) for p in paths]
    if len(set(labels)) < 2:
        raise DatasetError(
            f"--dataset {base}: only one class ({labels[0]!r}) among {len(paths)} images"
        )
    return paths, labels

class SimpleDatasetLoader:
    """The book's loader: read images, apply preprocessors, label by folder.

    Images are decoded by OpenCV (BGR) on several threads (OpenCV releases
    the GIL), in the order of `image_paths`. A file that is not a readable
    image is skipped; one warning at the end counts them.

    Args:
        preprocessors: objects with a `preprocess(image)` method, applied in
            order to every image.
        workers: decoding threads (default: the number of CPU cores).

    Example:

    >>> from pyimagesearch.preprocessing import SimplePreprocessor
    >>> sdl = SimpleDatasetLoader(preprocessors=[SimplePreprocessor(32, 32)])
    >>> data, labels = sdl.load(list_images("datasets/animals"), verbose=1)  # doctest: +SKIP
    """

    def __init__(self, preprocessors=None, workers=None):
        self.preprocessors = list(preprocessors or [])
        for p in self.preprocessors:
            if not callable(getattr(p, "preprocess", None)):
                raise ValueError(
                    f"every preprocessor needs a `preprocess(image)` method. Received: {p!r}"
                )
        if workers is not None and int(workers) < 1:
            raise ValueError(f"`workers` must be >= 1. Received: workers={workers}")
        self.workers = int(workers or os.cpu_count() or 1)

    def _load_one(self, path):
        # None for an unreadable, empty or truncated file
        image = read_image(path, cv2.IMREAD_COLOR)
        if image is None:
            return None
        for p in self.preprocessors:
            image = p.preprocess(image)
        return image

    def load(self, image_paths: list, verbose: int = -1) -> tuple:
        """Load `image_paths`; returns `(data, labels)` as NumPy arrays.

        Args:
            image_paths: paths like ``<root>/<class>/<file>``.
            verbose: > 0 shows a progress bar (the book printed a line every
                `verbose` images); <= 0 is silent.

        Raises:
            DatasetError: no image could be read.
        """
        if isinstance(image_paths, (str, os.PathLike)):
            raise DatasetError(
                f"SimpleDatasetLoader.load takes a list of image paths, not the folder "
                f"{str(image_paths)!r}: pass list_images({str(image_paths)!r})")
        image_paths = [str(p) for p in image_paths]
        if not image_paths:
            raise DatasetError("no image paths to load: the list is empty")
        data, labels, skipped = [], [], []
        bar = progress_bar(len(image_paths), "[INFO] loading images", verbose > 0)
        with ThreadPoolExecutor(self.workers) as pool:
            for i, (path, image) in enumerate(
                zip(image_paths, pool.map(self._load_one, image_paths)), 1
            ):
                if image is None:
                    skipped.append(path)
                else:
                    data.append(image)
                    labels.append(Path(path).parent.name)
                bar.update(i)
        bar.finish()
        if skipped:
            warnings.warn(
                f"skipped {len(skipped)} of {len(image_paths)} files that are not "
                f"readable images (first: {skipped[0]})",
                stacklevel=2,
            )
            lost = sorted({Path(p).parent.name for p in skipped} - set(labels))
            if data and lost:
                warnings.warn(f"no readable image left in the class folder(s) "
                              f"{', '.join(lost)}: they are left out of the classes",
                              stacklevel=2)
        if not data:
            raise DatasetError(
                f"none of the {len(image_paths)} files could be read as an image "
                f"(first: {image_paths[0]})"
            )
        shapes = {np.shape(d) for d in data}
        if len(shapes) > 1:
            raise DatasetError(
                f"images have different shapes {sorted(shapes)[:3]}...; add a resizing "
                "preprocessor (e.g. SimplePreprocessor) so they can be stacked"
            )
        return np.array(data), np.array(labels)
