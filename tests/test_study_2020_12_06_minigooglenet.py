"""experiments/2020-12-06-minigooglenet: train.py and report.py on tiny data."""

import csv
import json

import cv2
import numpy as np
import pytest

from conftest import ROOT, load_script, one_line_error
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES

STUDY = "2020-12-06-minigooglenet"
FOLDER = ROOT / "experiments" / STUDY
CLASSES = CIFAR10_CLASSES[:4]
TEST_COUNTS = (2, 3, 5, 6)  # unequal, so a swapped report would show other supports


def make_tiny_cifar(root, seed=0):
    """16 train images (4 per class) and 16 test images (2, 3, 5, 6 per class), 32x32.

    The test images are much brighter than the training images, so a mean
    computed on both would differ clearly from the training mean.
    """
    rng = np.random.default_rng(seed)
    for split, counts, low in (("train", (4, 4, 4, 4), 0), ("test", TEST_COUNTS, 150)):
        for name, count in zip(CLASSES, counts):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                image = rng.integers(low, low + 100, (32, 32, 3), dtype=np.uint8)
                cv2.imwrite(str(folder / f"{i:03d}.png"), image)
    return root


@pytest.fixture(scope="module")
def googlenet_run(tmp_path_factory):
    """train.py for 2 epochs (linear decay from 0.01), trained once for the tests below."""
    root = tmp_path_factory.mktemp("minigooglenet")
    data = make_tiny_cifar(root / "cifar10")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYIMAGESEARCH_OUTPUTS", str(root / "outputs"))
        mp.syspath_prepend(str(FOLDER))
        module = load_script(STUDY, "train")
        argv = ["--dataset", str(data), "--epochs", "2", "--batch-size", "8", "--verbose", "0",
                "--learning-rate", "0.01", "--power", "1", "--output", str(root / "run")]
        assert module.main(argv) == 0
    return data, root / "run"


@pytest.fixture(autouse=True)
def _study_folder_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(FOLDER))  # as when the script runs from its folder


def rows(folder):
    with open(folder / "results.csv") as f:
        return list(csv.DictReader(f))


def test_train_writes_the_outputs_and_decays_polynomially(googlenet_run):
    _, run = googlenet_run
    names = {p.name for p in run.iterdir()}
    assert {"args.json", "history.json", "history.csv", "training_plot.png", "monitor.png",
            "monitor.json", "classification_report.txt", "classification_report.json",
            "model.keras", "results.csv", "class_names.json"} <= names
    assert not [n for n in names if n.startswith(".")]
    history = json.loads((run / "history.json").read_text())
    # lr0 * (1 - epoch / 2) ** 1 for epochs 0 and 1
    assert history["learning_rate"] == pytest.approx([0.01, 0.005])
    assert json.loads((run / "monitor.json").read_text())["loss"] == pytest.approx(
        history["loss"])
    report = json.loads((run / "classification_report.json").read_text())
    (row,) = rows(run)
    assert row["data"] == "cifar10 lr0 0.01 power 1"
    assert row["value"] == f"{report['accuracy']:.4f}"


def test_mean_subtraction_uses_the_training_images_only(googlenet_run):
    import keras

    from pyimagesearch.datasets.cifar10 import load_cifar10

    data, run = googlenet_run
    (train_x, _), (test_x, _) = load_cifar10(data, verbose=0)
    model = keras.saving.load_model(run / "model.keras")
    mean = model.get_layer("pixel_mean").mean.numpy()[0]
    np.testing.assert_allclose(mean, train_x.astype(np.float64).mean(axis=0), rtol=1e-5)
    both = np.concatenate([train_x, test_x]).astype(np.float64).mean(axis=0)
    assert np.abs(mean - both).min() > 20  # the bright test images are not in it


def test_report_reloads_the_model_and_puts_y_true_first(googlenet_run, tmp_path):
    import keras

    from pyimagesearch.datasets.cifar10 import load_cifar10

    data, run = googlenet_run
    out = tmp_path / "report"
    module = load_script(STUDY, "report")
    assert module.main(["--dataset", str(data), "--model-path", str(run / "model.keras"),
                        "--verbose", "0", "--output", str(out)]) == 0
    report = json.loads((out / "classification_report.json").read_text())
    # support counts the true labels: 2, 3, 5, 6 test images per class
    assert [report[c]["support"] for c in CLASSES] == list(TEST_COUNTS)
    # the saved model takes raw pixels: its own mean subtraction comes first
    _, (test_x, test_y) = load_cifar10(data, verbose=0)
    predictions = keras.saving.load_model(run / "model.keras").predict(
        test_x.astype("float32"), verbose=0)
    assert report["accuracy"] == pytest.approx(float((predictions.argmax(1) == test_y).mean()))
    assert rows(out)[0]["data"] == "cifar10 report"


def test_report_refuses_a_missing_or_foreign_model(googlenet_run, tmp_path, capsys):
    import keras

    data, _ = googlenet_run
    module = load_script(STUDY, "report")
    argv = ["--dataset", str(data), "--verbose", "0", "--model-path"]
    with pytest.raises(SystemExit) as info:
        module.main([*argv, str(tmp_path / "none.keras")])
    one_line_error(capsys, info, "no such file")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip")
    with pytest.raises(SystemExit) as info:
        module.main([*argv, str(broken)])
    one_line_error(capsys, info, "does not load as a Keras model")
    inputs = keras.Input((32, 32, 3))
    three = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))
    three.save(tmp_path / "three.keras")
    with pytest.raises(SystemExit) as info:
        module.main([*argv, str(tmp_path / "three.keras")])
    one_line_error(capsys, info, "predicts 3 classes")


def test_train_checks_its_arguments(capsys):
    module = load_script(STUDY, "train")
    for flag in ("--learning-rate", "--power"):
        with pytest.raises(SystemExit) as info:
            module.main(["--dataset", "cifar10", flag, "0"])
        assert info.value.code == 2
        assert "expected a positive number" in capsys.readouterr().err


def test_fast_recipe_warms_up_then_decays_per_iteration(tmp_path, monkeypatch):
    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp_path / "outputs"))
    data = make_tiny_cifar(tmp_path / "cifar10")
    module = load_script(STUDY, "train")
    argv = ["--dataset", str(data), "--recipe", "fast", "--epochs", "2", "--batch-size", "8",
            "--verbose", "0", "--output", str(tmp_path / "run")]
    assert module.main(argv) == 0
    run = tmp_path / "run"
    history = json.loads((run / "history.json").read_text())
    args = json.loads((run / "args.json").read_text())
    assert args["args"]["recipe"] == "fast" and args["args"]["learning_rate"] == 0.05
    # one warm-up epoch (2 batches) rising to the peak 0.05, then a cosine to 0 at the last step
    assert history["learning_rate"][0] == pytest.approx(0.05, rel=1e-5)
    assert history["learning_rate"][1] == pytest.approx(0.0, abs=1e-7)
    timing = json.loads((run / "timing.json").read_text())
    assert len(timing["train_seconds"]) == 2 and timing["val_accuracy"] == history["val_accuracy"]
    (row,) = rows(run)
    assert row["data"] == "cifar10 fast recipe peak 0.05" and "--recipe fast" in row["recipe"]
