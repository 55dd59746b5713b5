"""Shared fixtures: small generated data, study scripts loaded as modules."""

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# one thread inside each op: the tests' models are tiny, and the pytest-xdist
# workers (one per core) and the scripts they start already keep every core
# busy; TensorFlow's default (a thread per core in every process) makes them
# spin against each other (the environment reaches the scripts' processes too)
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

import cv2  # noqa: E402
import pickle  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# the book's scripts (argparse at import) are run by test_book_scripts.py:
# --doctest-modules must not import them
collect_ignore = ["book_scripts"]
CLASSES = ("cats", "dogs", "panda")


@pytest.fixture(autouse=True)
def _isolated_outputs(tmp_path, monkeypatch):
    """Runs in tests write their results.csv under tmp, never in outputs/."""
    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp_path / "outputs"))


@pytest.fixture
def no_datasets_dir(tmp_path, monkeypatch):
    """An empty DATASETS_DIR, so names resolve to nothing."""
    empty = tmp_path / "no-datasets"
    empty.mkdir()
    monkeypatch.setenv("DATASETS_DIR", str(empty))
    return empty


def make_image_folder(root, per_class=6, size=(40, 48), classes=CLASSES, seed=0):
    """`root/<class>/<n>.jpg`: colour images whose mean differs by class."""
    rng = np.random.default_rng(seed)
    for c, name in enumerate(classes):
        folder = Path(root) / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            image = rng.integers(0, 60, size=(*size, 3), dtype=np.uint8)
            image[..., c % 3] += np.uint8(150)  # a strong per-class colour
            cv2.imwrite(str(folder / f"{name}_{i:03d}.jpg"), image)
    return Path(root)


@pytest.fixture
def image_folder(tmp_path):
    return make_image_folder(tmp_path / "animals")


@pytest.fixture
def flowers(tmp_path):
    """3 classes x 8 images, like Flowers-17's folders."""
    return make_image_folder(tmp_path / "flowers", per_class=8, size=(40, 56),
                             classes=("Bluebell", "Crocus", "Daisy"))


def make_tiny_mnist(path, seed=0):
    """A Keras-layout mnist.npz at `path` with 40 train and 20 test images."""
    rng = np.random.default_rng(seed)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8),
        y_train=np.arange(40) % 10,
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=np.arange(20) % 10,
    )
    return path


@pytest.fixture
def tiny_mnist(tmp_path):
    return make_tiny_mnist(tmp_path / "mnist.npz")


def load_script(study, script):
    """Import `experiments/<study>/<script>.py` as a module (for `main([...])`).

    The script's folder goes on `sys.path`, as when Python runs the script,
    so that it can import the study's own modules beside it.
    """
    folder = ROOT / "experiments" / study
    path = folder / f"{script}.py"
    name = f"study_{study.replace('-', '_')}_{script}"
    # as `python <script>.py` does: the script's folder comes first on
    # sys.path, so it imports the modules beside it (config.py, the study's
    # shared body); a sibling module of another study's folder is dropped
    # from the import cache first (two studies may both have a config.py)
    for sibling in folder.glob("*.py"):
        cached = sys.modules.get(sibling.stem)
        if cached is not None and Path(getattr(cached, "__file__", "") or "").parent != folder:
            del sys.modules[sibling.stem]
    if str(folder) in sys.path:
        sys.path.remove(str(folder))
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def datasets_dir():
    """The real data sets' folder from $DATASETS_DIR, or skip the test."""
    value = os.environ.get("DATASETS_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("DATASETS_DIR is not set (real-data test)")
    return Path(value).resolve()  # absolute: tests symlink files from it


def results():
    """The rows of the (isolated) outputs/results.csv."""
    import csv

    with open(os.environ["PYIMAGESEARCH_OUTPUTS"] + "/results.csv") as f:
        return list(csv.DictReader(f))


def one_line_error(capsys, info, *messages):
    """Assert a script exited with status 2 and one `error: ...` line holding `messages`."""
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for message in messages:
        assert message in err, err
    return err


def kaggle_label(path):
    """Kaggle's label rule: the file name before the first dot (``cat.12.jpg`` -> cat)."""
    return Path(path).name.split(".", 1)[0]


def make_kaggle_folder(root, per_class=20, size=(40, 50), ext="jpg", colours=None, seed=0):
    """`root/{cat,dog}.N.<ext>`: textured images, or solid `colours[label]` (BGR)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for c, name in enumerate(("cat", "dog")):
        for i in range(per_class):
            if colours:
                image = np.empty((*size, 3), np.uint8)
                image[:] = colours[name]
            else:
                image = rng.integers(0, 60, (*size, 3), dtype=np.uint8)
                image[..., 2 * c] += np.uint8(150)
            cv2.imwrite(str(root / f"{name}.{i}.{ext}"), image)
    return root


@pytest.fixture(scope="module")
def kaggle(tmp_path_factory):
    return make_kaggle_folder(tmp_path_factory.mktemp("kaggle") / "train")


def make_cifar_pngs(root, per_class=2, classes=None, seed=0):
    """`root/{train,test}/<class>/<n>.png`; returns the RGB images written, by split."""
    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES

    classes = CIFAR10_CLASSES if classes is None else classes
    rng = np.random.default_rng(seed)
    written = {}
    for split in ("train", "test"):
        images = []
        for name in classes:
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                rgb = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                cv2.imwrite(str(folder / f"{i:03d}.png"), rgb[..., ::-1])  # OpenCV writes BGR
                images.append(rgb)
        written[split] = np.stack(images)
    return written


def make_cifar_batches(folder, per_batch=4, seed=0):
    """The official python batches with `per_batch` images each; returns (x, y) by name."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, per_batch)]
        with open(folder / name, "wb") as f:
            pickle.dump({b"batch_label": name.encode(), b"labels": labels, b"data": data,
                         b"filenames": [b"x.png"] * per_batch}, f)
        written[name] = (data, np.asarray(labels))
    return written


@pytest.fixture
def tiny_cifar(tmp_path):
    root = tmp_path / "cifar10"
    make_cifar_pngs(root, per_class=3)
    return root


def tiny_model(size, means=(100.0, 100.0, 100.0)):
    """A small CNN taking raw RGB pixels (it subtracts the mean itself)."""
    import keras

    from pyimagesearch.preprocessing import mean_subtraction_layer

    keras.utils.set_random_seed(0)
    inputs = keras.Input((size, size, 3))
    x = mean_subtraction_layer(list(means))(inputs)
    x = keras.layers.Rescaling(1 / 64)(x)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3),
                  metrics=["accuracy"])
    return model


def usage_error(capsys, info, *messages):
    """Assert argparse refused the command line: exit 2, no traceback, and one
    line, `error: argument ...`, holding `messages` (e.g. the flag)."""
    assert info.value.code == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("error: argument "), err
    for message in messages:
        assert message in lines[0], err
    return lines[0]


def refused_by_argparse(capsys, main, argv, output, *messages):
    """Run `main(argv + ["--output", output])`; assert argparse refused it
    (see `usage_error`) before anything started: no output folder was made."""
    with pytest.raises(SystemExit) as info:
        main([*argv, "--output", str(output)])
    line = usage_error(capsys, info, *messages)
    assert not Path(output).exists()
    return line


RUN_FILES = {"args.json", "history.json", "history.csv", "training_plot.png",
             "classification_report.txt", "classification_report.json",
             "model.keras", "results.csv"}


def check_run(out, epochs=1):
    """Assert a training run kept its files, and recorded its report's accuracy."""
    import json

    assert RUN_FILES <= {p.name for p in out.iterdir()}
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == epochs and "val_accuracy" in history
    report = json.loads((out / "classification_report.json").read_text())
    assert 0.0 <= report["accuracy"] <= 1.0
    assert results()[-1]["value"] == f"{report['accuracy']:.4f}"
    return report
