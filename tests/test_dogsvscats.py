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

from conftest import datasets_dir, load_script, one_line_error, results

STUDY = "2020-11-23-dogs-vs-cats"


def make_kaggle_folder(root, per_class=20, size=(40, 50), ext="jpg", colours=None, seed=0):
    """`root/{cat,dog}.N.<ext>`: textured images, or solid `colours[label]` (BGR)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for c, name in enumerate(("cat", "dog")):
        for i in range(per_class):
            if colours:
                image = np.empty((*size, 3), np.uint8)
                image[:] = colours[name]
            else:
                image = rng.integers(0, 60, (*size, 3), dtype=np.uint8)
                image[..., 2 * c] += np.uint8(150)
            cv2.imwrite(str(root / f"{name}.{i}.{ext}"), image)
    return root


@pytest.fixture(scope="module")
def kaggle(tmp_path_factory):
    return make_kaggle_folder(tmp_path_factory.mktemp("kaggle") / "train")


@pytest.fixture(scope="module")
def hdf5_dir(tmp_path_factory, kaggle):
    """The three HDF5 files of 40 images at 64x64: 30 train, 4 val, 6 test."""
    out = tmp_path_factory.mktemp("hdf5")
    build = load_script(STUDY, "build_dataset")
    assert build.main(["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "64",
                       "--val-count", "4", "--test-count", "6", "--verbose", "0"]) == 0
    return out


def tiny_model(size, means=(100.0, 100.0, 100.0)):
    """A small CNN taking raw RGB pixels (it subtracts the mean itself)."""
    from pyimagesearch.preprocessing import mean_subtraction_layer

    keras.utils.set_random_seed(0)
    inputs = keras.Input((size, size, 3))
    x = mean_subtraction_layer(list(means))(inputs)
    x = keras.layers.Rescaling(1 / 64)(x)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3),
                  metrics=["accuracy"])
    return model


# -- labels and the split ----------------------------------------------------------------------
def test_labels_come_from_the_file_name(tmp_path, kaggle):
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.studies import dogsvscats

    assert dogsvscats.label_from_filename("x/cat.12.jpg") == "cat"
    assert dogsvscats.label_from_filename("dog.1.2.jpg") == "dog"
    with pytest.raises(DatasetError, match="first dot"):
        dogsvscats.label_from_filename("catjpg")
    paths, labels = dogsvscats.list_labelled_images(kaggle)
    assert len(paths) == 40 and labels.count("cat") == labels.count("dog") == 20
    assert all(os.path.basename(p).startswith(label + ".") for p, label in zip(paths, labels))
    # a <class>/<image> tree with labels from the folders
    for name in ("cat", "dog"):
        make_kaggle_folder(tmp_path / "tree" / name, per_class=2)
    _, folder_labels = dogsvscats.list_labelled_images(tmp_path / "tree", labels_from="folder")
    assert sorted(set(folder_labels)) == ["cat", "dog"] and len(folder_labels) == 8
    (tmp_path / "one").mkdir()
    cv2.imwrite(str(tmp_path / "one" / "cat.0.jpg"), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError, match="only one class"):
        dogsvscats.list_labelled_images(tmp_path / "one")


def test_split_counts_and_stratification(kaggle):
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.studies import dogsvscats

    assert dogsvscats.split_counts(25000) == (2500, 2500)  # the diary's 2,500 + 2,500
    assert dogsvscats.split_counts(40) == (4, 4)
    assert dogsvscats.split_counts(40, 0.25, test_count=6) == (10, 6)
    with pytest.raises(DatasetError, match="no training images"):
        dogsvscats.split_counts(10, val_count=5, test_count=5)
    with pytest.raises(ValueError):
        dogsvscats.split_counts(40, val_fraction=1.5)

    paths, labels = dogsvscats.list_labelled_images(kaggle)
    splits = dogsvscats.split_dataset(paths, labels, 4, 6, seed=42)
    sizes = {name: len(split[0]) for name, split in splits.items()}
    assert sizes == {"train": 30, "val": 4, "test": 6}
    for name, (split_paths, split_labels) in splits.items():
        assert split_labels.count("cat") == split_labels.count("dog")  # stratified
        assert all(dogsvscats.label_from_filename(p) == label
                   for p, label in zip(split_paths, split_labels))
    everything = [p for split in splits.values() for p in split[0]]
    assert sorted(everything) == sorted(paths)  # disjoint and complete
    again = dogsvscats.split_dataset(paths, labels, 4, 6, seed=42)
    assert again == splits  # seeded
    assert splits["train"][0] != sorted(splits["train"][0])  # rows come out shuffled
    with pytest.raises(DatasetError, match="smaller than the number of classes"):
        dogsvscats.split_dataset(paths, labels, 1, 6)


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_write_split_in_parallel_equals_one_worker(tmp_path, kaggle, kind):
    from pyimagesearch.studies import dogsvscats

    paths, labels = dogsvscats.list_labelled_images(kaggle)
    one = dogsvscats.write_split(paths, labels, tmp_path / "one.hdf5", ["cat", "dog"], size=24,
                                 workers=1, verbose=False)
    # 40 images in chunks of 5: more chunks than the pool keeps in flight
    two = dogsvscats.write_split(paths, labels, tmp_path / "two.hdf5", ["cat", "dog"], size=24,
                                 workers=2, verbose=False, pool_kind=kind)
    assert one["written"] == two["written"] == 40 and two["skipped"] == 0
    assert one["mean"] == pytest.approx(two["mean"])
    with h5py.File(tmp_path / "one.hdf5", "r") as a, h5py.File(tmp_path / "two.hdf5", "r") as b:
        np.testing.assert_array_equal(a["images"][:], b["images"][:])
        np.testing.assert_array_equal(a["labels"][:], b["labels"][:])
        assert b["images"].dtype == np.uint8 and b.attrs["channel_order"] == "RGB"


def test_write_split_decoding_threads_run_opencv_single_threaded(tmp_path, kaggle, monkeypatch):
    """Decoding threads are the parallelism: OpenCV's own threads are off meanwhile, then back."""
    import cv2

    from pyimagesearch.studies import dogsvscats

    seen = []
    load_chunk = dogsvscats.load_chunk

    def recording(paths, size):
        seen.append(cv2.getNumThreads())
        return load_chunk(paths, size)

    monkeypatch.setattr(dogsvscats, "load_chunk", recording)
    paths, labels = dogsvscats.list_labelled_images(kaggle)
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        dogsvscats.write_split(paths, labels, tmp_path / "t.hdf5", ["cat", "dog"], size=24,
                               workers=2, verbose=False, pool_kind="thread")
        assert seen and set(seen) == {1}
        assert cv2.getNumThreads() == 2
        # the same for a pool shared by several splits, for as long as it is open
        with dogsvscats.decoding_pool(2, "thread") as pool:
            assert cv2.getNumThreads() == 1
            dogsvscats.write_split(paths, labels, tmp_path / "u.hdf5", ["cat", "dog"], size=24,
                                   verbose=False, pool=pool)
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(before)


def test_write_split_writes_each_chunk_without_a_large_buffer(tmp_path, kaggle, monkeypatch):
    """By default the writer buffers one chunk: every decoded chunk goes to disk as it comes."""
    from pyimagesearch.io import HDF5DatasetWriter
    from pyimagesearch.studies import dogsvscats

    flushes = []
    flush = HDF5DatasetWriter.flush

    def recording(self):
        flushes.append(self.buffered)
        return flush(self)

    monkeypatch.setattr(HDF5DatasetWriter, "flush", recording)
    paths, labels = dogsvscats.list_labelled_images(kaggle)
    dogsvscats.write_split(paths, labels, tmp_path / "c.hdf5", ["cat", "dog"], size=24,
                           workers=1, verbose=False)
    # 40 images in chunks of 10 (few images: small chunks): fewer than one
    # buffer's worth, written once, at close
    assert [n for n in flushes if n] == [40]
    assert dogsvscats.CHUNK_SIZE == 128
    flushes.clear()
    dogsvscats.write_split(paths * 8, labels * 8, tmp_path / "d.hdf5", ["cat", "dog"], size=24,
                           workers=1, verbose=False)
    # 320 images in chunks of 80: written once 128 are buffered, i.e. every
    # 2 chunks (a 1,000-image buffer would have written all 320 at close)
    assert [n for n in flushes if n] == [160, 160]


# -- build_dataset.py ------------------------------------------------------------------------------
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
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.studies import dogsvscats

    build = load_script(STUDY, "build_dataset")
    out = tmp_path / "hdf5"
    argv = ["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "16",
            "--workers", "1", "--verbose", "0"]
    real = dogsvscats.write_split

    def crash_on_val(paths, labels, output_path, *args, **kwargs):
        if "val" in str(output_path):
            raise KeyboardInterrupt
        return real(paths, labels, output_path, *args, **kwargs)

    monkeypatch.setattr(dogsvscats, "write_split", crash_on_val)
    with pytest.raises(SystemExit) as info:
        build.main(argv)
    assert info.value.code == 130
    capsys.readouterr()
    # train.hdf5 is complete, but no mean.json: the build does not look finished
    assert (out / "train.hdf5").exists() and not (out / "mean.json").exists()
    with pytest.raises(DatasetError, match="build_dataset.py"):
        dogsvscats.check_build(out)
    monkeypatch.setattr(dogsvscats, "write_split", real)
    with pytest.raises(SystemExit) as info:
        build.main(argv)
    one_line_error(capsys, info, "train.hdf5", "--force")
    assert build.main(argv + ["--force"]) == 0
    assert dogsvscats.check_build(out)["mean"].exists()


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


# -- AlexNet ---------------------------------------------------------------------------------------
def test_alexnet_smallest_input_and_layers():
    from pyimagesearch.nn.conv import AlexNet
    from pyimagesearch.preprocessing import mean_subtraction_layer

    model = AlexNet.build(57, 57, 3, 2, fc_units=32,
                          preprocessing=mean_subtraction_layer([120.0, 110.0, 100.0]))
    assert model.input_shape == (None, 57, 57, 3) and model.output_shape == (None, 2)
    assert model.get_layer("block3_pool").output.shape[1:3] == (1, 1)
    assert model.layers[1].name == "mean_subtraction"
    out = model.predict(np.full((2, 57, 57, 3), 128, np.uint8), verbose=0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    assert len({layer.name for layer in model.layers}) == len(model.layers)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.strides, c.padding) for c in convs] == [
        (96, (11, 11), (4, 4), "same"), (256, (5, 5), (1, 1), "same"),
        (384, (3, 3), (1, 1), "same"), (384, (3, 3), (1, 1), "same"),
        (256, (3, 3), (1, 1), "same")]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    for layer in convs + dense:
        assert layer.kernel_regularizer.get_config()["l2"] == pytest.approx(0.0002)
    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(bns) == 7
    assert all(bn.momentum == pytest.approx(0.99) for bn in bns)  # Keras' default
    small_set = AlexNet.build(57, 57, 3, 2, fc_units=8, bn_momentum=0.9)
    assert all(layer.momentum == pytest.approx(0.9) for layer in small_set.layers
               if isinstance(layer, keras.layers.BatchNormalization))
    drops = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert drops == [0.25, 0.25, 0.25, 0.5, 0.5]
    assert model.get_layer("predictions").dtype_policy.compute_dtype == "float32"
    unregularised = AlexNet.build(57, 57, 3, 2, reg=0, fc_units=8)
    assert all(getattr(layer, "kernel_regularizer", None) is None
               for layer in unregularised.layers)


@pytest.mark.parametrize("kwargs, message", [
    (dict(width=56, height=57), "at least 57x57"),
    (dict(reg=-1.0), "`reg`"),
    (dict(reg=True), "`reg`"),
    (dict(classes=1), "classes"),
    (dict(fc_units=0), "fc_units"),
    (dict(bn_momentum=1.0), "bn_momentum"),
    (dict(bn_momentum="0.9"), "bn_momentum"),
    (dict(preprocessing=["not a layer"]), "preprocessing"),
])
def test_alexnet_bad_arguments(kwargs, message):
    from pyimagesearch.nn.conv import AlexNet

    args = dict(width=57, height=57, depth=3, classes=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        AlexNet.build(**args)


def test_alexnet_channels_first():
    from pyimagesearch.nn.conv import AlexNet

    keras.config.set_image_data_format("channels_first")
    try:
        model = AlexNet.build(60, 57, 3, 5, fc_units=8)
    finally:
        keras.config.set_image_data_format("channels_last")
    assert model.input_shape == (None, 3, 57, 60) and model.output_shape == (None, 5)
    assert all(layer.axis in (1, [1]) for layer in model.layers
               if isinstance(layer, keras.layers.BatchNormalization) and "conv" in layer.name)


@pytest.mark.slow
def test_alexnet_at_227_as_in_the_book():
    from pyimagesearch.nn.conv import AlexNet

    model = AlexNet.build(227, 227, 3, 2)
    assert model.get_layer("flatten").output.shape[1] == 6 * 6 * 256
    assert model.get_layer("fc1").kernel.shape == (9216, 4096)
    assert model.output_shape == (None, 2)
    assert model.count_params() == 58_327_810  # BN moving statistics included


# -- EpochCheckpoint -------------------------------------------------------------------------------
def test_epoch_checkpoint_names_files_by_absolute_epoch(tmp_path):
    from pyimagesearch.callbacks import EpochCheckpoint

    x = np.random.default_rng(0).integers(0, 255, (8, 16, 16, 3)).astype("uint8")
    y = keras.utils.to_categorical(np.arange(8) % 2, 2)
    model = tiny_model(16)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[EpochCheckpoint(tmp_path / "ck", every=2)])
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["epoch_2.keras",
                                                                  "epoch_4.keras"]
    # resumed with initial_epoch: Keras' epoch numbers are absolute already
    model.fit(x, y, epochs=6, initial_epoch=4, verbose=0,
              callbacks=[EpochCheckpoint(tmp_path / "ck", every=2, start_at=4)])
    # resumed the book's way, without initial_epoch: start_at gives the count
    model.fit(x, y, epochs=2, verbose=0, callbacks=[EpochCheckpoint(tmp_path / "b", every=1,
                                                                    start_at=6)])
    assert (tmp_path / "ck" / "epoch_6.keras").is_file()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["epoch_7.keras",
                                                                 "epoch_8.keras"]
    loaded = keras.saving.load_model(tmp_path / "ck" / "epoch_4.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 4  # one batch per epoch
    for kwargs in (dict(every=0), dict(start_at=-1), dict(every=1.5)):
        with pytest.raises(ValueError):
            EpochCheckpoint(tmp_path, **kwargs)


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
                       "--checkpoints", str(ck), "--model", str(ck / "epoch_2.keras"),
                       "--start-epoch", "2", "--epochs", "3", "--every", "1",
                       "--learning-rate", "5e-4", "--no-augment", "--output", str(out),
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
            "--batch-size", "8", "--epochs", "3", "--backup", str(backup), "--no-augment",
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
    assert json.loads((backup / "state" / "training_metadata.json").read_text())["epoch"] == 2

    # the very same command again (same --output): it restores the model and
    # continues at epoch 3 in the interrupted run's folder
    monkeypatch.setattr(TrainingMonitor, "on_epoch_end", on_epoch_end)
    assert train.main(argv + ["--output", str(tmp_path / "run1")]) == 0
    assert "resuming after epoch 2" in capsys.readouterr().out
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
    (["--start-epoch", "2"], "--start-epoch needs --model"),
    (["--model", "{tmp}/m.keras"], "pass --start-epoch"),
    (["--model", "{tmp}/epoch_5.keras", "--epochs", "5"], "leaves nothing to train"),
    (["--crop-size", "40"], "at least 57"),
])
def test_train_alexnet_bad_arguments(tmp_path, hdf5_dir, argv, message, capsys):
    train = load_script(STUDY, "train_alexnet")
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
    assert script.main(["--hdf5-dir", str(hdf5_dir), "--model", str(tmp_path / "model.keras"),
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
    assert extract.main(["--dataset", str(kaggle), "--output", str(db), "--model",
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
    assert train.main(["--db", str(db), "--model", str(tmp_path / "lr.joblib"), "--jobs", "1",
                       "--output", str(out), "--verbose", "0"]) == 0
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
