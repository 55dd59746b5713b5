import numpy as np
import pytest

from conftest import datasets_dir
from pyimagesearch.datasets import (SimpleDatasetLoader, list_images, load_digits,
                                    load_iris, load_mnist)
from pyimagesearch.errors import DatasetError
from pyimagesearch.preprocessing import ImageToArrayPreprocessor, SimplePreprocessor


def test_loader_labels_from_folders_and_preprocessors(image_folder):
    loader = SimpleDatasetLoader([SimplePreprocessor(16, 8), ImageToArrayPreprocessor()])
    data, labels = loader.load(list_images(image_folder), verbose=1)
    assert data.shape == (18, 8, 16, 3) and data.dtype == np.float32
    assert sorted(set(labels)) == ["cats", "dogs", "panda"]
    assert (labels == "cats").sum() == 6
    # the per-class colour survives: cats are blue-ish (BGR channel 0)
    assert data[labels == "cats"][..., 0].mean() > data[labels == "cats"][..., 1].mean() + 50


def test_loader_keeps_the_order_of_paths(image_folder):
    paths = list_images(image_folder)[::-1]
    _, labels = SimpleDatasetLoader(workers=2).load(paths)
    assert list(labels) == [p.split("/")[-2] for p in paths]


def test_corrupt_files_are_skipped_with_one_counting_warning(image_folder):
    (image_folder / "cats" / "broken.jpg").write_bytes(b"not a jpeg at all")
    (image_folder / "dogs" / "empty.png").write_bytes(b"")
    (image_folder / "dogs" / "notes.txt").write_text("ignored: not an image extension")
    paths = list_images(image_folder)
    assert not any(p.endswith(".txt") for p in paths)
    with pytest.warns(UserWarning, match="skipped 2 of 20 files") as record:
        data, labels = SimpleDatasetLoader([SimplePreprocessor(8, 8)]).load(paths)
    assert len(record) == 1
    assert len(data) == len(labels) == 18


def test_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="none of the 1 files"), pytest.warns(UserWarning):
        SimpleDatasetLoader().load(list_images(tmp_path))


def test_missing_or_empty_folders(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        list_images(tmp_path / "nope")
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    with pytest.raises(DatasetError, match="holds no image files"):
        list_images(tmp_path / "empty")
    with pytest.raises(DatasetError, match="empty"):
        SimpleDatasetLoader().load([])


def test_images_of_different_sizes_need_a_resizer(image_folder):
    import cv2

    cv2.imwrite(str(image_folder / "cats" / "big.jpg"), np.zeros((60, 60, 3), np.uint8))
    with pytest.raises(DatasetError, match="different shapes"):
        SimpleDatasetLoader().load(list_images(image_folder))


def test_digits_and_iris_ship_with_scikit_learn():
    images, labels = load_digits(28)
    assert images.shape == (1797, 28, 28) and images.dtype == np.uint8
    assert images.max() == 255 and set(labels) == set(range(10))
    x, y, names = load_iris()
    assert x.shape == (150, 4) and list(names) == ["setosa", "versicolor", "virginica"]


def test_mnist_from_a_npz_file_or_its_folder(tiny_mnist):
    (x_train, y_train), (x_test, y_test) = load_mnist(tiny_mnist)
    assert x_train.shape == (40, 28, 28) and y_test.shape == (20,)
    assert load_mnist(tiny_mnist.parent)[1][0].shape == (20, 28, 28)


def test_mnist_bad_files(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_mnist(tmp_path / "mnist.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(DatasetError, match="missing x_train"):
        load_mnist(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(DatasetError, match="not a readable .npz"):
        load_mnist(tmp_path / "text.npz")


def test_mnist_download_offline_says_what_to_pass(monkeypatch):
    import keras

    def offline():
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DatasetError, match="local copy instead: path='PATH/mnist.npz'"):
        load_mnist(None)


# -- real data (DATASETS_DIR) ------------------------------------------------
def test_real_animals_subset_loads():
    root = datasets_dir() / "animals"
    paths = [p for c in ("cats", "dogs", "panda") for p in list_images(root / c)[:8]]
    data, labels = SimpleDatasetLoader([SimplePreprocessor(32, 32)]).load(paths)
    assert data.shape == (24, 32, 32, 3) and data.dtype == np.uint8
    assert sorted(set(labels)) == ["cats", "dogs", "panda"]


def test_real_mnist_npz_has_the_keras_layout():
    (x_train, y_train), (x_test, y_test) = load_mnist(datasets_dir() / "mnist" / "mnist.npz")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and set(np.unique(y_test)) == set(range(10))
