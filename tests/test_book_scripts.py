"""The book's own scripts run against this package with only their Keras 3 edits.

`tests/book_scripts/` holds small versions of the DL4CV scripts of the
chapters the studies cover, written the book's way (its names, keywords and
call order; each header lists the edits it needed). Each test runs one as
``__main__`` on tiny generated data (seeded through NumPy, Python and Keras,
as a reader's ``np.random.seed`` would) and checks what it prints against the
same computation done directly on arrays.
"""

import json
import pickle
import re
import runpy
import sys
from pathlib import Path

import cv2
import h5py
import keras
import numpy as np
# progressbar2 imports its parts lazily and keeps the sys.stderr of that
# moment as the "real" one: load them now, not under a test's capsys (whose
# stream is closed after that test)
import progressbar.bar  # noqa: F401
import pytest

from conftest import make_image_folder

BOOK = Path(__file__).resolve().parent / "book_scripts"


def run_book_script(monkeypatch, name, *argv, seed=0):
    """Run ``tests/book_scripts/<name>.py`` as ``__main__``; return its globals."""
    path = BOOK / f"{name}.py"
    monkeypatch.setattr(sys, "argv", [str(path), *(str(a) for a in argv)])
    keras.utils.set_random_seed(seed)  # NumPy, Python's random and the backend
    return runpy.run_path(str(path), run_name="__main__")


def printed(pattern, text):
    """The floats the first match of `pattern` captured in `text`."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not printed in:\n{text[-2000:]}"
    return [float(g) for g in match.groups()]


def report_accuracy(text, occurrence=-1):
    """The accuracy line of a printed scikit-learn classification report."""
    values = re.findall(r"^\s*accuracy\s+([\d.]+)\s+\d+\s*$", text, flags=re.M)
    assert values, f"no classification report in:\n{text[-2000:]}"
    return float(values[occurrence])


@pytest.fixture
def tiny_cifar10(monkeypatch):
    """`keras.datasets.cifar10.load_data()` gives 20 train and 10 test 32x32 images."""
    rng = np.random.default_rng(0)
    train_y = (np.arange(20) % 10).reshape(-1, 1)
    test_y = (np.arange(10) % 10).reshape(-1, 1)
    data = ((rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8), train_y),
            (rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8), test_y))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: data)
    return data


@pytest.fixture
def vgg16_without_download(monkeypatch):
    """`keras.applications.VGG16(weights="imagenet", ...)` builds random weights offline."""
    real = keras.applications.VGG16
    built = []

    def vgg16(*args, **kwargs):
        built.append(real(*args, **{**kwargs, "weights": None}))
        return built[-1]

    monkeypatch.setattr(keras.applications, "VGG16", vgg16)
    return built


# -- Starter Bundle, ch. 10: the NumPy network ---------------------------------------
def test_nn_xor_learns_xor_with_per_sample_updates(monkeypatch, capsys):
    g = run_book_script(monkeypatch, "nn_xor", "--epochs", 3000, seed=1)
    out = capsys.readouterr().out
    steps = [int(s) for s in re.findall(r"step=(\d)", out)]
    assert steps == [0, 1, 1, 0]
    # the printed predictions are the network's, the printed loss its loss
    preds = [float(p) for p in re.findall(r"pred=([\d.]+)", out)]
    np.testing.assert_allclose(preds, g["nn"].predict(g["X"]).ravel(), atol=5e-5)
    (loss,) = printed(r"epoch=3000, loss=([\d.]+)", out)
    assert loss == pytest.approx(g["nn"].calculate_loss(g["X"], g["y"]), abs=1e-7)


def test_nn_mnist_per_sample_training_reaches_the_books_accuracy(monkeypatch, capsys):
    g = run_book_script(monkeypatch, "nn_mnist", "--epochs", 25, seed=0)
    out = capsys.readouterr().out
    direct = (g["nn"].predict(g["testX"]).argmax(axis=1) == g["testY"].argmax(axis=1)).mean()
    assert report_accuracy(out) == pytest.approx(direct, abs=0.005)
    assert direct >= 0.9  # the book's rule: one step per sample

    # the silent difference this package had: one full-batch step per epoch
    from pyimagesearch.nn import NeuralNetwork

    full = NeuralNetwork([64, 32, 16, 10], seed=0)
    full.fit(g["trainX"], g["trainY"], epochs=25, batch_size=None, verbose=0)
    assert (full.predict(g["testX"]).argmax(axis=1) == g["testY"].argmax(axis=1)).mean() < 0.5


# -- Starter Bundle, ch. 12-17: ShallowNet, MiniVGGNet, TrainingMonitor -------------
def test_shallownet_animals(monkeypatch, capsys, tmp_path):
    folder = make_image_folder(tmp_path / "animals", per_class=8)
    g = run_book_script(monkeypatch, "shallownet_animals", "--dataset", folder,
                        "--epochs", 2, "--plot", tmp_path / "plot.png")
    out = capsys.readouterr().out
    direct = (g["predictions"].argmax(axis=1) == g["testY"].argmax(axis=1)).mean()
    assert report_accuracy(out) == pytest.approx(direct, abs=0.005)
    assert g["data"].shape == (24, 32, 32, 3)
    assert len(g["H"].history["accuracy"]) == 2 and (tmp_path / "plot.png").is_file()


def test_minivggnet_cifar10_with_the_books_decay(monkeypatch, capsys, tmp_path, tiny_cifar10):
    g = run_book_script(monkeypatch, "minivggnet_cifar10", "--output", tmp_path / "plot.png",
                        "--epochs", 1)
    out = capsys.readouterr().out
    direct = (g["predictions"].argmax(axis=1) == g["testY"].argmax(axis=1)).mean()
    assert report_accuracy(out) == pytest.approx(direct, abs=0.005)
    # Keras 2's decay=0.01 / 40: lr = 0.01 / (1 + decay * iterations), 1 batch per epoch
    optimizer = g["model"].optimizer
    assert int(optimizer.iterations) == 1
    assert float(optimizer.learning_rate) == pytest.approx(0.01 / (1 + 0.01 / 40 * 1))
    assert (tmp_path / "plot.png").is_file()


def test_cifar10_monitor_writes_the_history_fit_returns(monkeypatch, tmp_path, tiny_cifar10):
    g = run_book_script(monkeypatch, "cifar10_monitor", "--output", tmp_path, "--epochs", 2)
    (json_path,) = tmp_path.glob("*.json")
    saved = json.loads(json_path.read_text())
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        np.testing.assert_allclose(saved[key], g["H"].history[key], rtol=1e-6)
    assert json_path.with_suffix(".png").is_file()
    assert g["callbacks"][0].H is g["callbacks"][0].history  # the book's attribute


def test_cifar10_resume_from_an_epoch_checkpoint(monkeypatch, capsys, tmp_path, tiny_cifar10):
    ckpt, out_dir = tmp_path / "checkpoints", tmp_path / "output"
    out_dir.mkdir()
    common = ("--checkpoints", ckpt, "--output", out_dir, "--every", 1, "--batch-size", 10)
    run_book_script(monkeypatch, "cifar10_resume", *common, "--epochs", 2)
    first = json.loads((out_dir / "minivggnet_cifar10.json").read_text())
    assert sorted(p.name for p in ckpt.iterdir()) == ["epoch_1.keras", "epoch_2.keras"]

    capsys.readouterr()
    g = run_book_script(monkeypatch, "cifar10_resume", *common, "--epochs", 1,
                        "--model", ckpt / "epoch_2.keras", "--start-epoch", 2)
    out = capsys.readouterr().out
    assert printed(r"old learning rate: ([\d.e-]+)", out) == pytest.approx([0.1])
    assert printed(r"new learning rate: ([\d.e-]+)", out) == pytest.approx([1e-5])
    assert (ckpt / "epoch_3.keras").is_file()  # the absolute epoch number
    assert int(g["model"].optimizer.iterations) == 3 * 2  # the optimizer state continued
    resumed = json.loads((out_dir / "minivggnet_cifar10.json").read_text())
    assert len(resumed["loss"]) == 3 and resumed["loss"][:2] == first["loss"]


# -- Practitioner Bundle, ch. 3-5: transfer learning, rank accuracy, surgery ---------
def test_extract_features_train_model_rank_accuracy(monkeypatch, capsys, tmp_path,
                                                    vgg16_without_download):
    from sklearn.metrics import top_k_accuracy_score

    from pyimagesearch.io import check_complete

    folder = make_image_folder(tmp_path / "flowers", per_class=8, size=(36, 40))
    db, model = tmp_path / "features.hdf5", tmp_path / "model.cpickle"
    run_book_script(monkeypatch, "extract_features", "--dataset", folder, "--output", db,
                    "--image-size", 32, "--batch-size", 8, "--buffer-size", 10)
    assert check_complete(db) == {"data_key": "features", "rows": 24, "shape": (24, 512),
                                  "dtype": "float32", "path": str(db)}
    run_book_script(monkeypatch, "train_model", "--db", db, "--model", model,
                    "--cs", "0.1,1.0", "--jobs", 1)
    capsys.readouterr()
    run_book_script(monkeypatch, "rank_accuracy", "--db", db, "--model", model)
    rank1, rank5 = printed(r"rank-1: ([\d.]+)%\s+\[INFO\] rank-5: ([\d.]+)%",
                           capsys.readouterr().out)

    # the same numbers, computed directly from the arrays
    classifier = pickle.loads(model.read_bytes())
    with h5py.File(db, "r") as f:
        names = f["label_names"].asstr()[...].tolist()
        test_x, test_y = f["features"][18:], f["labels"][18:]
    proba = classifier.predict_proba(test_x)
    assert names == ["cats", "dogs", "panda"]
    assert rank1 == pytest.approx(100 * top_k_accuracy_score(test_y, proba, k=1,
                                                             labels=[0, 1, 2]), abs=0.005)
    assert rank5 == 100.0  # three classes: always in the top 5


def test_finetune_flowers17_trains_the_head_then_the_top_layers(monkeypatch, capsys, tmp_path,
                                                                vgg16_without_download):
    # 24 images: the book binarizes the test labels on their own, so its 6
    # test images must hold every class (they do for random_state=42)
    folder = make_image_folder(tmp_path / "flowers", per_class=8, size=(36, 40))
    initial = {}

    real_build = keras.applications.VGG16

    def remember(*args, **kwargs):
        base = real_build(*args, **kwargs)
        initial.update({layer.name: [w.copy() for w in layer.get_weights()]
                        for layer in base.layers})
        return base

    monkeypatch.setattr(keras.applications, "VGG16", remember)
    g = run_book_script(monkeypatch, "finetune_flowers17", "--dataset", folder,
                        "--model", tmp_path / "flowers17.keras", "--size", 32,
                        "--epochs", 1, "--batch-size", 8)
    out = capsys.readouterr().out
    direct = (g["predictions"].argmax(axis=1) == g["testY"].argmax(axis=1)).mean()
    assert report_accuracy(out) == pytest.approx(direct, abs=0.005)

    # frozen below layer 15, fine-tuned from it
    base = g["baseModel"]
    for index, layer in enumerate(base.layers):
        for before, after in zip(initial[layer.name], layer.get_weights()):
            if index < 15:
                np.testing.assert_array_equal(before, after)
    moved = [not np.array_equal(b, a) for layer in base.layers[15:]
             for b, a in zip(initial[layer.name], layer.get_weights())]
    assert moved and all(moved)
    assert keras.models.load_model(tmp_path / "flowers17.keras").output_shape == (None, 3)


# -- Practitioner Bundle, ch. 9-10: Dogs vs. Cats through HDF5 -----------------------
def _kaggle_folder(root, per_class=16, size=(70, 76)):
    """``root/train/{cat,dog}.<i>.jpg``: cats red, dogs blue (Kaggle's naming)."""
    folder = Path(root) / "train"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, channel in (("cat", 2), ("dog", 0)):  # BGR: red, blue
        for i in range(per_class):
            image = rng.integers(0, 40, (*size, 3), dtype=np.uint8)
            image[..., channel] += np.uint8(180)
            cv2.imwrite(str(folder / f"{name}.{i}.jpg"), image)
    return folder


def _colour_model(path, size):
    """A model that says "cat" for red, "dog" for blue images (mean-subtracted BGR)."""
    inputs = keras.Input((size, size, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(inputs, dense(x))
    # logits: cat = 0.05 (R - B), dog = 0.05 (B - R)
    dense.set_weights([np.array([[-0.05, 0.05], [0, 0], [0.05, -0.05]], "float32"),
                       np.zeros(2, "float32")])
    model.save(path)
    return model


def test_dogs_vs_cats_build_train_and_crop_accuracy(monkeypatch, capsys, tmp_path):
    from pyimagesearch.preprocessing import (CropPreprocessor, ImageToArrayPreprocessor,
                                             MeanPreprocessor, SimplePreprocessor)

    images, hdf5, output = _kaggle_folder(tmp_path / "kaggle"), tmp_path / "hdf5", tmp_path / "out"
    hdf5.mkdir()
    output.mkdir()
    run_book_script(monkeypatch, "build_dogs_vs_cats", "--images", images, "--output", hdf5,
                    "--num-val", 8, "--num-test", 6, "--size", 64)
    with h5py.File(hdf5 / "test.hdf5", "r") as f:
        test_images, test_labels = f["images"][:], f["labels"][:]
        assert "label_names" not in f  # the book's build stores no class names
    means = json.loads((hdf5 / "dogs_vs_cats_mean.json").read_text())

    # AlexNet trains on the book's generators (no label_names: one warning each)
    with pytest.warns(UserWarning, match="no label_names"):
        run_book_script(monkeypatch, "train_alexnet", "--hdf5", hdf5, "--output", output,
                        "--size", 60, "--batch-size", 8, "--epochs", 1)
    alexnet = output / "alexnet_dogs_vs_cats.keras"
    assert keras.models.load_model(alexnet).output_shape == (None, 2)
    assert len(list(output.glob("*.png"))) == 1

    # crop_accuracy with a model that tells cats from dogs: the generator
    # path must give the predictions of the arrays read in file order. 6
    # images in batches of 4: one batch of one-view predictions, as the book.
    capsys.readouterr()
    oracle = _colour_model(tmp_path / "colour.keras", 60)
    with pytest.warns(UserWarning, match="4 predictions for 6 labels"):
        g = run_book_script(monkeypatch, "crop_accuracy", "--hdf5", hdf5,
                            "--model", tmp_path / "colour.keras", "--size", 60,
                            "--batch-size", 4)
    one_view, ten_crop = printed(r"rank-1: ([\d.]+)%(?s:.*)rank-1: ([\d.]+)%",
                                 capsys.readouterr().out)
    sp, iap = SimplePreprocessor(60, 60), ImageToArrayPreprocessor()
    mp, cp = MeanPreprocessor(means["R"], means["G"], means["B"]), CropPreprocessor(60, 60)
    arrays = np.array([iap.preprocess(mp.preprocess(sp.preprocess(im))) for im in test_images])
    direct = oracle.predict(arrays[:4], verbose=0)
    assert one_view == pytest.approx(100 * (direct.argmax(1) == test_labels[:4]).mean())
    assert one_view == 100.0  # shuffled batches would score about half
    crops = np.array([[iap.preprocess(c) for c in cp.preprocess(mp.preprocess(im))]
                      for im in test_images], "float32")
    ten = oracle.predict(crops.reshape(-1, 60, 60, 3), verbose=0).reshape(6, 10, 2).mean(axis=1)
    np.testing.assert_allclose(np.array(g["predictions"]), ten, rtol=1e-5, atol=1e-6)
    assert ten_crop == pytest.approx(100 * (ten.argmax(1) == test_labels).mean())
