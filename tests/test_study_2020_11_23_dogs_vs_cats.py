"""The Dogs vs. Cats study (2020-11-23) end to end, offline and tiny.

A Kaggle-like folder of `cat.N.jpg` / `dog.N.jpg` images is generated; the
scripts run through `main([...])` with small image and crop sizes (AlexNet
needs at least 57x57) and small fully-connected layers.
"""

import csv
import json
import os

import cv2
import h5py
import keras
import numpy as np
import pytest

from conftest import make_kaggle_folder, tiny_model, datasets_dir, load_script, one_line_error, results

STUDY = "2020-11-23-dogs-vs-cats"


@pytest.fixture(scope="module")
def hdf5_dir(tmp_path_factory, kaggle):
    """The three HDF5 files of 40 images at 64x64: 30 train, 4 val, 6 test."""
    out = tmp_path_factory.mktemp("hdf5")
    build = load_script(STUDY, "build_dataset")
    assert build.main(["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "64",
                       "--val-count", "4", "--test-count", "6", "--verbose", "0"]) == 0
    return out


def study_config():
    """The study's config.py (imported as its scripts import it)."""
    load_script(STUDY, "build_dataset")
    import config

    return config


# -- labels and the split ----------------------------------------------------------------------
def test_labels_come_from_the_file_name(tmp_path, kaggle):
    from pyimagesearch.datasets import list_labelled_images
    from pyimagesearch.errors import DatasetError

    config = study_config()
    assert config.label_from_filename("x/cat.12.jpg") == "cat"
    assert config.label_from_filename("dog.1.2.jpg") == "dog"
    with pytest.raises(DatasetError, match="first dot"):
        config.label_from_filename("catjpg")
    paths, labels = list_labelled_images(kaggle, label_from=config.label_from_filename)
    assert len(paths) == 40 and labels.count("cat") == labels.count("dog") == 20
    assert all(os.path.basename(p).startswith(label + ".") for p, label in zip(paths, labels))
    # a <class>/<image> tree with labels from the folders
    for name in ("cat", "dog"):
        make_kaggle_folder(tmp_path / "tree" / name, per_class=2)
    _, folder_labels = list_labelled_images(tmp_path / "tree")
    assert sorted(set(folder_labels)) == ["cat", "dog"] and len(folder_labels) == 8
    (tmp_path / "one").mkdir()
    cv2.imwrite(str(tmp_path / "one" / "cat.0.jpg"), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError, match="only one class"):
        list_labelled_images(tmp_path / "one", label_from=config.label_from_filename)


# -- build_dataset.py ------------------------------------------------------------------------------
@pytest.mark.parametrize("script, flags", [
    ("build_dataset", ["--hdf5-dir", "{tmp}/hdf5", "--verbose", "0"]),
    ("extract_features", ["--db", "{tmp}/features.hdf5", "--model", "mobilenet_v2",
                          "--weights", "none", "--image-size", "32", "--verbose", "0"]),
])
def test_a_tree_of_class_folders_names_the_kaggle_layout(tmp_path, capsys, script, flags):
    for name in ("cat", "dog"):
        make_kaggle_folder(tmp_path / "tree" / name, per_class=2)
    module = load_script(STUDY, script)
    with pytest.raises(SystemExit) as info:
        module.main(["--dataset", str(tmp_path / "tree"),
                     *(f.format(tmp=tmp_path) for f in flags)])
    one_line_error(capsys, info, "no images", "holds folders (cat, dog)",
                   "train/{cat,dog}.N.jpg", "before the first dot")
    assert not (tmp_path / "hdf5").exists() and not (tmp_path / "features.hdf5").exists()


def test_build_dataset_writes_three_files_and_the_mean(hdf5_dir, kaggle, capsys):
    from pyimagesearch.io import check_complete

    expected = {"train": 30, "val": 4, "test": 6}
    for split, rows in expected.items():
        info = check_complete(hdf5_dir / f"{split}.hdf5")
        assert info["shape"] == (rows, 64, 64, 3) and info["dtype"] == "uint8"
        with h5py.File(hdf5_dir / f"{split}.hdf5", "r") as db:
            assert db["label_names"].asstr()[...].tolist() == ["cat", "dog"]
            assert np.bincount(db["labels"][:]).tolist() == [rows // 2, rows // 2]
    mean = json.loads((hdf5_dir / "mean.json").read_text())
    assert set(mean) == {"R", "G", "B"} and all(0 <= v <= 255 for v in mean.values())
    build = json.loads((hdf5_dir / "build.json").read_text())
    assert build["splits"]["train"]["classes"] == {"cat": 15, "dog": 15}

    # a second build is refused (nothing touched) unless --force
    build_script = load_script(STUDY, "build_dataset")
    before = (hdf5_dir / "train.hdf5").read_bytes()
    argv = ["--dataset", str(kaggle), "--hdf5-dir", str(hdf5_dir), "--image-size", "64",
            "--val-count", "4", "--test-count", "6", "--verbose", "0"]
    with pytest.raises(SystemExit) as info:
        build_script.main(argv)
    one_line_error(capsys, info, "already holds", "--force")
    assert (hdf5_dir / "train.hdf5").read_bytes() == before


def test_build_dataset_mean_of_known_colours_in_rgb_order(tmp_path):
    # solid colours (PNG: lossless); OpenCV writes BGR, so a cat is R=200 G=100 B=50
    folder = make_kaggle_folder(tmp_path / "train", per_class=10, size=(30, 20), ext="png",
                                colours={"cat": (50, 100, 200), "dog": (30, 20, 10)})
    out = tmp_path / "hdf5"
    build = load_script(STUDY, "build_dataset")
    assert build.main(["--dataset", str(folder), "--hdf5-dir", str(out), "--image-size", "16",
                       "--workers", "1", "--verbose", "0"]) == 0
    mean = json.loads((out / "mean.json").read_text())
    # 8 cats and 8 dogs train (2 + 2 held out): the average of the two colours
    assert mean == pytest.approx({"R": 105.0, "G": 60.0, "B": 40.0})
    with h5py.File(out / "train.hdf5", "r") as db:
        names = db["label_names"].asstr()[...].tolist()
        for image, label in zip(db["images"][:], db["labels"][:]):
            rgb = (200, 100, 50) if names[label] == "cat" else (10, 20, 30)
            assert image.shape == (16, 16, 3) and (image == rgb).all()


def test_build_dataset_force_and_an_interrupted_build(tmp_path, kaggle, monkeypatch, capsys):
    from pyimagesearch.io import hdf5build

    build = load_script(STUDY, "build_dataset")
    config = study_config()
    out = tmp_path / "hdf5"
    argv = ["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "16",
            "--workers", "1", "--verbose", "0"]
    real = hdf5build.write_images

    def crash_on_val(paths, labels, output_path, *args, **kwargs):
        if "val" in str(output_path):
            raise KeyboardInterrupt
        return real(paths, labels, output_path, *args, **kwargs)

    monkeypatch.setattr(hdf5build, "write_images", crash_on_val)
    with pytest.raises(SystemExit) as info:
        build.main(argv)
    assert info.value.code == 130
    capsys.readouterr()
    # nothing under a final name (not even the finished train.hdf5): the
    # files are renamed together only once the whole build is complete
    assert not out.exists() or not any(out.iterdir())
    monkeypatch.setattr(hdf5build, "write_images", real)
    assert build.main(argv) == 0  # the same command again
    assert config.check_build(out)["mean"].exists()
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # an interrupted --force rebuild leaves the old build whole
    monkeypatch.setattr(hdf5build, "write_images", crash_on_val)
    with pytest.raises(SystemExit) as info:
        build.main(argv + ["--force", "--image-size", "8"])
    assert info.value.code == 130
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.setattr(hdf5build, "write_images", real)
    with pytest.raises(SystemExit) as info:
        build.main(argv)
    one_line_error(capsys, info, "train.hdf5", "--force")
    assert build.main(argv + ["--force"]) == 0
    assert config.check_build(out)["mean"].exists()


@pytest.mark.parametrize("argv, message", [
    (["--val-fraction", "1.5"], "--val-fraction"),
    (["--test-count", "0"], "--test-count"),
    (["--workers", "0"], "--workers"),
])
def test_build_dataset_bad_arguments(tmp_path, kaggle, argv, message, capsys):
    build = load_script(STUDY, "build_dataset")
    with pytest.raises(SystemExit):
        build.main(["--dataset", str(kaggle), "--hdf5-dir", str(tmp_path / "h"), *argv])
    assert message in capsys.readouterr().err


def test_build_dataset_missing_folder(tmp_path, capsys):
    build = load_script(STUDY, "build_dataset")
    with pytest.raises(SystemExit) as info:
        build.main(["--dataset", str(tmp_path / "nowhere"), "--hdf5-dir", str(tmp_path / "h")])
    one_line_error(capsys, info, "no such file or folder")


# -- train_alexnet.py ------------------------------------------------------------------------------
def test_train_alexnet_one_epoch(tmp_path, hdf5_dir):
    train = load_script(STUDY, "train_alexnet")
    out = tmp_path / "run"
    assert train.main(["--hdf5-dir", str(hdf5_dir), "--crop-size", "57", "--fc-units", "16",
                       "--epochs", "1", "--batch-size", "8", "--output", str(out),
                       "--bn-momentum", "0.9", "--verbose", "0"]) == 0
    files = {p.name for p in out.iterdir()}
    assert {"monitor.png", "monitor.json", "history.json", "training_plot.png", "model.keras",
            "classification_report.json", "class_names.json"} <= files
    monitor = json.loads((out / "monitor.json").read_text())
    assert len(monitor["loss"]) == 1 and "val_accuracy" in monitor
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 4  # the validation images, every one
    model = keras.saving.load_model(out / "model.keras")
    assert model.input_shape == (None, 57, 57, 3)
    assert model.get_layer("mean_subtraction") is not None  # carries its preprocessing
    assert model.get_layer("block1_conv_bn").momentum == pytest.approx(0.9)
    assert results()[-1]["data"] == "dogs_vs_cats val"


def test_train_alexnet_resumes_with_a_new_learning_rate(tmp_path, hdf5_dir, monkeypatch):
    from pyimagesearch.callbacks import EpochCheckpoint, TrainingMonitor
    from pyimagesearch.io import HDF5DatasetGenerator

    # two epochs of a tiny model, checkpointed the book's way
    ck = tmp_path / "checkpoints"
    model = tiny_model(32)
    gen = HDF5DatasetGenerator(hdf5_dir / "train.hdf5", 8, crop=32, seed=0)
    model.fit(gen, epochs=2, verbose=0, callbacks=[
        TrainingMonitor(ck / "monitor.png", json_path=ck / "monitor.json"),
        EpochCheckpoint(ck, every=2)])
    assert (ck / "epoch_2.keras").is_file()
    assert len(json.loads((ck / "monitor.json").read_text())["loss"]) == 2

    calls = []
    fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        calls.append(kwargs)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    train = load_script(STUDY, "train_alexnet")
    out = tmp_path / "run"
    assert train.main(["--hdf5-dir", str(hdf5_dir), "--crop-size", "32", "--batch-size", "8",
                       "--checkpoint-dir", str(ck), "--checkpoint", str(ck / "epoch_2.keras"),
                       "--start-epoch", "2", "--epochs", "3", "--every", "1",
                       "--learning-rate", "5e-4", "--augment", "none", "--output", str(out),
                       "--verbose", "0"]) == 0
    assert calls[0]["initial_epoch"] == 2 and calls[0]["epochs"] == 3
    monitor = json.loads((ck / "monitor.json").read_text())
    assert len(monitor["loss"]) == 3  # two epochs before, one after
    assert monitor["learning_rate"][:2] == pytest.approx([1e-3, 1e-3])
    assert monitor["learning_rate"][2] == pytest.approx(5e-4)
    assert len(json.loads((out / "history.json").read_text())["loss"]) == 3
    resumed = keras.saving.load_model(ck / "epoch_3.keras")
    assert float(resumed.optimizer.learning_rate.numpy()) == pytest.approx(5e-4)
    assert int(resumed.optimizer.iterations.numpy()) == 3 * 4  # 30 images, batch 8: 4 steps


def test_train_alexnet_backup_and_restore_after_a_crash(tmp_path, hdf5_dir, monkeypatch, capsys):
    from pyimagesearch.callbacks import TrainingMonitor

    train = load_script(STUDY, "train_alexnet")
    backup = tmp_path / "backup"
    argv = ["--hdf5-dir", str(hdf5_dir), "--crop-size", "57", "--fc-units", "16",
            "--batch-size", "8", "--epochs", "3", "--backup", str(backup), "--augment", "none",
            "--verbose", "0"]
    on_epoch_end = TrainingMonitor.on_epoch_end

    def crash_after_two(self, epoch, logs=None):
        on_epoch_end(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt  # killed after epoch 2

    monkeypatch.setattr(TrainingMonitor, "on_epoch_end", crash_after_two)
    with pytest.raises(SystemExit) as info:
        train.main(argv + ["--output", str(tmp_path / "run1")])
    assert info.value.code == 130
    # the monitor runs before the backup: killed between the two, the backup
    # holds epoch 1 and the monitor's epoch 2 is cut when the run resumes
    assert json.loads((backup / "state" / "training_metadata.json").read_text())["epoch"] == 1
    assert len(json.loads((backup / "monitor.json").read_text())["loss"]) == 2

    # the very same command again (same --output): it restores the model and
    # continues at epoch 2 in the interrupted run's folder
    monkeypatch.setattr(TrainingMonitor, "on_epoch_end", on_epoch_end)
    assert train.main(argv + ["--output", str(tmp_path / "run1")]) == 0
    assert "resuming after epoch 1" in capsys.readouterr().out
    assert len(json.loads((backup / "monitor.json").read_text())["loss"]) == 3
    assert len(json.loads((tmp_path / "run1" / "history.json").read_text())["loss"]) == 3
    assert (tmp_path / "run1" / "model.keras").is_file()
    assert not (backup / "state").exists()  # deleted once training finished

    # with nothing left to restore, a non-empty --output is refused again
    with pytest.raises(SystemExit) as info:
        train.main(argv + ["--output", str(tmp_path / "run1")])
    assert info.value.code == 2
    assert "is not empty" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--start-epoch", "2"], "--start-epoch needs --checkpoint"),
    (["--checkpoint", "{tmp}/m.keras"], "pass --start-epoch"),
    (["--checkpoint", "{tmp}/epoch_5.keras", "--epochs", "5"], "leaves nothing to train"),
    (["--crop-size", "40"], "at least 57"),
])
def test_train_alexnet_bad_arguments(tmp_path, hdf5_dir, argv, message, capsys):
    train = load_script(STUDY, "train_alexnet")
    for name in ("m.keras", "epoch_5.keras"):
        (tmp_path / name).write_bytes(b"")  # exists: the flags are checked first
    argv = [a.format(tmp=tmp_path) for a in argv]
    with pytest.raises(SystemExit):
        train.main(["--hdf5-dir", str(hdf5_dir), *argv])
    assert message in capsys.readouterr().err


def test_train_alexnet_needs_a_finished_build(tmp_path, capsys):
    train = load_script(STUDY, "train_alexnet")
    with pytest.raises(SystemExit) as info:
        train.main(["--hdf5-dir", str(tmp_path), "--output", str(tmp_path / "run")])
    one_line_error(capsys, info, "no train.hdf5", "build_dataset.py")
    assert not (tmp_path / "run").exists()


# -- crop_accuracy.py ------------------------------------------------------------------------------
def test_crop_accuracy_averages_ten_crops_of_every_test_image(tmp_path, hdf5_dir):
    from pyimagesearch.preprocessing import CropPreprocessor

    model = tiny_model(48)
    model.save(tmp_path / "model.keras")
    script = load_script(STUDY, "crop_accuracy")
    out = tmp_path / "run"
    # 6 test images in batches of 4: the last batch holds 2
    assert script.main(["--hdf5-dir", str(hdf5_dir), "--model-path", str(tmp_path / "model.keras"),
                        "--batch-size", "4", "--output", str(out), "--verbose", "0"]) == 0
    with h5py.File(hdf5_dir / "test.hdf5", "r") as db:
        images, labels = db["images"][:], db["labels"][:]
    # the definitions: one view = the image resized; 10 crops averaged
    one = model.predict(np.stack([cv2.resize(i, (48, 48), interpolation=cv2.INTER_AREA)
                                  for i in images]), verbose=0)
    cp = CropPreprocessor(48, 48)
    ten = np.stack([model.predict(cp.preprocess(i), verbose=0).mean(axis=0) for i in images])
    rows = list(csv.DictReader(open(out / "predictions.csv")))
    assert len(rows) == len(images) == 6
    got_one = np.array([[float(r["one_view_cat"]), float(r["one_view_dog"])] for r in rows])
    got_ten = np.array([[float(r["ten_crop_cat"]), float(r["ten_crop_dog"])] for r in rows])
    np.testing.assert_allclose(got_one, one, atol=2e-5)
    np.testing.assert_allclose(got_ten, ten, atol=2e-5)
    summary = json.loads((out / "crop_accuracy.json").read_text())
    assert summary["images"] == 6 and summary["crop_size"] == 48
    assert summary["rank1_one_view"] == pytest.approx(np.mean(one.argmax(1) == labels))
    assert summary["rank1_ten_crop"] == pytest.approx(np.mean(ten.argmax(1) == labels))
    assert [r["metric"] for r in results()][-2:] == ["rank1", "rank1_10crop"]


# -- extract_features.py + train_model.py ----------------------------------------------------------
def test_features_from_file_names_then_logistic_regression(tmp_path, kaggle):
    extract = load_script(STUDY, "extract_features")
    db = tmp_path / "features.hdf5"
    assert extract.main(["--dataset", str(kaggle), "--db", str(db), "--model",
                         "mobilenet_v2", "--weights", "none", "--image-size", "32",
                         "--batch-size", "8", "--verbose", "0"]) == 0
    with h5py.File(db, "r") as f:
        assert f.attrs["complete"] and f.attrs["labels_from"] == "filename"
        assert f["features"].shape == (40, 1280)  # avg pooling: one vector per image
        assert f["label_names"].asstr()[...].tolist() == ["cat", "dog"]
        labels = f["labels"][:]
    assert np.bincount(labels).tolist() == [20, 20]
    assert labels.tolist() != sorted(labels.tolist())  # shuffled rows

    train = load_script(STUDY, "train_model")
    out = tmp_path / "train"
    assert train.main(["--db", str(db), "--jobs", "1", "--output", str(out),
                       "--verbose", "0"]) == 0
    assert (out / "classifier.npz").is_file()
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 10  # the last 25% of the rows
    args = json.loads((out / "args.json").read_text())
    assert args["study"] == STUDY
    assert results()[-1]["study"] == STUDY
    assert results()[-1]["data"] == "dogs_vs_cats (mobilenet_v2 features)"


# -- real data (skipped without DATASETS_DIR) -----------------------------------------------------
def test_real_dogs_vs_cats_build(tmp_path):
    source = datasets_dir() / "dogs_vs_cats" / "train"
    if not source.is_dir():
        pytest.skip("no dogs_vs_cats/train under $DATASETS_DIR")
    folder = tmp_path / "train"
    folder.mkdir()
    for name in ("cat", "dog"):
        for path in sorted(source.glob(f"{name}.*.jpg"))[:10]:
            (folder / path.name).symlink_to(path)
    build = load_script(STUDY, "build_dataset")
    out = tmp_path / "hdf5"
    assert build.main(["--dataset", str(folder), "--hdf5-dir", str(out), "--val-count", "2",
                       "--test-count", "2", "--verbose", "0"]) == 0
    with h5py.File(out / "train.hdf5", "r") as db:
        assert db["images"].shape == (16, 256, 256, 3) and db.attrs["complete"]
        assert np.bincount(db["labels"][:]).tolist() == [8, 8]
    mean = json.loads((out / "mean.json").read_text())
    assert all(60 < mean[c] < 200 for c in "RGB")
