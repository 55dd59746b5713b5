"""What a run leaves, and what it keeps when it is stopped: the harness's `Run`.

Ctrl-C, TensorBoard logs, the run ledger, the figures, `compare`, and the
evaluation that never truncates.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from argparse import Namespace

import cv2
import keras
import numpy as np
import pytest

from conftest import ROOT, load_script
from pyimagesearch import harness
from pyimagesearch.harness import reports

STUDY = "2020-11-12-minivggnet"


def _args(**kw):
    base = dict(seed=1, verbose=0, deterministic=False, mixed_precision=False, output=None)
    base.update(kw)
    return Namespace(**base)


def _tiny_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")
    return model, x, keras.utils.to_categorical(np.arange(12) % 3, 3)


def test_ctrl_c_during_training_keeps_history_plot_model_and_an_interrupted_row(tmp_path,
                                                                                 tiny_cifar):
    """SIGINT to `train_monitor.py` after epoch 2: exit 130 and nothing lost."""
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYIMAGESEARCH_OUTPUTS=str(tmp_path / "outputs"))
    script = ROOT / "experiments" / STUDY / "train_monitor.py"
    proc = subprocess.Popen([sys.executable, str(script), "--dataset", str(tiny_cifar),
                             "--epochs", "300", "--batch-size", "8", "--verbose", "0",
                             "--output", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            history = out / "history.json"
            if history.is_file() and len(json.loads(history.read_text()).get("loss", [])) >= 2:
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert "error: interrupted" in stderr and "Traceback" not in stderr
    history = json.loads((out / "history.json").read_text())
    epochs = len(history["loss"])
    assert 2 <= epochs < 300 and len(history["val_loss"]) == epochs
    assert (out / "training_plot.png").stat().st_size > 0
    model = keras.saving.load_model(out / "model.keras")
    assert model.output_shape == (None, 10)
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert rows[-1]["status"] == "interrupted" and rows[-1]["metric"] == "epochs"
    assert int(float(rows[-1]["value"])) >= 2
    assert rows[-1]["run"] == str(out) and rows[-1]["script"].endswith("train_monitor.py")
    # no temporary file is left under the run folder
    assert not [p for p in out.rglob(".*tmp*")]


def test_a_crash_after_training_still_leaves_the_curves_and_a_failed_row(tmp_path):
    model, x, y = _tiny_model()
    with pytest.raises(ZeroDivisionError):
        with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
            model.fit(x, y, epochs=3, verbose=0, callbacks=run.callbacks(tensorboard=False))
            1 / 0  # the evaluation crashes
    out = tmp_path / "r"
    assert len(json.loads((out / "history.json").read_text())["loss"]) == 3
    assert (out / "model.keras").is_file() and (out / "training_plot.png").is_file()
    assert list(csv.DictReader(open(out / "results.csv")))[-1]["status"] == "failed"


def test_tensorboard_logs_list_the_epoch_scalars(tmp_path):
    import tensorflow as tf

    model, x, y = _tiny_model()
    with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
        model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=run.callbacks())
    events = list((tmp_path / "r" / "tensorboard").rglob("events.out.tfevents.*"))
    assert events
    tags = {value.tag for path in events for event in tf.compat.v1.train.summary_iterator(
        str(path)) for value in event.summary.value}
    assert {"epoch_loss", "epoch_accuracy"} <= tags


def test_the_ledger_tells_runs_apart_by_recipe_data_and_status(tmp_path, image_folder):
    parser = harness.study_parser("doc", epochs=3, batch_size=4, dataset=str(image_folder))
    parser.add_argument("--augment", choices=("none", "flip"), default="none")
    for argv in ([], ["--augment", "flip", "--epochs", "5"]):
        args = parser.parse_args(argv)
        with harness.Run("study-x", args) as run:
            run.count_images(train=12, test=6)
            run.record(run.data_name, "accuracy", 0.5)
    rows = list(csv.DictReader(open(tmp_path / "outputs" / "results.csv")))
    assert [r["recipe"] for r in rows] == ["", "--epochs 5 --augment flip"]
    assert {r["data"] for r in rows} == {"animals"}
    assert rows[0]["data_path"] == str(image_folder) and rows[0]["images"] == "train=12 test=6"
    assert rows[0]["run"] != rows[1]["run"] and {r["status"] for r in rows} == {"finished"}
    args_json = json.loads((rows[1]["run"] + "/args.json").join(["", ""]) and
                           open(os.path.join(rows[1]["run"], "args.json")).read())
    assert args_json["recipe"] == "--epochs 5 --augment flip"
    assert {"keras", "tensorflow", "numpy", "h5py", "scikit-learn", "cv2"} <= set(
        args_json["versions"])
    assert "environment" in args_json and args_json["data_path"] == str(image_folder)


def test_an_old_ledger_gets_the_new_columns_and_keeps_its_rows(tmp_path):
    from pyimagesearch.harness import ledger

    path = tmp_path / "results.csv"
    path.write_text("study,date,data,metric,value,seconds\nold,2020,cifar10,accuracy,0.7,9\n")
    ledger.append_row(path, {"study": "new", "metric": "accuracy", "value": "0.8"})
    rows = ledger.read_rows(path)
    assert [r["study"] for r in rows] == ["old", "new"] and rows[0]["data"] == "cifar10"
    assert list(rows[0]) == list(ledger.COLUMNS)


def test_compare_draws_two_runs_and_prints_their_table(tmp_path, capsys):
    folders = []
    for i, lr in enumerate((0.1, 0.01)):
        model, x, y = _tiny_model()
        model.optimizer.learning_rate.assign(lr)
        parser = harness.study_parser("doc", epochs=2, batch_size=4, dataset=False)
        args = parser.parse_args(["--epochs", str(2 + i), "--output", str(tmp_path / f"r{i}")])
        with harness.Run("s", args) as run:
            history = model.fit(x, y, epochs=args.epochs, validation_data=(x, y), verbose=0,
                                callbacks=run.callbacks(tensorboard=False))
            run.save_history(history)
            run.record("toy", "accuracy", history.history["val_accuracy"][-1])
        folders.append(str(tmp_path / f"r{i}"))
    figure = tmp_path / "compare.png"
    assert harness.compare_main([*folders, "--figure", str(figure)]) == 0
    table = capsys.readouterr().out
    assert "| run | script | recipe | data | epochs | accuracy |" in table
    assert "--epochs 3" in table and figure.stat().st_size > 0
    with pytest.raises(SystemExit) as info:
        harness.compare_main([str(tmp_path)])  # not a run folder
    assert info.value.code == 2


def test_the_loss_axis_turns_logarithmic_when_one_epoch_explodes(tmp_path, monkeypatch):
    import matplotlib.axes

    from pyimagesearch.utils.plotting import plot_history

    scales = []
    monkeypatch.setattr(matplotlib.axes.Axes, "set_yscale",
                        lambda self, value, **kw: scales.append((self.get_ylabel(), value)))
    plot_history({"loss": [2.0, 1.0, 0.5], "val_loss": [500.0, 1.2, 0.9],
                  "accuracy": [0.1, 0.5, 0.7], "learning_rate": [0.01, 0.01, 0.0025]},
                 tmp_path / "p.png")
    assert ("loss", "log") in scales and ("learning rate", "log") in scales
    assert not any(label == "metric" for label, _ in scales)
    scales.clear()
    plot_history({"loss": [1.0, 0.8]}, tmp_path / "q.png")
    assert scales == []


def test_reports_come_with_a_confusion_matrix_and_a_grid(tmp_path):
    with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
        table = run.save_report([0, 1, 1, 0], [0, 1, 0, 0], ["cat", "dog"])
        reports.write_predictions(run, np.zeros((4, 8, 8, 3)), [0, 1, 1, 0], [0, 1, 0, 0],
                                  ["cat", "dog"])
    assert table["confusion_matrix"] == [[2, 0], [1, 1]]
    for name in ("classification_report_confusion.png", "test_predictions.png"):
        assert (tmp_path / "r" / name).stat().st_size > 0


@pytest.mark.parametrize("bgr", [True, False])
def test_the_grid_shows_opencv_images_in_their_true_colours(tmp_path, bgr):
    blue = np.zeros((4, 8, 8, 3), np.float32)
    blue[..., 0 if bgr else 2] = 255  # blue in OpenCV's order, or in RGB
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
        run.evaluate(model, blue, np.array([0, 1, 0, 1]), ["a", "b"], bgr=bgr)
    grid = cv2.imread(str(tmp_path / "r" / "test_predictions.png")).reshape(-1, 3)  # BGR
    assert ((grid[:, 0] > 200) & (grid[:, 2] < 50)).sum() > 10000  # blue tiles, not red ones
    assert ((grid[:, 2] > 200) & (grid[:, 0] < 50)).sum() < 10000
    # channels first: the channel axis is flipped, not the width
    first = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    assert np.array_equal(reports._rgb(first), first[:, ::-1])
    assert np.array_equal(reports._rgb(first.transpose(0, 2, 3, 1)),
                          first.transpose(0, 2, 3, 1)[..., ::-1])


def test_evaluate_predicts_every_sample_and_writes_report_grid_and_row(tmp_path):
    import csv

    images = np.random.default_rng(1).integers(0, 255, (10, 8, 8, 3)).astype("float32")
    labels = keras.utils.to_categorical(np.arange(10) % 2, 2)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    keras.config.set_max_steps_per_epoch(1)  # a capped predict would see 3 of 10 images
    try:
        with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
            report = run.evaluate(model, images, labels, ["cat", "dog"], batch_size=3,
                                  data="tiny")
    finally:
        keras.config.set_max_steps_per_epoch(None)
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    assert report["accuracy"] == pytest.approx(np.mean(predicted == np.arange(10) % 2))
    assert sum(map(sum, report["confusion_matrix"])) == 10
    for name in ("classification_report.txt", "classification_report.json",
                 "classification_report_confusion.png", "test_predictions.png"):
        assert (tmp_path / "r" / name).stat().st_size > 0, name
    with open(tmp_path / "r" / "results.csv") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["data"], row["metric"]) == ("tiny", "accuracy")
    assert float(row["value"]) == pytest.approx(report["accuracy"], abs=1e-4)
    # features (not images) get the report and the row, no grid
    model, x, y = _tiny_model()
    with harness.Run("s", _args(output=str(tmp_path / "f"))) as run:
        run.evaluate(model, x, y, ["a", "b", "c"], batch_size=4)
    assert (tmp_path / "f" / "classification_report.json").is_file()
    assert not (tmp_path / "f" / "test_predictions.png").exists()


def test_an_evaluation_is_never_truncated_by_keras_max_steps(tmp_path):
    from pyimagesearch.utils import predict_all

    model, x, y = _tiny_model()
    keras.config.set_max_steps_per_epoch(1)
    try:
        truncated = model.predict(x, batch_size=4, verbose=0)
        full = predict_all(model, x, batch_size=4)
    finally:
        keras.config.set_max_steps_per_epoch(None)
    assert len(truncated) == 4 and len(full) == 12
    with harness.Run("s", _args(output=str(tmp_path / "r"))) as run:
        with pytest.raises(RuntimeError, match="cover 4 of 12"):
            run.save_report(y, truncated, ["a", "b", "c"])


def test_every_script_of_the_minivggnet_study_gets_the_run_callbacks(tmp_path, tiny_cifar):
    module = load_script(STUDY, "train_decay")
    out = tmp_path / "decay"
    assert module.main(["--dataset", str(tiny_cifar), "--epochs", "1", "--batch-size", "64",
                        "--verbose", "0", "--output", str(out)]) == 0
    assert list((out / "tensorboard").rglob("events.out.tfevents.*"))
    assert (out / "test_predictions.png").is_file()
    assert (out / "classification_report_confusion.png").is_file()


def test_two_fits_resume_each_from_its_own_backup_and_the_history_keeps_every_epoch(tmp_path):
    """Ctrl-C in the 2nd epoch of a second fit; the same run again resumes that fit there."""
    args = _args(output=str(tmp_path / "r"))

    class StopAt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    def train(stop):
        model, x, y = _tiny_model()
        with harness.Run("s", args) as run:
            first = model.fit(x, y, epochs=2, verbose=0, callbacks=run.callbacks(tensorboard=False))
            second = model.fit(x, y, epochs=3, verbose=0,
                               callbacks=[*run.callbacks(tensorboard=False), *stop])
            run.save_history(second)
            run.save_model(model)
        return first.history, second.history

    out = tmp_path / "r"
    with pytest.raises(KeyboardInterrupt):
        train([StopAt()])  # the callback runs after the history and backup: epoch 2 is kept
    assert json.loads((out / "backup" / "state" / "training_metadata.json").read_text())[
        "epoch"] == 2
    assert json.loads((out / "backup" / "state-2" / "training_metadata.json").read_text())[
        "epoch"] == 2
    killed = json.loads((out / "history.json").read_text())
    assert len(killed["loss"]) == 4  # both fits, one curve
    first, second = train([])
    assert len(first["loss"]) == 2 and len(second["loss"]) == 3  # restored epochs included
    assert second["loss"][:2] == pytest.approx(killed["loss"][2:])
    assert {len(v) for v in json.loads((out / "history.json").read_text()).values()} == {3}
    assert not (out / "backup").exists() and not (out / ".run-incomplete").exists()
