"""CIFAR-10 loading, learning-rate schedules, TrainingMonitor and the MiniVGGNet study."""

import csv
import json
import math
import os
import pickle
import re
import shutil

import cv2
import numpy as np
import pytest

from conftest import datasets_dir, load_script
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10
from pyimagesearch.errors import DatasetError

STUDY = "2020-11-12-minivggnet"
RUN_FILES = {"args.json", "history.json", "history.csv", "training_plot.png",
             "classification_report.txt", "classification_report.json",
             "model.keras", "results.csv"}


def make_cifar_pngs(root, per_class=2, classes=CIFAR10_CLASSES, seed=0):
    """`root/{train,test}/<class>/<n>.png`; returns the RGB images written, by split."""
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


# -- learning-rate schedules ------------------------------------------------------
def test_keras2_decay_matches_the_keras2_formula():
    import keras

    from pyimagesearch.utils.schedules import keras2_decay

    decay = 0.01 / 40
    schedule = keras2_decay(0.01, decay)
    for step in range(0, 50):
        assert float(schedule(step)) == pytest.approx(0.01 / (1 + decay * step), rel=1e-6)

    # a model trained k steps runs at lr0 / (1 + decay * k)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    optimizer = keras.optimizers.SGD(learning_rate=keras2_decay(0.01, 0.05), momentum=0.9,
                                     nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    x = np.random.default_rng(0).normal(size=(28, 4)).astype("float32")
    y = keras.utils.to_categorical(np.arange(28) % 2, 2)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # 2 x 7 = 14 steps
    assert int(optimizer.iterations.numpy()) == 14
    current = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    assert current == pytest.approx(0.01 / (1 + 0.05 * 14), rel=1e-6)


@pytest.mark.parametrize("args, message", [
    ((0, 0.1), "initial_learning_rate=0"),
    ((0.01, -1), "decay=-1"),
    ((0.01, "x"), "decay='x'"),
])
def test_keras2_decay_checks_its_arguments(args, message):
    from pyimagesearch.utils.schedules import keras2_decay

    with pytest.raises(ValueError, match=re.escape(message)):
        keras2_decay(*args)


def test_step_decay_follows_the_diary():
    from pyimagesearch.utils.schedules import StepDecay

    schedule = StepDecay(init_alpha=0.01, factor=0.25, drop_every=5)
    expected = [0.01] * 4 + [0.0025] * 5 + [0.000625] * 2  # epochs 0-3, 4-8, 9-10
    assert [schedule(e) for e in range(11)] == pytest.approx(expected)
    assert schedule(12, 0.5) == pytest.approx(0.000625)  # LearningRateScheduler's call
    for epoch in range(40):
        assert schedule(epoch) == pytest.approx(0.01 * 0.25 ** math.floor((1 + epoch) / 5))


def test_polynomial_decay():
    from pyimagesearch.utils.schedules import PolynomialDecay

    linear = PolynomialDecay(max_epochs=10, init_alpha=0.01, power=1.0)
    assert [linear(e) for e in (0, 5, 9, 10, 12)] == pytest.approx([0.01, 0.005, 0.001, 0, 0])
    square = PolynomialDecay(max_epochs=70, init_alpha=5e-3, power=2.0)
    assert square(35) == pytest.approx(5e-3 * 0.25)


@pytest.mark.parametrize("make, message", [
    (lambda S, P: S(init_alpha=-0.1), "init_alpha=-0.1"),
    (lambda S, P: S(factor=0), "factor=0"),
    (lambda S, P: S(drop_every=0), "drop_every=0"),
    (lambda S, P: S(drop_every=2.5), "drop_every=2.5"),
    (lambda S, P: P(max_epochs=0), "max_epochs=0"),
    (lambda S, P: P(power=-1), "power=-1"),
    (lambda S, P: S()(-1), "epoch=-1"),
    (lambda S, P: S().plot("x.png", 0), "epochs=0"),
])
def test_schedules_check_their_arguments(make, message):
    from pyimagesearch.utils.schedules import PolynomialDecay, StepDecay

    with pytest.raises(ValueError, match=re.escape(message)):
        make(StepDecay, PolynomialDecay)


def test_schedules_drive_keras_and_plot(tmp_path):
    import keras

    from pyimagesearch.utils.schedules import StepDecay

    schedule = StepDecay(init_alpha=0.1, factor=0.5, drop_every=1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    history = model.fit(np.zeros((4, 3)), np.zeros((4, 1)), epochs=3, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(schedule)])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])
    path = schedule.plot(tmp_path / "schedule.png", 10)
    assert cv2.imread(str(path)) is not None and [p.name for p in tmp_path.iterdir()] == [
        "schedule.png"]


# -- TrainingMonitor ------------------------------------------------------------
def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01))
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 2, 2)
    return model, x, y


def test_training_monitor_writes_json_and_one_png(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    model, x, y = _tiny_model()
    monitor = TrainingMonitor(tmp_path / "out" / "monitor.png",
                              json_path=tmp_path / "out" / "monitor.json")
    model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[monitor])
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["monitor.json", "monitor.png"]  # one plot, no temporary files left
    with open(tmp_path / "out" / "monitor.json") as f:
        history = json.load(f)
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(history)
    assert all(isinstance(v, list) and len(v) == 2 for v in history.values())
    assert history["learning_rate"] == pytest.approx([0.01, 0.01])
    assert history["loss"] == pytest.approx(model.history.history["loss"])
    assert cv2.imread(str(tmp_path / "out" / "monitor.png")) is not None


def test_training_monitor_resumes_at_start_at(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    saved = {"loss": [5.0, 4.0, 3.0, 2.0, 1.0], "accuracy": [0.1, 0.2, 0.3, 0.4, 0.5]}
    path = tmp_path / "monitor.json"
    path.write_text(json.dumps(saved))
    model, x, y = _tiny_model()
    monitor = TrainingMonitor(tmp_path / "monitor.png", json_path=path, start_at=3)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    history = json.loads(path.read_text())
    assert len(history["loss"]) == 5 and history["loss"][:3] == [5.0, 4.0, 3.0]
    assert history["loss"][3:] == pytest.approx(model.history.history["loss"])
    assert history["accuracy"][:3] == [0.1, 0.2, 0.3] and len(history["accuracy"]) == 5

    # without start_at the history starts afresh
    fresh = TrainingMonitor(tmp_path / "monitor.png", json_path=path)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[fresh])
    assert len(json.loads(path.read_text())["loss"]) == 1


def test_training_monitor_checks_its_arguments(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    with pytest.raises(ValueError, match="start_at=-1"):
        TrainingMonitor(tmp_path / "m.png", start_at=-1)
    with pytest.raises(ValueError, match="fig_path=None"):
        TrainingMonitor(None)


# -- the five scripts -------------------------------------------------------------
def _run_script(script, tiny_cifar, out, *extra):
    module = load_script(STUDY, script)
    argv = ["--dataset", str(tiny_cifar), "--epochs", "1", "--batch-size", "8",
            "--verbose", "0", "--output", str(out), *extra]
    assert module.main(argv) == 0
    names = {p.name for p in out.iterdir()}
    assert RUN_FILES <= names
    history = json.loads((out / "history.json").read_text())
    report = json.loads((out / "classification_report.json").read_text())
    assert list(report)[:10] == CIFAR10_CLASSES
    results = list(csv.DictReader(open(os.environ["PYIMAGESEARCH_OUTPUTS"] + "/results.csv")))
    assert (results[-1]["study"], results[-1]["data"]) == (STUDY, "cifar10")
    assert results[-1]["value"] == f"{report['accuracy']:.4f}"
    return names, history


def test_train_decay_runs_and_decays(tmp_path, tiny_cifar):
    out = tmp_path / "run"
    _, history = _run_script("train_decay", tiny_cifar, out, "--decay", "0.01")
    # 30 images / batch 8 = 4 iterations: 0.01 / (1 + 0.01 * 4)
    assert history["learning_rate"] == pytest.approx([0.01 / 1.04], rel=1e-5)
    args = json.loads((out / "args.json").read_text())["args"]
    assert args["decay"] == 0.01 and args["momentum"] == 0.9 and args["learning_rate"] == 0.01


def test_train_lr_schedule_runs_and_plots(tmp_path, tiny_cifar):
    names, history = _run_script("train_lr_schedule", tiny_cifar, tmp_path / "run",
                                 "--no-bn", "--factor", "0.5", "--drop-every", "1")
    assert "lr_schedule.png" in names
    assert history["learning_rate"] == pytest.approx([0.005])  # epoch 0: 0.01 * 0.5 ** 1
    import keras

    model = keras.saving.load_model(tmp_path / "run" / "model.keras")
    assert model.name == "minivggnet_nobn"


def test_train_monitor_runs(tmp_path, tiny_cifar):
    out = tmp_path / "run"
    names, history = _run_script("train_monitor", tiny_cifar, out)
    assert {"monitor.png", "monitor.json"} <= names
    assert not [n for n in names if n.startswith(".")]
    monitor = json.loads((out / "monitor.json").read_text())
    assert monitor["loss"] == pytest.approx(history["loss"])


def test_train_checkpoint_keeps_only_best(tmp_path, tiny_cifar, monkeypatch):
    # the default --dataset cifar10 finds the local copy under $DATASETS_DIR
    monkeypatch.setenv("DATASETS_DIR", str(tiny_cifar.parent))
    module = load_script(STUDY, "train_checkpoint")
    out = tmp_path / "best"
    module.main(["--epochs", "2", "--batch-size", "8", "--verbose", "0", "--output", str(out)])
    names = {p.name for p in out.iterdir()}
    assert RUN_FILES | {"best.keras"} <= names and "checkpoints" not in names
    assert json.loads((out / "args.json").read_text())["args"]["dataset"] == "cifar10"
    import keras

    best = keras.saving.load_model(out / "best.keras")
    assert best.output_shape == (None, 10)


def test_train_checkpoint_every_improvement(tmp_path, tiny_cifar):
    out = tmp_path / "every"
    module = load_script(STUDY, "train_checkpoint")
    module.main(["--dataset", str(tiny_cifar), "--epochs", "3", "--batch-size", "8",
                 "--learning-rate", "0.001", "--verbose", "0", "--output", str(out),
                 "--every-improvement"])
    assert not (out / "best.keras").exists()
    files = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert files and files[0].startswith("weights-001-")
    parsed = [re.fullmatch(r"weights-(\d{3})-(\d+\.\d{4})\.keras", f) for f in files]
    assert all(parsed), files
    epochs = [int(m.group(1)) for m in parsed]
    losses = [float(m.group(2)) for m in parsed]
    assert epochs == sorted(set(epochs)) and all(1 <= e <= 3 for e in epochs)
    # names round val_loss to 4 decimals: each is at most the one before
    assert all(a >= b for a, b in zip(losses, losses[1:])), losses
    # a file exists exactly for the epochs that improved val_loss
    history = json.loads((out / "history.json").read_text())
    best, improved = math.inf, []
    for epoch, loss in enumerate(history["val_loss"], 1):
        if loss < best:
            best, improved = loss, improved + [epoch]
    assert epochs == improved


def test_visualize_draws_the_graph(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed")
    module = load_script(STUDY, "visualize")
    out = tmp_path / "graph"
    assert module.main(["--output", str(out), "--verbose", "0"]) == 0
    assert cv2.imread(str(out / "minivggnet.png")) is not None
    assert "block2_conv2" in (out / "summary.txt").read_text()
    module.main(["--no-bn", "--output", str(tmp_path / "nobn")])
    assert (tmp_path / "nobn" / "minivggnet_nobn.png").exists()


def test_visualize_without_dot_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    module = load_script(STUDY, "visualize")
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    out = tmp_path / "graph"
    with pytest.raises(SystemExit) as info:
        module.main(["--output", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: graphviz's dot is missing")
    assert "apt-get install graphviz" in err and not out.exists()


@pytest.mark.parametrize("script", ["train_decay", "train_monitor"])
def test_bad_dataset_is_one_line_and_exit_2(script, tmp_path, capsys, no_datasets_dir):
    (tmp_path / "empty").mkdir()
    module = load_script(STUDY, script)
    with pytest.raises(SystemExit) as info:
        module.main(["--dataset", str(tmp_path / "empty"), "--output", str(tmp_path / "o")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a CIFAR-10 folder" in err
