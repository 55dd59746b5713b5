"""2020-10-10 multiclassification: the NumPy network's train.py through `main([...])`."""

import json

import numpy as np
import pytest

from conftest import load_script, results, refused_by_argparse

STUDY = "2020-10-10-multiclassification"


@pytest.mark.parametrize("dataset, classes", [("iris", 3), ("digits", 10)])
def test_numpy_network_study(tmp_path, dataset, classes):
    study = load_script(STUDY, "train")
    out = tmp_path / "run"
    study.main(["--dataset", dataset, "--epochs", "3", "--batch-size", "32", "--output",
                str(out), "--verbose", "0"])
    history = json.loads((out / "history.json").read_text())
    assert set(history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]
    assert (out / "training_plot.png").exists()
    with np.load(out / "model.npz") as saved:
        assert saved["sizes"][0] == (4 if dataset == "iris" else 64)
        assert saved["sizes"][-1] == classes
    assert [r["metric"] for r in results()] == ["train_accuracy", "accuracy"]


def test_numpy_network_iris_reaches_the_diary_level(tmp_path):
    study = load_script(STUDY, "train")
    out = tmp_path / "run"
    study.main(["--dataset", "iris", "--epochs", "150", "--output", str(out), "--verbose", "0"])
    report = json.loads((out / "classification_report.json").read_text())
    assert report["accuracy"] >= 0.9


@pytest.mark.parametrize("flag, value, message", [
    ("--dataset", "mnist", "invalid choice: 'mnist'"),
    ("--epochs", "0", "a positive integer"),
    ("--batch-size", "-8", "a positive integer"),
    ("--learning-rate", "nan", "a positive number"),
    ("--learning-rate", "0", "a positive number"),
    ("--hidden", "25,0", "expected positive integers separated by commas (e.g. 25,25), got '25,0'"),
    ("--hidden", "a,b", "got 'a,b'"),
    ("--optimizer", "adam", "invalid choice"),
    ("--seed", "-1", "[0, 2**32 - 1]"),
])
def test_a_bad_flag_is_an_argparse_error(tmp_path, capsys, flag, value, message):
    study = load_script(STUDY, "train")
    refused_by_argparse(capsys, study.main, [flag, value], tmp_path / "run", flag, value, message)
