"""`pyimagesearch.datasets.cifar10`: the PNG folder and python-batches readers."""

import pickle
import re
import shutil

import cv2
import numpy as np
import pytest

from conftest import make_cifar_batches, make_cifar_pngs, datasets_dir
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10
from pyimagesearch.errors import DatasetError



# -- loading -------------------------------------------------------------------
def test_classes_are_in_keras_order():
    assert CIFAR10_CLASSES == ["airplane", "automobile", "bird", "cat", "deer", "dog",
                               "frog", "horse", "ship", "truck"]


def test_png_folder_loads_rgb_images_and_labels(tmp_path):
    written = make_cifar_pngs(tmp_path / "c", per_class=2)
    (x_train, y_train), (x_test, y_test) = load_cifar10(tmp_path / "c", workers=3, verbose=0)
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (20, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64 and y_train.shape == (20,)
    assert y_train.tolist() == [c for c in range(10) for _ in range(2)]
    np.testing.assert_array_equal(x_train, written["train"])  # RGB, as written
    np.testing.assert_array_equal(x_test, written["test"])
    assert y_test.tolist() == y_train.tolist()


def test_png_folder_with_a_subset_of_classes(tmp_path):
    make_cifar_pngs(tmp_path / "c", per_class=1, classes=("cat", "truck"))
    (_, y_train), _ = load_cifar10(tmp_path / "c", verbose=0)
    assert y_train.tolist() == [3, 9]


def test_batches_load_in_the_keras_layout(tmp_path):
    written = make_cifar_batches(tmp_path / "cifar-10-batches-py")
    for path in (tmp_path / "cifar-10-batches-py", tmp_path):  # the folder, or its parent
        (x_train, y_train), (x_test, y_test) = load_cifar10(path)
        assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
        assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
        data, labels = written["data_batch_2"]
        assert y_train[4:8].tolist() == labels.tolist()
        # row = 1024 red, 1024 green, 1024 blue values, each plane row by row
        first = x_train[4]
        np.testing.assert_array_equal(first[..., 0].ravel(), data[0, :1024])
        np.testing.assert_array_equal(first[..., 1].ravel(), data[0, 1024:2048])
        np.testing.assert_array_equal(first[..., 2].ravel(), data[0, 2048:])
        assert first[0, 1, 0] == data[0, 1]  # pixel (row 0, column 1), red
        assert y_test.tolist() == written["test_batch"][1].tolist()


def _no_train(root):
    make_cifar_pngs(root, per_class=1, classes=("cat",))
    shutil.rmtree(root / "train")


def _unknown_class(root):
    make_cifar_pngs(root, per_class=1, classes=("cat", "zebra"))


def _missing_batch(root):
    make_cifar_batches(root)
    (root / "data_batch_3").unlink()


def _bad_batch(root):
    make_cifar_batches(root)
    with open(root / "test_batch", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, f)


def _wrong_size(root):
    make_cifar_pngs(root, per_class=1, classes=("cat",))
    cv2.imwrite(str(root / "train" / "cat" / "big.png"), np.zeros((40, 40, 3), np.uint8))


def _corrupt_png(root):
    make_cifar_pngs(root, per_class=1, classes=("cat",))
    (root / "test" / "cat" / "bad.png").write_bytes(b"not a png")


@pytest.mark.parametrize("make, message", [
    (None, "does not exist"),
    (lambda root: root.mkdir(), "is not a CIFAR-10 folder"),
    (_no_train, "has no train/ folder"),
    (_unknown_class, "unknown CIFAR-10 class folder"),
    (_missing_batch, "missing data_batch_3"),
    (_bad_batch, "expected data of shape (N, 3072)"),
    (_wrong_size, "is 40x40"),
    (_corrupt_png, "not a readable image"),
])
def test_bad_layouts_raise_dataset_error(tmp_path, make, message):
    root = tmp_path / "cifar10"
    if make is not None:
        make(root)
    with pytest.raises(DatasetError, match=re.escape(message)):
        load_cifar10(root, verbose=0)


def test_bad_workers_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="workers=0"):
        load_cifar10(tmp_path, workers=0)


def test_real_cifar10_subset_loads_in_rgb(tmp_path):
    real = datasets_dir() / "cifar10"
    subset = tmp_path / "cifar10"
    for split in ("train", "test"):
        for name in CIFAR10_CLASSES:
            (subset / split / name).mkdir(parents=True)
            for path in sorted((real / split / name).glob("*.png"))[:3]:
                (subset / split / name / path.name).symlink_to(path)
    (x_train, y_train), (x_test, y_test) = load_cifar10(subset, verbose=0)
    assert x_train.shape == (30, 32, 32, 3) and x_test.shape == (30, 32, 32, 3)
    assert np.bincount(y_train).tolist() == [3] * 10
    # matplotlib reads PNGs as RGB floats in [0, 1]: an independent reader
    import matplotlib.image

    first = sorted((subset / "train" / "airplane").glob("*.png"))[0]
    rgb = np.rint(matplotlib.image.imread(first)[..., :3] * 255).astype(np.uint8)
    np.testing.assert_array_equal(x_train[0], rgb)


# -- TrainingMonitor ------------------------------------------------------------
# -- the five scripts -------------------------------------------------------------
