"""The MiniVGGNet study (2020-11-12): its five scripts on tiny CIFAR-like data."""

import csv
import json
import math
import os
import re
import shutil

import cv2
import pytest

from conftest import load_script
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES

STUDY = "2020-11-12-minivggnet"
RUN_FILES = {"args.json", "history.json", "history.csv", "training_plot.png",
             "classification_report.txt", "classification_report.json",
             "model.keras", "results.csv"}


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


def test_train_decay_fast_recipe_in_mixed_precision(tmp_path, tiny_cifar):
    # the fast recipe's own defaults (batch 128 > 30 images: one step per
    # epoch), in mixed_bfloat16 on CPUs (mixed_float16 on GPUs)
    out = tmp_path / "run"
    _, history = _run_script("train_decay", tiny_cifar, out, "--recipe", "fast", "--epochs", "2",
                             "--mixed-precision")
    saved = json.loads((out / "args.json").read_text())
    assert saved["args"]["recipe"] == "fast" and saved["precision"].startswith("mixed_")
    peak = cifar_recipe("fast").learning_rate
    assert saved["global_batch_size"] == 8 and saved["args"]["learning_rate"] == peak
    assert len(history["loss"]) == 2 and all(math.isfinite(v) for v in history["loss"])
    # 4 steps per epoch: a one-epoch warm-up to the peak, then the cosine down
    rates = history["learning_rate"]
    assert rates[0] == pytest.approx(peak, rel=1e-3) and rates[1] < rates[0] / 2
    timing = json.loads((out / "timing.json").read_text())
    assert len(timing["train_seconds"]) == 2 and timing["val_accuracy"] == history["val_accuracy"]
    import keras

    model = keras.saving.load_model(out / "model.keras")
    assert model.get_layer("predictions").compute_dtype == "float32"


def cifar_recipe(name):
    return load_script(STUDY, "train_decay").RECIPES[name]


def test_train_decay_refuses_decay_with_the_fast_recipe(tmp_path, tiny_cifar, capsys):
    module = load_script(STUDY, "train_decay")
    with pytest.raises(SystemExit) as info:
        module.main(["--dataset", str(tiny_cifar), "--recipe", "fast", "--decay", "0.1",
                     "--output", str(tmp_path / "o")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --decay is for --recipe diary") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


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
