"""Each study script end to end through `main([...])` on tiny data, 1 epoch."""

import csv
import json
import os

import pytest

from conftest import datasets_dir, load_script, make_image_folder

RUN_FILES = {"args.json", "history.json", "history.csv", "training_plot.png",
             "classification_report.txt", "classification_report.json",
             "model.keras", "results.csv"}


def check_run(out, epochs=1):
    assert RUN_FILES <= {p.name for p in out.iterdir()}
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == epochs and "val_accuracy" in history
    report = json.loads((out / "classification_report.json").read_text())
    assert 0.0 <= report["accuracy"] <= 1.0
    results = list(csv.DictReader(open(os.environ["PYIMAGESEARCH_OUTPUTS"] + "/results.csv")))
    assert results[-1]["value"] == f"{report['accuracy']:.4f}"
    return report


# -- LeNet ---------------------------------------------------------------------
def test_lenet_on_bundled_digits(tmp_path):
    lenet = load_script("2020-11-11-lenet", "train")
    out = tmp_path / "run"
    assert lenet.main(["--dataset", "digits", "--epochs", "1", "--batch-size", "32",
                       "--momentum", "0.9", "--output", str(out), "--verbose", "0"]) == 0
    report = check_run(out)
    assert report["accuracy"] > 0.3  # one epoch already learns something
    assert [str(d) for d in range(10)] <= list(report)
    row = list(csv.DictReader(open(os.environ["PYIMAGESEARCH_OUTPUTS"] + "/results.csv")))[-1]
    assert (row["study"], row["data"], row["metric"]) == ("2020-11-11-lenet", "digits", "accuracy")


def test_lenet_on_a_mnist_npz(tmp_path, tiny_mnist):
    lenet = load_script("2020-11-11-lenet", "train")
    out = tmp_path / "run"
    lenet.main(["--dataset", str(tiny_mnist), "--epochs", "2", "--batch-size", "8",
                "--momentum", "0.9", "--nesterov", "--output", str(out), "--verbose", "0"])
    check_run(out, epochs=2)
    import keras

    model = keras.saving.load_model(out / "model.keras")
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)


def test_lenet_mnist_name_uses_the_local_copy(tmp_path, tiny_mnist, monkeypatch):
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    tiny_mnist.rename(tmp_path / "data" / "mnist" / "mnist.npz")
    monkeypatch.setenv("DATASETS_DIR", str(tmp_path / "data"))
    lenet = load_script("2020-11-11-lenet", "train")
    lenet.main(["--epochs", "1", "--output", str(tmp_path / "run"), "--verbose", "0"])
    args = json.loads((tmp_path / "run" / "args.json").read_text())
    assert args["args"]["dataset"] == "mnist"


# -- ShallowNet ----------------------------------------------------------------
def test_shallownet_train_then_predict(tmp_path, image_folder):
    train = load_script("2020-11-10-shallownet", "train")
    out = tmp_path / "run"
    train.main(["--dataset", str(image_folder), "--epochs", "1", "--output", str(out),
                "--verbose", "0"])
    check_run(out)
    assert json.loads((out / "class_names.json").read_text()) == ["cats", "dogs", "panda"]

    predict = load_script("2020-11-10-shallownet", "predict")
    pred_out = tmp_path / "pred"
    predict.main(["--dataset", str(image_folder), "--model", str(out / "model.keras"),
                  "--count", "4", "--output", str(pred_out), "--verbose", "0"])
    images = sorted(p.name for p in pred_out.glob("prediction_*.jpg"))
    assert len(images) == 4
    rows = json.loads((pred_out / "predictions.json").read_text())
    assert [r["written"] for r in rows] == images
    assert all(r["label"] in ("cats", "dogs", "panda") and 0 < r["probability"] <= 1 for r in rows)
    import cv2

    annotated = cv2.imread(str(pred_out / images[0]))
    original = cv2.imread(rows[0]["image"])
    assert annotated.shape == original.shape and (annotated != original).any()


def test_shallownet_on_real_animals_subset(tmp_path):
    animals = datasets_dir() / "animals"
    subset = tmp_path / "animals"
    for name in ("cats", "dogs", "panda"):
        (subset / name).mkdir(parents=True)
        for path in sorted((animals / name).iterdir())[:12]:
            (subset / name / path.name).symlink_to(path)
    train = load_script("2020-11-10-shallownet", "train")
    train.main(["--dataset", str(subset), "--epochs", "1", "--output", str(tmp_path / "r"),
                "--verbose", "0"])
    report = check_run(tmp_path / "r")
    assert report["macro avg"]["support"] == 9  # 25% of 36 images


# -- bad input: one line on stderr, exit 2, nothing damaged ----------------------
BAD_INPUTS = [
    ("2020-11-10-shallownet", "train", ["--dataset", "{tmp}/missing"], "no such file or folder"),
    ("2020-11-10-shallownet", "train", ["--dataset", "{tmp}/empty"], "holds no image files"),
    ("2020-11-10-shallownet", "train", ["--dataset", "zebras"], "unknown data set"),
    ("2020-11-10-shallownet", "train", ["--dataset", "{tmp}/corrupt"], "none of the 2 files"),
    ("2020-11-11-lenet", "train", ["--dataset", "fashion"], "unknown data set"),
    ("2020-11-11-lenet", "train", ["--dataset", "{tmp}/notes.npz"], "not a readable .npz"),
    ("2020-11-10-shallownet", "predict",
     ["--dataset", "{tmp}/animals", "--model", "{tmp}/missing.keras"], "no such file"),
    ("2020-11-10-shallownet", "predict",
     ["--dataset", "{tmp}/animals", "--model", "{tmp}/notes.npz"], "expected a Keras 3 .keras"),
]


@pytest.mark.parametrize("study, script, argv, message", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(study, script, argv, message, tmp_path, capsys,
                                          no_datasets_dir):
    (tmp_path / "empty").mkdir()
    (tmp_path / "corrupt" / "cats").mkdir(parents=True)
    (tmp_path / "corrupt" / "cats" / "a.jpg").write_bytes(b"no image")
    (tmp_path / "corrupt" / "cats" / "b.png").write_text("no image either")
    (tmp_path / "notes.npz").write_text("not numpy")
    make_image_folder(tmp_path / "animals", per_class=1)
    module = load_script(study, script)
    argv = [a.format(tmp=tmp_path) for a in argv] + ["--output", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as info, pytest.warns() if "corrupt" in argv[1] else _nothing():
        module.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_existing_output_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.keras").write_bytes(b"an earlier model")
    lenet = load_script("2020-11-11-lenet", "train")
    with pytest.raises(SystemExit) as info:
        lenet.main(["--dataset", "digits", "--output", str(out)])
    assert info.value.code == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["model.keras"]
    assert (out / "model.keras").read_bytes() == b"an earlier model"


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- the NumPy network (multiclassification) -------------------------------------
@pytest.mark.parametrize("dataset, classes", [("iris", 3), ("digits", 10)])
def test_numpy_network_study(tmp_path, dataset, classes):
    study = load_script("2020-10-10-multiclassification", "train")
    out = tmp_path / "run"
    study.main(["--dataset", dataset, "--epochs", "3", "--batch-size", "32", "--output",
                str(out), "--verbose", "0"])
    history = json.loads((out / "history.json").read_text())
    assert set(history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]
    assert (out / "training_plot.png").exists()
    import numpy as np

    with np.load(out / "model.npz") as saved:
        assert saved["sizes"][0] == (4 if dataset == "iris" else 64)
        assert saved["sizes"][-1] == classes
    results = list(csv.DictReader(open(os.environ["PYIMAGESEARCH_OUTPUTS"] + "/results.csv")))
    assert [r["metric"] for r in results] == ["train_accuracy", "accuracy"]


def test_numpy_network_iris_reaches_the_diary_level(tmp_path):
    study = load_script("2020-10-10-multiclassification", "train")
    out = tmp_path / "run"
    study.main(["--dataset", "iris", "--epochs", "150", "--output", str(out), "--verbose", "0"])
    report = json.loads((out / "classification_report.json").read_text())
    assert report["accuracy"] >= 0.9


def test_numpy_network_rejects_other_datasets(tmp_path, capsys):
    study = load_script("2020-10-10-multiclassification", "train")
    with pytest.raises(SystemExit) as info:
        study.main(["--dataset", "mnist", "--output", str(tmp_path / "r")])
    assert info.value.code == 2 and "iris and digits" in capsys.readouterr().err
