"""2020-11-17 data augmentation: augmentation_demo.py and train.py through `main([...])`."""

import json

import cv2
import numpy as np
import pytest

from conftest import load_script, results, refused_by_argparse

AUGMENT = "2020-11-17-data-augmentation"


def test_augmentation_demo_writes_total_copies(tmp_path):
    image = tmp_path / "jemma.png"
    canvas = np.zeros((48, 64, 3), np.uint8)
    cv2.rectangle(canvas, (10, 8), (40, 30), (0, 200, 255), -1)
    cv2.imwrite(str(image), canvas)
    demo = load_script(AUGMENT, "augmentation_demo")
    out = tmp_path / "augmented"
    assert demo.main(["--image", str(image), "--output", str(out), "--total", "10"]) == 0
    copies = sorted(out.glob("image_*.jpg"))
    assert [p.name for p in copies] == [f"image_{i:03d}.jpg" for i in range(1, 11)]
    pixels = [cv2.imread(str(p)) for p in copies]
    assert all(p.shape == canvas.shape for p in pixels)
    assert len({p.tobytes() for p in pixels}) > 5  # new random parameters each time
    grid = cv2.imread(str(out / "grid.png"))  # the original and the 10 copies, 4 to a row
    assert grid is not None and grid.shape[:2] == (3 * 260, 4 * 240)


@pytest.mark.parametrize("augment", [False, True])
def test_minivggnet_on_flowers_without_and_with_augmentation(tmp_path, flowers, augment):
    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "1", "--image-size", "32", "--output",
            str(out), "--verbose", "0"] + (["--augment"] if augment else [])
    assert train.main(argv) == 0
    assert {"history.json", "training_plot.png", "classification_report.json",
            "model.keras", "class_names.json"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "class_names.json").read_text()) == ["Bluebell", "Crocus", "Daisy"]
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 6  # 25% of 24 images
    row = results()[-1]
    assert row["data"] == ("flowers+augment" if augment else "flowers")
    assert row["value"] == f"{report['accuracy']:.4f}"


def test_minivggnet_on_flowers_beyond_the_diary_recipe(tmp_path, flowers):
    """--schedule cosine, --momentum, --weight-decay and --label-smoothing reach the model."""
    import keras

    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "2", "--batch-size", "4", "--image-size",
            "32", "--output", str(out), "--verbose", "0", "--augment", "--schedule", "cosine",
            "--momentum", "0.9", "--weight-decay", "0.005", "--label-smoothing", "0.1"]
    assert train.main(argv) == 0
    model = keras.saving.load_model(out / "model.keras")
    opt = model.optimizer
    assert opt.momentum == pytest.approx(0.9) and opt.nesterov
    assert opt.weight_decay == pytest.approx(0.005)
    schedule = opt._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert schedule.decay_steps == 2 * 5  # 18 training images in batches of 4, 2 epochs
    # the learning rate has decayed to 0 by the end of the run
    assert float(opt.learning_rate) == pytest.approx(0.0, abs=1e-7)
    assert model.loss.get_config()["label_smoothing"] == pytest.approx(0.1)


def test_minivggnet_on_flowers_with_averaged_weights(tmp_path, flowers, capsys):
    """--ema reaches the optimizer, and the BN statistics are recomputed after fit."""
    import keras

    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "2", "--batch-size", "4", "--image-size",
            "32", "--output", str(out), "--verbose", "0", "--ema", "0.9", "--tta"]
    assert train.main(argv) == 0
    assert "recomputing the batch-norm statistics" in capsys.readouterr().out
    # --tta: a second report, of the mirror-averaged predictions, and its figure
    tta = json.loads((out / "classification_report_tta.json").read_text())
    assert 0.0 <= tta["accuracy"] <= 1.0
    assert [r["metric"] for r in results()[-2:]] == ["accuracy", "accuracy_flip_tta"]
    assert results()[-1]["value"] == f"{tta['accuracy']:.4f}"
    opt = keras.saving.load_model(out / "model.keras").optimizer
    assert opt.use_ema and opt.ema_momentum == pytest.approx(0.9)


def test_minivggnet_on_flowers_shear_reaches_the_augmentation(tmp_path, flowers, monkeypatch):
    import pyimagesearch.preprocessing as preprocessing

    calls = []
    build = preprocessing.build_augmentation

    def recording(**kwargs):
        calls.append(kwargs)
        return build(**kwargs)

    monkeypatch.setattr(preprocessing, "build_augmentation", recording)
    train = load_script(AUGMENT, "train")
    argv = ["--dataset", str(flowers), "--epochs", "1", "--batch-size", "4", "--image-size",
            "32", "--output", str(tmp_path / "run"), "--verbose", "0", "--augment",
            "--shear", "0.0035"]
    assert train.main(argv) == 0
    assert calls == [{"shear": 0.0035, "seed": 42}]
    layer = build(shear=0.0035).get_layer("shear")
    assert layer.x_factor == (-0.0035, 0.0035)


# -- bad flags: an argparse error before anything loads ---------------------------
@pytest.mark.parametrize("flag, value", [
    ("--epochs", "0"),
    ("--batch-size", "0"),
    ("--learning-rate", "nan"),
    ("--learning-rate", "-0.05"),
    ("--image-size", "7"),
    ("--image-size", "6.5"),
    ("--shear", "2"),
    ("--shear", "-0.1"),
    ("--momentum", "1.0"),
    ("--momentum", "-5"),
    ("--weight-decay", "-1"),
    ("--weight-decay", "inf"),
    ("--label-smoothing", "1"),
    ("--ema", "1"),
    ("--ema", "nan"),
    ("--schedule", "linear"),
    ("--seed", "-1"),
])
def test_train_refuses_a_bad_flag_before_loading(tmp_path, capsys, flag, value):
    train = load_script(AUGMENT, "train")
    # a data set that does not exist: were the flag let through, the error would name it
    argv = ["--dataset", str(tmp_path / "missing"), flag, value]
    refused_by_argparse(capsys, train.main, argv, tmp_path / "run", flag, value)


@pytest.mark.parametrize("flag, value", [
    ("--total", "0"),
    ("--total", "ten"),
    ("--image", "{tmp}/missing.png"),
    ("--seed", "4294967296"),
])
def test_demo_refuses_a_bad_flag(tmp_path, capsys, flag, value):
    image = tmp_path / "jemma.png"
    cv2.imwrite(str(image), np.zeros((16, 16, 3), np.uint8))
    demo = load_script(AUGMENT, "augmentation_demo")
    value = value.format(tmp=tmp_path)
    argv = ([] if flag == "--image" else ["--image", str(image)]) + [flag, value]
    refused_by_argparse(capsys, demo.main, argv, tmp_path / "run", flag, value)
