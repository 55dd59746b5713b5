"""Dogs vs. Cats: the study's configuration (the book's `config/dogs_vs_cats_config.py`).

Every script of this study reads its settings from here; the flags of the
scripts default to these values:

- the images: Kaggle's ``train`` folder of ``{cat,dog}.N.jpg``; the label is
  the file name before the first dot (`label_from_filename`);
- the split: stratified train/val/test, seeded; the diary held out 2,500
  validation and 2,500 test images of 25,000, i.e. 10% each
  (`VAL_FRACTION`, `TEST_FRACTION`; absolute counts override them);
- the files: one ``--hdf5-dir`` holding ``train.hdf5``, ``val.hdf5``,
  ``test.hdf5`` and ``mean.json`` (`hdf5_paths`, `check_build`);
- the sizes: images stored at 256x256 (`IMAGE_SIZE`), AlexNet trained on
  227x227 crops (`CROP_SIZE`).
"""

from pathlib import Path

from pyimagesearch.errors import DatasetError

STUDY = "2020-11-23-dogs-vs-cats"

# the split (the diary: 2,500 + 2,500 of 25,000)
VAL_FRACTION = 0.1
TEST_FRACTION = 0.1
SEED = 42
SPLITS = ("train", "val", "test")

# the sizes
IMAGE_SIZE = 256
CROP_SIZE = 227


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
    from pyimagesearch.io import check_complete

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
