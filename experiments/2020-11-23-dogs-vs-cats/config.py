"""Dogs vs. Cats: the study's configuration (the book's `config/dogs_vs_cats_config.py`).

The scripts' flags default to these values. The images: Kaggle's ``train``
folder of ``{cat,dog}.N.jpg``, labelled by the name before the first dot
(`list_kaggle_images`). The split: stratified, seeded; the diary held out
2,500 validation and 2,500 test images of 25,000, 10% each. The files: one
``--hdf5-dir`` of ``train.hdf5``, ``val.hdf5``, ``test.hdf5`` and ``mean.json``
(`check_build`, `read_build`). The sizes: images stored at 256x256, AlexNet
trained on 227x227 crops (`load_trained_model` checks a network).
"""

import json
from pathlib import Path

from pyimagesearch.datasets import list_labelled_images
from pyimagesearch.datasets.simpledatasetloader import IMAGE_EXTENSIONS
from pyimagesearch.errors import DatasetError
from pyimagesearch.io import check_complete, open_hdf5_dataset, read_label_names
from pyimagesearch.io.modelfile import check_model_classes, load_keras_model

STUDY = "2020-11-23-dogs-vs-cats"

# the split (the diary: 2,500 + 2,500 of 25,000)
VAL_FRACTION = 0.1
TEST_FRACTION = 0.1
SEED = 42
SPLITS = ("train", "val", "test")

# the sizes
IMAGE_SIZE = 256
CROP_SIZE = 227
LAYOUT = "train/{cat,dog}.N.jpg: the label is the file name before the first dot"


def label_from_filename(path):
    """The label of a Kaggle file: the name before the first dot (``cat.12.jpg`` -> cat).

    Example:

    >>> label_from_filename("train/dog.1042.jpg")
    'dog'
    """
    name = Path(path).name
    label = name.split(".", 1)[0]
    if not label or "." not in name:
        raise DatasetError(f"{path}: no label before the first dot (expected cat.N.jpg)")
    return label


def list_kaggle_images(folder):
    """`(paths, labels)` of the images in Kaggle's ``train`` folder, or in the one holding it.

    Raises:
        DatasetError: no image files in `folder` itself (e.g. a tree of
            class folders) nor in its ``train/``, with the layout this study expects.
    """
    given = Path(folder)
    for folder in (given, given / "train"):  # data prepare writes dogs_vs_cats/train/
        if folder.is_dir() and any(p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()
                                   for p in folder.iterdir()):
            return list_labelled_images(folder, label_from=label_from_filename)
    if given.is_dir():
        trees = sorted(p.name for p in given.iterdir() if p.is_dir())
        found = f"; it holds folders ({', '.join(trees[:5])})" if trees else ""
        raise DatasetError(f"image folder {given}: no images in it{found}; expected Kaggle's "
                           f"layout {LAYOUT}")
    return list_labelled_images(given, label_from=label_from_filename)  # its own error


def hdf5_paths(hdf5_dir):
    """The files of a build: ``{"train", "val", "test": .hdf5, "mean": mean.json}``."""
    folder = Path(hdf5_dir)
    paths = {split: folder / f"{split}.hdf5" for split in SPLITS}
    paths["mean"] = folder / "mean.json"
    return paths


def check_build(hdf5_dir, splits=SPLITS, mean=True):
    """Check that a build is complete; return `hdf5_paths(hdf5_dir)`.

    Raises:
        DatasetError: a missing or incomplete file (run build_dataset.py).
    """
    paths = hdf5_paths(hdf5_dir)
    hint = "run build_dataset.py first (or again, with --force)"
    for split in splits:
        if not paths[split].is_file():
            raise DatasetError(f"--hdf5-dir {hdf5_dir}: no {paths[split].name}; {hint}")
        try:
            check_complete(paths[split], data_key="images")
        except DatasetError as error:
            raise DatasetError(f"{error}; {hint}") from None
    if mean and not paths["mean"].is_file():
        raise DatasetError(f"--hdf5-dir {hdf5_dir}: no mean.json (the build did not finish); "
                           f"{hint}")
    return paths


def read_build(hdf5_dir, splits, crop_size):
    """`(paths, class names)` of a complete build, its files checked against `crop_size`.

    Raises:
        DatasetError: an incomplete build, splits of different classes,
            images smaller than the crop, or one class only.
    """
    paths, names = check_build(hdf5_dir, splits=splits), {}
    for split in splits:
        with open_hdf5_dataset(paths[split], data_key="images") as db:
            names[split] = read_label_names(db)
            shape = db["images"].shape[1:]
        if len(shape) != 3 or shape[2] != 3 or min(shape[:2]) < crop_size:
            raise DatasetError(
                f"{paths[split]} holds images of shape {shape}, too small for --crop-size "
                f"{crop_size}; rebuild it with build_dataset.py --image-size "
                f"{max(crop_size, 64)} --force, or pass a smaller --crop-size")
    first, *others = splits
    for split in others:
        if names[split] != names[first]:
            raise DatasetError(f"--hdf5-dir {hdf5_dir}: {first}.hdf5 holds the classes "
                               f"{names[first]} but {split}.hdf5 {names[split]}; rebuild it")
    if len(names[first]) < 2:
        raise DatasetError(f"--hdf5-dir {hdf5_dir} holds one class "
                           f"({names[first][0]}); a classifier needs at least two")
    return paths, names[first]


def load_trained_model(path, class_names, crop_size, data_format, flag, source, compile=True):
    """A trained network, checked against a build's class names; `(model, crop size)`.

    `crop_size` `None` takes the model's own input size; the
    ``class_names.json`` that train_alexnet.py writes beside a model is
    checked too, when it is there.

    Raises:
        DatasetError: not a model file, or its input or classes do not fit.
    """
    model = load_keras_model(path, compile=compile)
    shape = model.input_shape
    spatial = tuple(shape[2:4] if data_format == "channels_first" else shape[1:3])
    crop = crop_size or spatial[0]
    if spatial != (crop, crop):
        raise DatasetError(f"{flag} {path} takes {spatial} inputs, not the --crop-size {crop}")
    check_model_classes(model, class_names, path=path, source=source)
    names_file = Path(path).with_name("class_names.json")
    trained = json.loads(names_file.read_text()) if names_file.is_file() else class_names
    if trained != class_names:
        raise DatasetError(f"{flag} {path} was trained on the classes {trained} ({names_file}) "
                           f"but {source} holds {class_names}")
    return model, crop
