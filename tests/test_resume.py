"""Long runs resume: SIGKILLed after an epoch, the same command continues at the next one.

Each test runs a long-running study script as a real process with
``PYIMAGESEARCH_FAULT=epoch_end@N`` (`pyimagesearch.harness.faults`: the process
kills itself once the N-th epoch's history and backup are written), then runs
the SAME command again through `main(argv)`: it must restore the backup in
``<run>/backup/`` and train only the epochs left, leaving a history with every
epoch once, the final model, a ``finished`` ledger row and no backup. Tiny
generated data (32x32 or smaller, a few dozen images), 3-4 epochs.
"""

import csv
import json
import os
import signal
import subprocess
import sys

import keras
import numpy as np
import pytest

from conftest import ROOT, load_script, make_cifar_pngs, make_image_folder

SHALLOWNET = "2020-11-10-shallownet"
MINIVGGNET = "2020-11-12-minivggnet"
GOOGLENET = "2020-12-06-minigooglenet"
FLOWERS = "2020-11-17-data-augmentation"
SURGERY = "2020-11-21-network-surgery"
ENSEMBLE = "2020-11-22-ensemble-methods"


def run_killed(study, script, argv, fault, tmp_path, timeout=300):
    """Run `script` as a process that SIGKILLs itself at `fault`; the process's output."""
    folder = ROOT / "experiments" / study
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{folder}", PYIMAGESEARCH_FAULT=fault,
               TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(folder / f"{script}.py"), *argv], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout[-2000:],
                                                proc.stderr[-2000:])
    return proc


def rerun(study, script, argv, monkeypatch):
    """The same command again, in this process."""
    monkeypatch.syspath_prepend(str(ROOT / "experiments" / study))
    module = load_script(study, script)
    assert module.main(argv) == 0


def history_of(run):
    return json.loads((run / "history.json").read_text())


def assert_finished(run, epochs):
    """Every epoch once, the model, a finished row, no mark and no backup left."""
    history = history_of(run)
    assert {len(values) for values in history.values()} == {epochs}, history
    with open(run / "history.csv") as f:
        assert [int(row["epoch"]) for row in csv.DictReader(f)] == list(range(1, epochs + 1))
    model = keras.saving.load_model(run / "model.keras", compile=False)
    assert model is not None
    with open(run / "results.csv") as f:
        statuses = [row["status"] for row in csv.DictReader(f)]
    assert statuses and set(statuses) == {"finished"}
    assert not (run / ".run-incomplete").exists()
    assert not (run / "backup").exists()  # released once the model was saved
    return history


def assert_killed_after(run, epochs):
    """What the killed attempt left: its mark, `epochs` epochs of history, the backup."""
    assert (run / ".run-incomplete").is_file()
    assert {len(v) for v in history_of(run).values()} == {epochs}
    state = run / "backup" / "state" / "training_metadata.json"
    assert json.loads(state.read_text())["epoch"] == epochs


@pytest.fixture
def cifar(tmp_path):
    root = tmp_path / "cifar10"
    make_cifar_pngs(root, per_class=2)  # 20 training, 20 test images
    return root


def test_minigooglenet_resumes_after_a_kill(tmp_path, cifar, monkeypatch):
    run = tmp_path / "run"
    argv = ["--dataset", str(cifar), "--epochs", "3", "--batch-size", "64", "--power", "1",
            "--learning-rate", "0.01", "--output", str(run), "--verbose", "0"]
    run_killed(GOOGLENET, "train", argv, "epoch_end@2", tmp_path)
    assert_killed_after(run, 2)
    rerun(GOOGLENET, "train", argv, monkeypatch)
    history = assert_finished(run, 3)
    # the polynomial decay continues at epoch 3 (lr0 0.01, power 1: 0.01, 0.00667, 0.00333)
    assert history["learning_rate"] == pytest.approx([0.01, 0.01 * 2 / 3, 0.01 / 3], rel=1e-4)
    monitor = json.loads((run / "monitor.json").read_text())
    assert len(monitor["loss"]) == 3 and monitor["loss"] == pytest.approx(history["loss"])


def test_monitor_run_resumes_and_its_monitor_continues(tmp_path, cifar, monkeypatch):
    run = tmp_path / "run"
    argv = ["--dataset", str(cifar), "--epochs", "3", "--batch-size", "64", "--verbose", "0",
            "--output", str(run)]
    run_killed(MINIVGGNET, "train_monitor", argv, "epoch_end@2", tmp_path)
    assert_killed_after(run, 2)
    killed = history_of(run)
    rerun(MINIVGGNET, "train_monitor", argv, monkeypatch)
    history = assert_finished(run, 3)
    assert {k: v[:2] for k, v in history.items()} == killed  # epochs 1-2 kept as they were
    monitor = json.loads((run / "monitor.json").read_text())
    assert len(monitor["loss"]) == 3  # the TrainingMonitor continued its JSON
    assert monitor["loss"] == pytest.approx(history["loss"])


def test_a_deterministic_resumed_run_equals_an_uninterrupted_one(tmp_path, monkeypatch):
    """ShallowNet (no dropout, no augmentation): the same curves and weights, killed or not."""
    animals = make_image_folder(tmp_path / "animals", per_class=8, size=(32, 32))
    common = ["--dataset", str(animals), "--epochs", "4", "--batch-size", "4", "--verbose", "0",
              "--deterministic"]
    run = tmp_path / "run"
    run_killed(SHALLOWNET, "train", [*common, "--output", str(run)], "epoch_end@2", tmp_path)
    assert_killed_after(run, 2)
    rerun(SHALLOWNET, "train", [*common, "--output", str(run)], monkeypatch)
    history = assert_finished(run, 4)
    whole = tmp_path / "whole"
    rerun(SHALLOWNET, "train", [*common, "--output", str(whole)], monkeypatch)
    uninterrupted = history_of(whole)
    assert set(history) == set(uninterrupted)
    for key, values in history.items():
        assert values == pytest.approx(uninterrupted[key], rel=1e-5, abs=1e-6), key
    resumed = keras.saving.load_model(run / "model.keras", compile=False).get_weights()
    never_killed = keras.saving.load_model(whole / "model.keras", compile=False).get_weights()
    for a, b in zip(resumed, never_killed):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_flowers_run_resumes_after_a_kill(tmp_path, monkeypatch):
    flowers = make_image_folder(tmp_path / "flowers", per_class=6, size=(20, 24),
                                classes=("Bluebell", "Crocus", "Daisy"))
    run = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "3", "--batch-size", "64", "--image-size",
            "16", "--augment", "--output", str(run), "--verbose", "0"]
    run_killed(FLOWERS, "train", argv, "epoch_end@2", tmp_path)
    assert_killed_after(run, 2)
    rerun(FLOWERS, "train", argv, monkeypatch)
    assert_finished(run, 3)


def test_network_surgery_resumes_in_its_second_fit(tmp_path, monkeypatch):
    flowers = make_image_folder(tmp_path / "flowers", per_class=6, size=(40, 48),
                                classes=("Bluebell", "Crocus", "Daisy"))
    run = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--model", "vgg16", "--weights", "none",  # few layers: quick
            "--image-size", "32", "--warmup-epochs", "2", "--epochs", "3", "--batch-size", "64",
            "--dense", "8", "--output", str(run), "--verbose", "0"]
    # killed after the warm-up's 2 epochs and the fine-tuning's first 2
    run_killed(SURGERY, "finetune", argv, "epoch_end@4", tmp_path)
    assert (run / ".run-incomplete").is_file()
    assert len(history_of(run)["loss"]) == 4  # both fits, one curve
    assert json.loads((run / "backup" / "state" / "training_metadata.json").read_text()) == {
        "epoch": 2, "batch": 0}  # the warm-up's
    assert json.loads((run / "backup" / "state-2" / "training_metadata.json").read_text())[
        "epoch"] == 2  # the fine-tuning's
    rerun(SURGERY, "finetune", argv, monkeypatch)
    assert_finished(run, 3)  # the fine-tuning's curve (the script's history.json)
    warmup = json.loads((run / "history_warmup.json").read_text())
    assert {len(v) for v in warmup.values()} == {2}  # the restored warm-up keeps its curve


def test_ensemble_resumes_in_the_middle_of_a_member(tmp_path, cifar, monkeypatch):
    run = tmp_path / "ensemble"
    argv = ["--dataset", str(cifar), "--num-models", "2", "--epochs", "3", "--batch-size", "64",
            "--output", str(run), "--verbose", "0"]
    # member 0 finished (3 epochs), member 1 killed after its 2nd epoch
    run_killed(ENSEMBLE, "train_models", argv, "epoch_end@5", tmp_path)
    first, second = run / "members" / "0", run / "members" / "1"
    assert (first / "model.keras").is_file() and not (first / ".run-incomplete").exists()
    assert_killed_after(second, 2)
    finished = (first / "model.keras").read_bytes()
    rerun(ENSEMBLE, "train_models", argv, monkeypatch)
    assert (first / "model.keras").read_bytes() == finished  # reused, not trained again
    for member in (first, second):
        assert_finished(member, 3)
    with open(run / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["metric"] for r in rows] == ["member_mean_accuracy"]
    assert rows[0]["status"] == "finished"
