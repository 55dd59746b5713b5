"""Shared fixtures: small generated data, study scripts loaded as modules."""

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture
def tiny_mnist(tmp_path):
    """A Keras-layout mnist.npz with 40 train and 20 test images."""
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8),
        y_train=np.arange(40) % 10,
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=np.arange(20) % 10,
    )
    return path


def load_script(study, script):
    """Import `experiments/<study>/<script>.py` as a module (for `main([...])`).

    The script's folder goes on `sys.path`, as when Python runs the script,
    so that it can import the study's own modules beside it.
    """
    path = ROOT / "experiments" / study / f"{script}.py"
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    name = f"study_{study.replace('-', '_')}_{script}"
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


def usage_error(capsys, info, *messages):
    """Assert argparse refused the command line: exit 2, no traceback, and after
    the usage one `error: argument ...` line holding `messages` (e.g. the flag)."""
    assert info.value.code == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "Traceback" not in err and lines[0].startswith("usage: "), err
    errors = [line for line in lines if "error: " in line]
    assert len(errors) == 1 and errors[0] == lines[-1], err
    assert "error: argument " in errors[0], err
    for message in messages:
        assert message in errors[0], err
    return errors[0]


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
