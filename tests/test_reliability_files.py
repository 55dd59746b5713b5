"""Reliability of the building blocks: atomic files, safe reruns, safe readers.

- `pyimagesearch.utils.atomic`: a final name holds a whole file or nothing;
  a group of files is replaced together; killed writers' temporaries go.
- `harness.Run`: the same command continues its own unfinished run; any
  other non-empty folder is refused; a run stopped by a user error before
  writing anything leaves no folder behind.
- `SafeBackupAndRestore`: restores the newest state that loads, never a
  half-written one, keeps the backup until `release()`.
- the readers that must not run code: the CIFAR-10 batches, the classifiers.
"""

import argparse
import json
import os
import pickle
import subprocess
import sys

import cv2
import numpy as np
import pytest

from conftest import ROOT, make_cifar_batches, tiny_model
from pyimagesearch import harness
from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import OutputExistsError
from pyimagesearch.utils import atomic


# -- atomic files ---------------------------------------------------------------------------------
def test_temporary_names_keep_every_suffix():
    tmp = atomic.temporary_name("/x/latest.weights.h5")
    assert tmp.name.startswith(".latest.tmp-") and tmp.name.endswith(".weights.h5")
    assert atomic.temporary_name("/x/model.keras").suffix == ".keras"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_write(path) as f:
            f.write("half")
            raise RuntimeError("killed")
    assert path.read_text() == "old" and sorted(tmp_path.iterdir()) == [path]


def test_a_group_of_files_is_replaced_only_when_every_one_is_written(tmp_path):
    names = [tmp_path / n for n in ("train.hdf5", "val.hdf5", "mean.json")]
    for path in names:
        path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_paths(names) as temps:
            temps[0].write_text("new")
            raise RuntimeError("the second file failed")
    assert [p.read_text() for p in names] == ["old"] * 3
    assert sorted(tmp_path.iterdir()) == sorted(names)
    with atomic.atomic_paths(names) as temps:
        for tmp in temps:
            tmp.write_text("new")
    assert [p.read_text() for p in names] == ["new"] * 3
    with pytest.raises(FileNotFoundError):  # a file the block forgot: nothing replaced
        with atomic.atomic_paths(names) as temps:
            temps[0].write_text("newer")
    assert [p.read_text() for p in names] == ["new"] * 3


def test_two_writers_of_one_group_of_files_are_one_too_many(tmp_path):
    names = [tmp_path / n for n in ("train.hdf5", "mean.json")]
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pyimagesearch.utils import atomic\n"
        f"with atomic.atomic_paths({[str(n) for n in names]!r}) as temps:\n"
        "    [open(t, 'w').write('first') for t in temps]\n"
        "    print('writing', flush=True); time.sleep(30)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "writing"
        with pytest.raises(FileExistsError, match="another process is writing into"):
            with atomic.atomic_paths(names) as temps:
                pytest.fail("a second writer got the lock")
    finally:
        holder.kill()
        holder.wait()
    assert not any(p.exists() for p in names)  # the killed writer renamed nothing
    # its lock died with it: the next writer goes on (and refuses files that exist, if asked)
    with atomic.atomic_paths(names) as temps:
        for tmp in temps:
            tmp.write_text("second")
    assert [p.read_text() for p in names] == ["second"] * 2
    with pytest.raises(FileExistsError, match="already holds train.hdf5, mean.json"):
        with atomic.atomic_paths(names, exist_ok=False):
            pass
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "mean.json", "train.hdf5"]
    assert not list(tmp_path.glob(".*.lock"))


def test_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".train.tmp-{dead}.hdf5"
    live = tmp_path / f".train.tmp-{os.getppid()}.hdf5"
    other = tmp_path / f".val.tmp-{dead}.hdf5"
    for path in (stale, live, other):
        path.write_text("partial")
    assert atomic.remove_stale_temporaries(tmp_path / "train.hdf5") == [stale]
    assert live.exists() and other.exists()
    assert atomic.remove_stale_temporaries(tmp_path) == [other]  # a folder: all of them


def test_every_writer_removes_the_temporary_a_killed_writer_left(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    left = [tmp_path / f".features.tmp-{dead}.hdf5", tmp_path / f".mean.tmp-{dead}.json"]
    for path in left:
        path.write_bytes(b"gigabytes, once")
    with atomic.atomic_path(tmp_path / "features.hdf5") as tmp:  # e.g. write_features
        tmp.write_text("new")
    assert not left[0].exists() and left[1].exists()
    with atomic.atomic_paths([tmp_path / "train.hdf5", tmp_path / "mean.json"]) as temps:
        for tmp in temps:
            tmp.write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.hdf5", "mean.json",
                                                          "train.hdf5"]


def test_truncated_and_empty_images_read_as_none(tmp_path):
    from pyimagesearch.io.imagefile import read_image

    image = np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "ok.jpg"), image)
    data = (tmp_path / "ok.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / "tail.jpg").write_bytes(data + b"camera trailer")  # allowed after the end
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("hello")
    cv2.imwrite(str(tmp_path / "gray.png"), image[..., 0])
    cv2.imwrite(str(tmp_path / "rgba.png"), np.dstack([image, image[..., :1]]))
    assert read_image(tmp_path / "ok.jpg").shape == (40, 50, 3)
    assert read_image(tmp_path / "tail.jpg").shape == (40, 50, 3)
    for name in ("cut.jpg", "empty.jpg", "text.jpg", "missing.jpg"):
        assert read_image(tmp_path / name) is None, name
    assert read_image(tmp_path / "gray.png").shape == (40, 50, 3)
    assert read_image(tmp_path / "rgba.png").shape == (40, 50, 3)


# -- harness.Run: reruns --------------------------------------------------------------------------
def args_for(output, **values):
    return argparse.Namespace(seed=1, verbose=0, output=str(output), epochs=2, **values)


def test_the_same_command_continues_its_own_unfinished_run(tmp_path, capsys):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with harness.Run("s", args_for(out)) as run:
            run.save("history.json", {"loss": [1.0]})
            raise KeyboardInterrupt  # killed
    assert (out / harness.INCOMPLETE_MARK).is_file()
    # the same arguments (another --verbose is fine): it continues in the folder
    again = argparse.Namespace(seed=1, verbose=2, output=str(out), epochs=2)
    with harness.Run("s", again) as run:
        assert run.continued
        run.save("history.json", {"loss": [1.0, 0.5]})
    assert "continuing" in capsys.readouterr().out
    assert not (out / harness.INCOMPLETE_MARK).exists()
    assert json.loads((out / "history.json").read_text()) == {"loss": [1.0, 0.5]}
    # a finished run is never continued
    with pytest.raises(OutputExistsError, match="not empty"):
        harness.Run("s", args_for(out))


def test_another_command_is_refused_an_unfinished_run(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with harness.Run("s", args_for(out)) as run:
            run.save("history.json", {})
            raise KeyboardInterrupt
    with pytest.raises(OutputExistsError, match="epochs=2 there, 3 now"):
        harness.Run("s", argparse.Namespace(seed=1, verbose=0, output=str(out), epochs=3))
    with pytest.raises(OutputExistsError, match="study 's'"):
        harness.Run("t", args_for(out))
    assert json.loads((out / "history.json").read_text()) == {}


def test_a_folder_a_live_run_is_writing_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / harness.INCOMPLETE_MARK).write_text(json.dumps(
        {"study": "s", "args": {}, "pid": os.getppid()}))  # a live process, not this one
    with pytest.raises(OutputExistsError, match=f"being written by another run .process "
                                                f"{os.getppid()}"):
        harness.Run("s", args_for(out))


def test_a_user_error_before_any_output_leaves_no_folder(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(DatasetError):
        with harness.Run("s", args_for(out)):
            raise DatasetError("the data set was empty")
    assert not out.exists()
    # a corrected command may use the folder; an error after real outputs keeps them
    with pytest.raises(DatasetError):
        with harness.Run("s", args_for(out, fixed=True)) as run:
            run.save("history.json", {})
            raise DatasetError("found late")
    assert (out / "history.json").exists() and (out / harness.INCOMPLETE_MARK).exists()


def test_argparse_errors_are_one_line():
    parser = harness.study_parser("doc", epochs=2, batch_size=4, dataset=False)
    proc = subprocess.run([sys.executable, "-c", "import sys; from pyimagesearch import harness;"
                           "harness.study_parser('d', epochs=1, batch_size=1, dataset=False)"
                           ".parse_args(sys.argv[1:])", "--epochs", "0"],
                          capture_output=True, text=True, env=dict(os.environ,
                                                                   PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("error: argument -e/--epochs: expected a positive integer")
    assert parser.parse_args(["--epochs", "3"]).epochs == 3


# -- SafeBackupAndRestore ----------------------------------------------------------------------
def _fit(model, callbacks, epochs, initial_epoch=0):
    x = np.random.default_rng(0).integers(0, 255, (8, 16, 16, 3)).astype("uint8")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    return model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch, verbose=0,
                     callbacks=callbacks)


def test_the_backup_restores_the_newest_state_that_loads(tmp_path):
    from pyimagesearch.harness.keras_fixes import SafeBackupAndRestore

    state = tmp_path / "state"
    backup = SafeBackupAndRestore(state)
    assert backup.restorable_epoch() == 0
    _fit(tiny_model(16), [backup], epochs=2)
    assert backup.restorable_epoch() == 2 and (state / "latest.weights.h5.bkp").is_file()
    # a half-written current state (its metadata void): the previous one counts
    (state / "training_metadata.json").unlink()
    assert SafeBackupAndRestore(state).restorable_epoch() == 1
    # a truncated current weights file: the previous state again
    backup = SafeBackupAndRestore(state)
    (state / "training_metadata.json").write_text(json.dumps({"epoch": 2}))
    data = (state / "latest.weights.h5").read_bytes()
    (state / "latest.weights.h5").write_bytes(data[: len(data) // 2])
    assert backup.restorable_epoch() == 1
    history = _fit(tiny_model(16), [backup], epochs=3)
    assert backup.restored == 1 and len(history.history["loss"]) == 2  # epochs 2 and 3
    assert state.is_dir()  # kept after fit: released only once the model is saved
    backup.release()
    assert not state.exists()


def test_a_damaged_metadata_file_is_not_a_traceback(tmp_path):
    from pyimagesearch.harness.keras_fixes import SafeBackupAndRestore

    state = tmp_path / "state"
    _fit(tiny_model(16), [SafeBackupAndRestore(state)], epochs=1)
    (state / "training_metadata.json").write_text('{"epo')  # killed mid-write (Keras' own way)
    assert SafeBackupAndRestore(state).restorable_epoch() == 0  # nothing complete: start over


def test_model_checkpoint_files_appear_whole(tmp_path):
    from pyimagesearch.harness.keras_fixes import AtomicModelCheckpoint

    path = tmp_path / "best.keras"
    checkpoint = AtomicModelCheckpoint(str(path), monitor="loss", save_best_only=True)
    _fit(tiny_model(16), [checkpoint], epochs=2)
    import keras

    assert keras.saving.load_model(path).input_shape == (None, 16, 16, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras"]


# -- readers that must not run code -------------------------------------------------------------
class Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_cifar_batches_load_without_running_code(tmp_path, protocol):
    from pyimagesearch.datasets.cifar10 import load_cifar10

    folder = tmp_path / "cifar-10-batches-py"
    written = make_cifar_batches(folder)
    for name, (data, labels) in written.items():  # rewrite them with the protocol
        (folder / name).write_bytes(pickle.dumps({b"labels": labels.tolist(), b"data": data,
                                                  b"filenames": [b"a.png"] * len(labels)},
                                                 protocol=protocol))
    (x_train, y_train), (x_test, _) = load_cifar10(folder)
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": Payload(tmp_path / "ran")},
                                                     protocol=protocol))
    with pytest.raises(DatasetError, match="refused: it asks to run os.makedirs"):
        load_cifar10(folder)
    assert not (tmp_path / "ran").exists()


def _fitted_search(classes=2, features=3):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, features))
    return x, argparse.Namespace(best_estimator_=LogisticRegression(C=0.5).fit(
        x, np.arange(30) % classes), best_params_={"C": 0.5})


@pytest.mark.parametrize("classes", [2, 3])
def test_a_classifier_round_trip_gives_the_same_predictions(tmp_path, classes):
    from pyimagesearch import features

    x, search = _fitted_search(classes)
    names = ["cat", "dog", "panda"][:classes]
    path = features.save_classifier(tmp_path / "classifier.npz", search, names, accuracy=0.9)
    assert [p.name for p in tmp_path.iterdir()] == ["classifier.npz"]  # no temporary left
    saved = features.load_classifier(path, names)
    assert saved["label_names"] == names and saved["best_params"] == {"C": 0.5}
    assert saved["accuracy"] == 0.9
    model, fitted = saved["model"], search.best_estimator_
    np.testing.assert_array_equal(model.predict(x), fitted.predict(x))
    np.testing.assert_array_equal(model.predict_proba(x), fitted.predict_proba(x))
    assert model.get_params() == fitted.get_params()
    with np.load(path, allow_pickle=False) as arrays:  # plain arrays only
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_a_classifier_of_other_classes_is_refused(tmp_path):
    from pyimagesearch import features

    _, search = _fitted_search()
    path = features.save_classifier(tmp_path / "c.npz", search, ["cat", "dog"])
    with pytest.raises(DatasetError, match=r"trained on the classes \['cat', 'dog'\]") as info:
        features.load_classifier(path, ["cat", "bird"])
    assert "\n" not in str(info.value)


def test_crafted_or_damaged_classifier_files_are_refused_in_one_line(tmp_path):
    from pyimagesearch import features

    _, search = _fitted_search()
    good = features.save_classifier(tmp_path / "good.npz", search, ["cat", "dog"])
    with np.load(good) as f:
        arrays = {k: f[k] for k in f.files}
    cases = {
        "pickle.npz": lambda p: p.write_bytes(pickle.dumps(Payload(tmp_path / "ran"))),
        "object.npz": lambda p: np.savez(p, **{**arrays, "coef": np.array(
            [Payload(tmp_path / "ran")], dtype=object)}),
        "missing.npz": lambda p: np.savez(p, **{k: v for k, v in arrays.items()
                                                if k != "intercept"}),
        "shape.npz": lambda p: np.savez(p, **{**arrays, "coef": np.zeros((3, 3))}),
        "classes.npz": lambda p: np.savez(p, **{**arrays, "classes": np.array([0, 5])}),
        "truncated.npz": lambda p: p.write_bytes(good.read_bytes()[:200]),
        "text.npz": lambda p: p.write_text("not a classifier"),
    }
    for name, make in cases.items():
        make(tmp_path / name)
        with pytest.raises(DatasetError, match="not a classifier written by save_classifier") \
                as info:
            features.load_classifier(tmp_path / name, ["cat", "dog"])
        assert name in str(info.value) and "\n" not in str(info.value), name
    assert not (tmp_path / "ran").exists()
    with pytest.raises(DatasetError, match="no such file"):
        features.load_classifier(tmp_path / "absent.npz")

