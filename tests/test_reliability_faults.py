"""Reliability: a SIGKILL at the worst moments loses nothing, and the same command resumes.

Each test runs a study script as a real process with ``PYIMAGESEARCH_FAULT``
naming the point where it kills itself (`pyimagesearch.harness.faults`), checks
that no truncated file sits under a final name, then runs the SAME command
again (in this process, through `main(argv)`), which must finish: the
requested epochs, a history without a gap or a duplicate, complete files.
Tiny data: a 64x64 build of 40 generated images, AlexNet at 57x57 with FC
layers of 16 units.
"""

import json
import os
import signal
import subprocess
import sys

import h5py
import keras
import pytest

from conftest import ROOT, load_script, make_kaggle_folder

STUDY = "2020-11-23-dogs-vs-cats"
SCRIPTS = ROOT / "experiments" / STUDY


def run_killed(script, argv, fault, tmp_path, timeout=300):
    """Run `script` as a process that kills itself at `fault`; assert it was SIGKILLed."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYIMAGESEARCH_FAULT=fault,
               TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(SCRIPTS / f"{script}.py"), *argv], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout[-2000:],
                                                proc.stderr[-2000:])
    return proc


def final_files(*folders):
    """Every file under a final name (temporaries start with a dot: they are not final)."""
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def assert_complete(path):
    """A final file is whole: JSON parses, HDF5 opens, a .keras model loads."""
    if path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix in (".h5", ".hdf5"):
        with h5py.File(path, "r"):
            pass
    elif path.suffix == ".keras":
        keras.saving.load_model(path, compile=False)


@pytest.fixture(scope="module")
def hdf5_dir(tmp_path_factory):
    """A finished build: 40 images at 64x64, 30 train, 4 val, 6 test."""
    kaggle = make_kaggle_folder(tmp_path_factory.mktemp("kaggle") / "train")
    out = tmp_path_factory.mktemp("hdf5")
    build = load_script(STUDY, "build_dataset")
    assert build.main(["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "64",
                       "--val-count", "4", "--test-count", "6", "--verbose", "0"]) == 0
    return out


def test_kill_during_an_hdf5_build_then_the_same_command_builds_it(tmp_path):
    kaggle = make_kaggle_folder(tmp_path / "train", per_class=12)
    out = tmp_path / "hdf5"
    argv = ["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "16",
            "--val-count", "4", "--test-count", "4", "--workers", "1", "--verbose", "0"]
    # killed after the second chunk of train.hdf5 is on disk
    run_killed("build_dataset", argv, "hdf5_chunk@2", tmp_path)
    assert final_files(out) == []  # only a hidden temporary: nothing looks built
    assert any(p.name.startswith(".train.tmp-") for p in out.iterdir())

    build = load_script(STUDY, "build_dataset")
    assert build.main(argv) == 0  # the same command, no --force needed
    config = sys.modules["config"]
    config.check_build(out)
    assert sorted(p.name for p in out.iterdir()) == ["build.json", "mean.json", "test.hdf5",
                                                     "train.hdf5", "val.hdf5"]
    old = {p.name: p.read_bytes() for p in out.iterdir()}

    # killed during a --force rebuild: the old build stays whole and usable
    run_killed("build_dataset", argv + ["--force", "--image-size", "8"], "hdf5_chunk@3",
               tmp_path)
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == old
    config.check_build(out)
    assert build.main(argv + ["--force", "--image-size", "8"]) == 0
    assert json.loads((out / "build.json").read_text())["image_size"] == 8
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # stale temporaries gone


def alexnet_argv(hdf5_dir, tmp_path, epochs):
    return ["--hdf5-dir", str(hdf5_dir), "--crop-size", "57", "--fc-units", "16",
            "--batch-size", "8", "--epochs", str(epochs), "--augment", "none", "--bn-momentum", "0.9",
            "--backup", str(tmp_path / "backup"), "--output", str(tmp_path / "run"),
            "--verbose", "0"]


def resume_and_check(argv, tmp_path, epochs):
    """The same command again: it must finish with `epochs` epochs, every file whole."""
    for path in final_files(tmp_path / "run", tmp_path / "backup"):
        assert_complete(path)  # nothing truncated under a final name, even after the kill
    train = load_script(STUDY, "train_alexnet")
    assert train.main(argv) == 0
    run = tmp_path / "run"
    history = json.loads((run / "history.json").read_text())
    assert {len(values) for values in history.values()} == {epochs}  # no gap, no duplicate
    monitor = json.loads((tmp_path / "backup" / "monitor.json").read_text())
    assert monitor == history
    model = keras.saving.load_model(run / "model.keras")
    assert int(model.optimizer.iterations.numpy()) == epochs * 4  # 30 images, batch 8
    assert not (tmp_path / "backup" / "state").exists()  # released once the model is saved
    assert not (run / ".run-incomplete").exists()
    for path in final_files(run):
        assert_complete(path)
    leftovers = [p for p in (*run.iterdir(), *(tmp_path / "backup").iterdir())
                 if ".tmp-" in p.name]
    assert leftovers == []  # the killed attempt's temporaries were cleaned up
    return history


def test_kill_during_a_backup_write_resumes_from_the_epoch_before(tmp_path, hdf5_dir, capsys):
    argv = alexnet_argv(hdf5_dir, tmp_path, epochs=2)
    # killed while the weights of epoch 2 are half written
    run_killed("train_alexnet", argv, "backup_write@2", tmp_path)
    state = tmp_path / "backup" / "state"
    assert json.loads((state / "training_metadata.json.bkp").read_text())["epoch"] == 1
    assert not (state / "training_metadata.json").exists()  # the half-written state is void
    assert len(json.loads((tmp_path / "backup" / "monitor.json").read_text())["loss"]) == 2
    resume_and_check(argv, tmp_path, epochs=2)
    assert "resuming after epoch 1" in capsys.readouterr().out


def test_kill_between_the_last_epoch_and_the_model_save_keeps_the_training(tmp_path, hdf5_dir,
                                                                           capsys):
    argv = alexnet_argv(hdf5_dir, tmp_path, epochs=1)
    run_killed("train_alexnet", argv, "before_model_save", tmp_path)
    assert not (tmp_path / "run" / "model.keras").exists()
    state = tmp_path / "backup" / "state"
    assert json.loads((state / "training_metadata.json").read_text())["epoch"] == 1
    resume_and_check(argv, tmp_path, epochs=1)
    assert "the backup holds every epoch" in capsys.readouterr().out


def test_kill_during_the_model_save_leaves_no_truncated_model(tmp_path, hdf5_dir):
    argv = alexnet_argv(hdf5_dir, tmp_path, epochs=1)
    run_killed("train_alexnet", argv, "model_save", tmp_path)
    run = tmp_path / "run"
    assert not (run / "model.keras").exists()
    assert [p.name for p in run.iterdir() if p.name.endswith(".keras")]  # the half temporary
    resume_and_check(argv, tmp_path, epochs=1)
