"""Reliability: every bad input is one `error:` line, exit 2, and nothing is damaged.

The bad-input matrix, through the public scripts (`main(argv)`), on a "zoo"
of small broken inputs made once per module: missing paths, empty folders,
unreadable, truncated and zero-byte images, one-class data, non-model
files, damaged or wrong-size HDF5 files, foreign backups, existing outputs,
unknown names, crafted pickles, bad numbers. Each case is named for what it
proves; each asserts exit status 2, a single ``error: ...`` line holding the
expected words, that no file of the zoo changed, and that the run left no
output folder behind. docs/reliability.md lists every case with the message.
"""

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest

from conftest import load_script, make_kaggle_folder, one_line_error, tiny_model

DOGS = "2020-11-23-dogs-vs-cats"
TRANSFER = "2020-11-19-transfer-learning"
MINIVGG = "2020-11-12-minivggnet"
PRETRAINED = "2020-11-16-pretrained-network"
SHALLOW = "2020-11-10-shallownet"


class Payload:
    """What a crafted pickle runs when it is loaded: it makes a folder (`os.makedirs`)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def snapshot(root):
    """`{relative path: sha256}` of every file under `root`."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def _kaggle_bad_folders(zoo):
    (zoo / "empty").mkdir()
    (zoo / "unreadable").mkdir()
    for name in ("cat", "dog"):
        for i in range(3):
            (zoo / "unreadable" / f"{name}.{i}.jpg").write_text("not an image")
    make_kaggle_folder(zoo / "nodogs", per_class=6)
    for path in (zoo / "nodogs").glob("dog.*"):
        path.write_text("not an image")
    make_kaggle_folder(zoo / "onecls", per_class=4)
    for path in (zoo / "onecls").glob("dog.*"):
        path.unlink()
    (zoo / "onecls_tree" / "only").mkdir(parents=True)
    for path in (zoo / "onecls").iterdir():
        shutil.copy(path, zoo / "onecls_tree" / "only" / path.name)


def _hdf5_folders(zoo):
    from pyimagesearch.io import HDF5DatasetWriter

    build = load_script(DOGS, "build_dataset")
    for name, size in (("hdf5", "64"), ("hdf5_small", "16")):
        assert build.main(["--dataset", str(zoo / "kaggle"), "--hdf5-dir", str(zoo / name),
                           "--image-size", size, "--val-count", "4", "--test-count", "6",
                           "--workers", "1", "--verbose", "0"]) == 0
    for name in ("nokeys", "truncated_h5", "onecls_h5"):
        shutil.copytree(zoo / "hdf5", zoo / name)
    with h5py.File(zoo / "nokeys" / "train.hdf5", "w") as db:  # marked complete, holds nothing
        db.attrs["complete"] = True
        db.attrs["data_key"] = "images"
    data = (zoo / "hdf5" / "train.hdf5").read_bytes()
    (zoo / "truncated_h5" / "train.hdf5").write_bytes(data[: len(data) // 2])
    for split in ("train", "val"):
        path = zoo / "onecls_h5" / f"{split}.hdf5"
        path.unlink()
        with HDF5DatasetWriter((4, 64, 64, 3), path, data_key="images") as writer:
            writer.storeClassLabels(["cat"])
            writer.add(np.zeros((4, 64, 64, 3), np.uint8), [0, 0, 0, 0])


def _model_files(zoo):
    import keras

    models = zoo / "models"
    models.mkdir()
    (models / "notmodel.keras").write_text("this is a text file")
    (models / "epoch_1.keras").write_text("this is a text file")
    import zipfile

    with zipfile.ZipFile(models / "zipnotmodel.keras", "w") as archive:
        archive.writestr("notes.txt", "a zip, not a model")
    tiny_model(48).save(models / "m48.keras")
    inputs = keras.Input((48, 48, 3))
    outputs = keras.layers.Dense(2, activation="softmax")(
        keras.layers.GlobalAveragePooling2D()(keras.layers.Lambda(lambda x: x / 255.0)(inputs)))
    keras.Model(inputs, outputs).save(models / "lambda.keras")
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x)).save(
        models / "three.keras")
    (models / "other").mkdir()
    tiny_model(48).save(models / "other" / "model.keras")
    (models / "other" / "class_names.json").write_text(json.dumps(["bird", "fish"]))
    (zoo / "bad_weights.h5").write_text("not HDF5")


def _states_and_runs(zoo):
    for name, epoch in (("backup_foreign", 1), ("backup_long", 5)):
        state = zoo / name / "state"
        state.mkdir(parents=True)
        tiny_model(57).save_weights(state / "latest.weights.h5")
        (state / "training_metadata.json").write_text(json.dumps({"epoch": epoch, "batch": 0}))
    (zoo / "finished_run").mkdir()
    (zoo / "finished_run" / "model.keras").write_text("someone's model")
    (zoo / "unfinished_other").mkdir()
    (zoo / "unfinished_other" / ".run-incomplete").write_text(json.dumps(
        {"study": DOGS, "args": {"epochs": 99}, "pid": 999999999}))
    (zoo / "class_index.json").write_text(json.dumps(
        {"0": ["n0", "tabby"], "1": ["n1", "giant_panda"], "2": ["n2", "tench"]}))


def _crafted_pickles(zoo):
    from pyimagesearch.io import HDF5DatasetWriter

    cifar = zoo / "cifar_evil"
    cifar.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"labels": [0, 1], b"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8)}
        if name == "data_batch_1":
            batch[b"extra"] = Payload(zoo / "cifar_payload_ran")
        (cifar / name).write_bytes(pickle.dumps(batch, protocol=2))
    (zoo / "evil.joblib").write_bytes(pickle.dumps(Payload(zoo / "joblib_payload_ran")))
    with HDF5DatasetWriter((40, 8), zoo / "features.hdf5", data_key="features") as writer:
        writer.storeClassLabels(["cat", "dog"])
        writer.add(rng.normal(size=(40, 8)), np.arange(40) % 2)


def _side_files(zoo):
    """Builds and data files whose side files (or contents) do not match what they claim."""
    from pyimagesearch.io import HDF5DatasetWriter

    for name, text in (("mean_strings", '{"R": "a", "G": "b", "B": "c"}'),
                       ("mean_nan", '{"R": NaN, "G": 120.0, "B": 110.0}'),
                       ("mean_not_json", '{"R": 120.0, "G":')):
        shutil.copytree(zoo / "hdf5", zoo / name)
        (zoo / name / "mean.json").write_text(text)
    shutil.copytree(zoo / "hdf5", zoo / "int_names")
    with h5py.File(zoo / "int_names" / "train.hdf5", "a") as db:
        del db["label_names"]
        db.create_dataset("label_names", data=np.array([0, 1]))
    for name, edit in (("float64_h5", lambda x, y: (x.astype("float64"), y)),
                       ("cut_h5", lambda x, y: (x[:8], y[:8]))):
        shutil.copytree(zoo / "hdf5", zoo / name)
        path = zoo / name / "train.hdf5"
        with h5py.File(path, "r") as db:
            x, y, attrs = db["images"][...], db["labels"][...], dict(db.attrs)
        x, y = edit(x, y)
        with h5py.File(path, "w") as db:  # the same marks, other rows
            db.create_dataset("images", data=x)
            db.create_dataset("labels", data=y)
            db.create_dataset("label_names", data=np.array(["cat", "dog"], dtype=object),
                              dtype=h5py.string_dtype())
            db.attrs.update(attrs)
    rng = np.random.default_rng(0)
    for name, rows, labels in (("features_nan", np.full((40, 8), np.nan), np.arange(40) % 2),
                               ("features_3d", rng.normal(size=(40, 2, 4)), np.arange(40) % 2),
                               ("features_labels", rng.normal(size=(40, 8)), np.arange(40) % 3)):
        with h5py.File(zoo / f"{name}.hdf5", "w") as db:  # marked complete, as the writer does
            db.create_dataset("features", data=rows.astype("float32"))
            db.create_dataset("labels", data=labels)
            db.create_dataset("label_names", data=np.array(["cat", "dog"], dtype=object),
                              dtype=h5py.string_dtype())
            db.attrs.update(complete=True, data_key="features")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from pyimagesearch.io.classifierfile import save_classifier

    search = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2)
    save_classifier(zoo / "classifier.npz", search.fit(rng.normal(size=(20, 8)),
                                                        np.arange(20) % 2), ["cat", "dog"])
    import keras

    network = keras.applications.MobileNetV2(include_top=False, weights=None,
                                             input_shape=(32, 32, 3))
    network.set_weights([np.full_like(w, np.nan) for w in network.get_weights()])
    network.save(zoo / "nan.h5")  # the legacy HDF5 layout keras.applications reads
    good = {"x_train": rng.integers(0, 256, (40, 28, 28), dtype=np.uint8),
            "y_train": np.arange(40) % 10, "x_test": rng.integers(0, 256, (20, 28, 28), np.uint8),
            "y_test": np.arange(20) % 10}
    for name, change in (("mnist_8x8", {"x_train": np.zeros((40, 8, 8), np.uint8)}),
                         ("mnist_label_42", {"y_test": np.full(20, 42)}),
                         ("mnist_float", {"x_train": np.full((40, 28, 28), 1e9)})):
        np.savez(zoo / f"{name}.npz", **{**good, **change})


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    zoo = tmp_path_factory.mktemp("zoo")
    make_kaggle_folder(zoo / "kaggle", per_class=20)
    _kaggle_bad_folders(zoo)
    _hdf5_folders(zoo)
    _model_files(zoo)
    _states_and_runs(zoo)
    _crafted_pickles(zoo)
    _side_files(zoo)
    return zoo


ALEX = ["--crop-size", "57", "--fc-units", "16", "--batch-size", "8", "--epochs", "2",
        "--augment", "none", "--verbose", "0"]
CROP = ["--hdf5-dir", "{zoo}/hdf5", "--batch-size", "4", "--verbose", "0"]
BUILD = ["--hdf5-dir", "{out}/hdf5", "--image-size", "16", "--workers", "1", "--verbose", "0"]
FEATURES = ["--db", "{out}/features.hdf5", "--model", "mobilenet_v2", "--weights", "none",
            "--image-size", "32", "--verbose", "0"]

# (what it proves, study, script, argv, words of the one-line error)
CASES = [
    ("missing_dataset_path", DOGS, "build_dataset", ["--dataset", "{zoo}/missing", *BUILD],
     ["no such file or folder"]),
    ("unknown_dataset_name", DOGS, "build_dataset", ["--dataset", "zebras", *BUILD],
     ["unknown data set"]),
    ("empty_folder", DOGS, "build_dataset", ["--dataset", "{zoo}/empty", *BUILD],
     ["no images"]),
    ("only_unreadable_files_build", DOGS, "build_dataset",
     ["--dataset", "{zoo}/unreadable", "--val-count", "2", "--test-count", "2", *BUILD],
     ["train split: none of the 2 images could be read", "nothing was changed"]),
    ("only_unreadable_files_features", DOGS, "extract_features",
     ["--dataset", "{zoo}/unreadable", *FEATURES], ["none of the 6 images could be read"]),
    ("class_without_a_readable_image", DOGS, "build_dataset",
     ["--dataset", "{zoo}/nodogs", "--val-count", "2", "--test-count", "2", *BUILD],
     ["no readable image of dog in the train split", "nothing was changed"]),
    ("one_class_build", DOGS, "build_dataset", ["--dataset", "{zoo}/onecls", *BUILD],
     ["only one class", "'cat'"]),
    ("one_class_features", DOGS, "extract_features", ["--dataset", "{zoo}/onecls", *FEATURES],
     ["only one class"]),
    ("one_class_transfer_features", TRANSFER, "extract_features",
     ["--dataset", "{zoo}/onecls_tree", *FEATURES], ["1 class(es)", "two or more"]),
    ("one_class_shallownet", SHALLOW, "train",
     ["--dataset", "{zoo}/onecls_tree", "--epochs", "1", "--output", "{out}/run"],
     ["one class", "at least two"]),
    ("one_class_hdf5", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/onecls_h5", *ALEX],
     ["holds one class", "at least two"]),
    ("missing_build", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/empty", *ALEX],
     ["no train.hdf5", "build_dataset.py"]),
    ("hdf5_without_keys", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/nokeys", *ALEX],
     ["train.hdf5 lacks the dataset(s) images"]),
    ("truncated_hdf5", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/truncated_h5", *ALEX],
     ["train.hdf5: cannot open it as HDF5"]),
    ("wrong_size_hdf5_for_training", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5_small", *ALEX], ["too small for --crop-size 57", "--force"]),
    ("wrong_size_hdf5_for_crops", DOGS, "crop_accuracy",
     ["--hdf5-dir", "{zoo}/hdf5_small", "--model-path", "{zoo}/models/m48.keras"],
     ["larger than the (16, 16) images", "--image-size 48"]),
    ("non_model_file", DOGS, "crop_accuracy", [*CROP, "--model-path", "{zoo}/models/notmodel.keras"],
     ["notmodel.keras: not a Keras model file"]),
    ("zip_that_is_not_a_model", DOGS, "crop_accuracy",
     [*CROP, "--model-path", "{zoo}/models/zipnotmodel.keras"], ["not a Keras model file"]),
    ("non_model_checkpoint", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5", *ALEX, "--checkpoint", "{zoo}/models/epoch_1.keras"],
     ["epoch_1.keras: not a Keras model file"]),
    ("lambda_layer_refused_by_safe_mode", DOGS, "crop_accuracy",
     [*CROP, "--model-path", "{zoo}/models/lambda.keras"], ["Lambda layer", "safe mode"]),
    ("model_of_another_class_count", DOGS, "crop_accuracy",
     [*CROP, "--model-path", "{zoo}/models/three.keras"], ["predicts 3 classes", "holds 2 (cat, dog)"]),
    ("model_of_other_class_names", DOGS, "crop_accuracy",
     [*CROP, "--model-path", "{zoo}/models/other/model.keras"],
     ["trained on the classes ['bird', 'fish']", "['cat', 'dog']"]),
    ("foreign_backup", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5", *ALEX, "--backup", "{zoo}/backup_foreign"],
     ["holds the state of another model", "new --backup"]),
    ("backup_of_more_epochs", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5", *ALEX, "--backup", "{zoo}/backup_long"],
     ["holds 5 epochs, more than --epochs 2"]),
    ("wrong_weights_file", DOGS, "extract_features",
     ["--dataset", "{zoo}/kaggle", *FEATURES, "--weights", "{zoo}/bad_weights.h5"],
     ["bad_weights.h5", "could not load it"]),
    ("unknown_network", TRANSFER, "extract_features",
     ["--dataset", "{zoo}/onecls_tree", *FEATURES, "--model", "resnet9000"],
     ["unknown network 'resnet9000'"]),
    ("unknown_choice", DOGS, "build_dataset",
     ["--dataset", "{zoo}/kaggle", *BUILD, "--pool", "fork"], ["--pool", "invalid choice"]),
    ("expected_label_not_a_class", PRETRAINED, "imagenet_pretrained",
     ["--images", "{zoo}/onecls_tree", "--labels", "{zoo}/class_index.json", "--model",
      "mobilenet_v2", "--weights", "none", "--expect", "giant_pand"],
     ["--expect giant_pand is not a class", "did you mean giant_panda"]),
    ("crafted_cifar_batch", MINIVGG, "train_decay",
     ["--dataset", "{zoo}/cifar_evil", "--epochs", "1", "--output", "{out}/run"],
     ["data_batch_1 is not a CIFAR-10 batch and was refused", "os.makedirs"]),
    ("classifier_not_written_here", TRANSFER, "rank_accuracy",
     ["--db", "{zoo}/features.hdf5", "--model-path", "{zoo}/evil.joblib"],
     ["not a classifier written by save_classifier", "it holds pickled data", "run code"]),
    ("mean_json_of_strings", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/mean_strings", *ALEX],
     ["mean.json", "finite"]),
    ("mean_json_with_nan", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/mean_nan", *ALEX],
     ["mean.json", "finite"]),
    ("mean_json_not_json", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/mean_not_json", *ALEX],
     ["mean.json"]),
    ("integer_label_names", DOGS, "train_alexnet", ["--hdf5-dir", "{zoo}/int_names", *ALEX],
     ["label_names must be a list of strings"]),
    ("float64_images_in_a_build", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/float64_h5", *ALEX], ["float64"]),
    ("hdf5_cut_to_fewer_rows_than_its_build", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/cut_h5", *ALEX], ["row counts disagree: 8 images, 8 labels, 30"]),
    ("features_of_nan", TRANSFER, "train_model", ["--db", "{zoo}/features_nan.hdf5"],
     ["NaN or infinite"]),
    ("features_of_three_dimensions", TRANSFER, "train_model", ["--db", "{zoo}/features_3d.hdf5"],
     ["2-D"]),
    ("labels_outside_label_names", TRANSFER, "train_model",
     ["--db", "{zoo}/features_labels.hdf5"], ["label"]),
    ("labels_outside_label_names_rank", TRANSFER, "rank_accuracy",
     ["--db", "{zoo}/features_labels.hdf5", "--model-path", "{zoo}/classifier.npz"], ["label"]),
    ("weights_of_nan", DOGS, "extract_features",
     ["--dataset", "{zoo}/kaggle", *FEATURES, "--weights", "{zoo}/nan.h5"],
     ["NaN or infinite features"]),
    ("mnist_of_8x8_images", "2020-11-11-lenet", "train",
     ["--dataset", "{zoo}/mnist_8x8.npz", "--epochs", "1"], ["(n, 28, 28)", "(40, 8, 8)"]),
    ("mnist_label_42", "2020-11-11-lenet", "train",
     ["--dataset", "{zoo}/mnist_label_42.npz", "--epochs", "1"], ["digits 0-9", "42"]),
    ("mnist_of_floats", "2020-11-11-lenet", "train",
     ["--dataset", "{zoo}/mnist_float.npz", "--epochs", "1"], ["uint8", "float64"]),
    ("existing_build", DOGS, "build_dataset",
     ["--dataset", "{zoo}/kaggle", "--hdf5-dir", "{zoo}/hdf5"], ["already holds", "--force"]),
    ("force_rebuild_from_a_missing_folder", DOGS, "build_dataset",
     ["--dataset", "{zoo}/missing", "--hdf5-dir", "{zoo}/hdf5", "--force"],
     ["no such file or folder"]),
    ("force_rebuild_from_unreadable_files", DOGS, "build_dataset",
     ["--dataset", "{zoo}/unreadable", "--hdf5-dir", "{zoo}/hdf5", "--val-count", "2",
      "--test-count", "2", "--force", "--workers", "1"], ["could be read"]),
    ("existing_features_file", DOGS, "extract_features",
     ["--dataset", "{zoo}/kaggle", *FEATURES, "--db", "{zoo}/features.hdf5"],
     ["already exists", "--force"]),
    ("classifier_into_a_finished_run", TRANSFER, "train_model",
     ["--db", "{zoo}/features.hdf5", "--output", "{zoo}/finished_run"], ["is not empty"]),
    ("output_folder_not_empty", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5", *ALEX, "--output", "{zoo}/finished_run"], ["is not empty"]),
    ("output_of_another_unfinished_run", DOGS, "train_alexnet",
     ["--hdf5-dir", "{zoo}/hdf5", *ALEX, "--output", "{zoo}/unfinished_other"],
     ["unfinished run of another command", "epochs=99 there, 2 now"]),
]


@pytest.mark.parametrize("case, study, script, argv, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, study, script, argv, words, zoo, tmp_path, capsys, no_datasets_dir,
                   recwarn):
    out = tmp_path / "out"
    argv = [a.format(zoo=zoo, out=out) for a in argv]
    if script not in ("build_dataset", "extract_features") and "--output" not in argv:
        argv += ["--output", str(out / "run")]
    before = snapshot(zoo)
    module = load_script(study, script)
    with pytest.raises(SystemExit) as info:
        module.main(argv)
    one_line_error(capsys, info, *words)
    assert snapshot(zoo) == before  # nothing of the zoo was touched
    assert not [p for p in out.rglob("*") if p.is_file()] if out.exists() else True
    assert not (zoo / "cifar_payload_ran").exists() and not (zoo / "joblib_payload_ran").exists()


# (script, flag=value): every numeric flag refuses a bad number before anything runs
BAD_NUMBERS = [
    (DOGS, "build_dataset", "--image-size=0"), (DOGS, "build_dataset", "--val-fraction=1.5"),
    (DOGS, "build_dataset", "--test-count=0"), (DOGS, "build_dataset", "--workers=-1"),
    (DOGS, "build_dataset", "--buffer-size=many"), (DOGS, "build_dataset", "--seed=1.5"),
    (DOGS, "train_alexnet", "--epochs=0"), (DOGS, "train_alexnet", "--batch-size=-3"),
    (DOGS, "train_alexnet", "--learning-rate=-1"), (DOGS, "train_alexnet", "--learning-rate=nan"),
    (DOGS, "train_alexnet", "--bn-momentum=-5"), (DOGS, "train_alexnet", "--bn-momentum=1"),
    (DOGS, "train_alexnet", "--reg=-1"), (DOGS, "train_alexnet", "--crop-size=abc"),
    (DOGS, "train_alexnet", "--every=0"), (DOGS, "train_alexnet", "--workers=0"),
    (DOGS, "train_alexnet", "--start-epoch=-1"), (DOGS, "train_alexnet", "--fc-units=0"),
    (DOGS, "crop_accuracy", "--batch-size=0"), (DOGS, "crop_accuracy", "--crop-size=-1"),
    (DOGS, "extract_features", "--batch-size=0"), (DOGS, "extract_features", "--image-size=0"),
    (DOGS, "extract_features", "--buffer-size=0"), (DOGS, "train_model", "--jobs=0"),
    (DOGS, "train_model", "--max-iter=0"), (TRANSFER, "rank_accuracy", "--seed=x"),
    (MINIVGG, "train_decay", "--momentum=-5"), (MINIVGG, "train_decay", "--learning-rate=0"),
    (MINIVGG, "train_decay", "--epochs=-1"), (MINIVGG, "train_checkpoint", "--batch-size=0"),
    (SHALLOW, "train", "--momentum=-5"), ("2020-11-11-lenet", "train", "--momentum=-5"),
]
REQUIRED = {"build_dataset": ["--dataset", "{zoo}/kaggle", "--hdf5-dir", "{out}"],
            "train_alexnet": ["--hdf5-dir", "{zoo}/hdf5"],
            "crop_accuracy": ["--hdf5-dir", "{zoo}/hdf5", "--model-path", "{zoo}/models/m48.keras"],
            "extract_features": ["--dataset", "{zoo}/kaggle", "--db", "{out}/f.hdf5"],
            "train_model": ["--db", "{zoo}/features.hdf5", "--output", "{out}/run"],
            "rank_accuracy": ["--db", "{zoo}/features.hdf5", "--model-path", "{zoo}/evil.joblib"],
            "train_decay": ["--dataset", "{zoo}/cifar_evil"],
            "train_checkpoint": ["--dataset", "{zoo}/cifar_evil"],
            "train": ["--dataset", "{zoo}/onecls_tree"]}


@pytest.mark.parametrize("study, script, flag", BAD_NUMBERS,
                         ids=[f"{s}:{f}" for _, s, f in BAD_NUMBERS])
def test_bad_number_for_a_numeric_flag(study, script, flag, zoo, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [a.format(zoo=zoo, out=out) for a in REQUIRED[script]] + [flag]
    module = load_script(study, script)
    with pytest.raises(SystemExit) as info:
        module.main(argv)
    name = flag.split("=")[0]
    one_line_error(capsys, info, "argument ", name, "--help")
    assert not out.exists()


# -- bad files among good ones: skipped, counted, the rest used ----------------------------------
def mixed_kaggle_folder(root):
    """20 + 20 good images, plus a text file, a zero-byte and a truncated JPEG (skipped)
    and a grayscale JPEG and an RGBA PNG (used, as 3-channel images)."""
    make_kaggle_folder(root, per_class=20)
    (root / "cat.100.jpg").write_text("a text file named .jpg")
    (root / "cat.101.jpg").write_bytes(b"")
    data = (root / "dog.0.jpg").read_bytes()
    (root / "dog.100.jpg").write_bytes(data[: len(data) // 2])
    cv2.imwrite(str(root / "cat.102.jpg"), np.full((30, 40), 200, np.uint8))
    cv2.imwrite(str(root / "dog.102.png"), np.full((30, 40, 4), 90, np.uint8))
    return root


def test_unreadable_truncated_and_empty_images_are_skipped_and_counted(tmp_path, capsys):
    folder = mixed_kaggle_folder(tmp_path / "train")
    out = tmp_path / "hdf5"
    build = load_script(DOGS, "build_dataset")
    assert build.main(["--dataset", str(folder), "--hdf5-dir", str(out), "--image-size", "16",
                       "--val-count", "6", "--test-count", "6", "--workers", "1",
                       "--verbose", "0"]) == 0
    report = json.loads((out / "build.json").read_text())
    splits = report["splits"].values()
    assert sum(s["skipped"] for s in splits) == 3
    assert sum(s["written"] for s in splits) == 45 - 3  # grayscale and RGBA are kept
    for split, summary in report["splits"].items():
        # the per-class counts are of what was written, not of the paths
        assert sum(summary["classes"].values()) == summary["written"]
        with h5py.File(out / f"{split}.hdf5", "r") as db:
            assert db["images"].shape == (summary["written"], 16, 16, 3)
            counts = np.bincount(db["labels"][:], minlength=2).tolist()
            assert counts == [summary["classes"]["cat"], summary["classes"]["dog"]]
    assert "skipped" in capsys.readouterr().out


def test_the_tf_data_path_skips_and_counts_bad_images_too(tmp_path, capsys):
    folder = mixed_kaggle_folder(tmp_path / "train")
    extract = load_script(DOGS, "extract_features")
    db = tmp_path / "features.hdf5"
    assert extract.main(["--dataset", str(folder), "--db", str(db), "--model",
                         "mobilenet_v2", "--weights", "none", "--image-size", "32",
                         "--batch-size", "16", "--verbose", "0"]) == 0
    with h5py.File(db, "r") as f:
        assert f.attrs["complete"] and f["features"].shape[0] == 45 - 3
    assert "[WARN] skipped 3 unreadable image(s) of 45" in capsys.readouterr().err


def test_non_ascii_class_names_and_an_empty_class_folder(tmp_path):
    from pyimagesearch.datasets import SimpleDatasetLoader, list_labelled_images
    from pyimagesearch.io import hdf5build, open_hdf5_dataset, read_label_names
    from pyimagesearch.preprocessing import SimplePreprocessor

    tree = tmp_path / "données"
    for name in ("chat_été", "狗"):
        make_kaggle_folder(tree / name, per_class=2)
    (tree / "zèbre").mkdir()  # an empty class folder: reported by name
    with pytest.warns(UserWarning, match="zèbre"):
        paths, labels = list_labelled_images(tree)
    assert sorted(set(labels)) == ["chat_été", "狗"]
    data, loaded = SimpleDatasetLoader([SimplePreprocessor(8, 8)]).load(paths)
    assert data.shape == (8, 8, 8, 3) and sorted(set(loaded)) == ["chat_été", "狗"]
    summary = hdf5build.write_images(paths, labels, tmp_path / "x.hdf5", ["chat_été", "狗"],
                                     size=8, verbose=False)
    assert summary["classes"] == {"chat_été": 4, "狗": 4}
    with open_hdf5_dataset(tmp_path / "x.hdf5") as db:
        assert read_label_names(db) == ["chat_été", "狗"]


def test_a_class_folder_of_unreadable_files_is_reported(tmp_path):
    from pyimagesearch.datasets import SimpleDatasetLoader, list_images

    make_kaggle_folder(tmp_path / "tree" / "cats", per_class=2)
    (tmp_path / "tree" / "dogs").mkdir()
    (tmp_path / "tree" / "dogs" / "a.jpg").write_text("not an image")
    with pytest.warns(UserWarning) as caught:
        SimpleDatasetLoader().load(list_images(tmp_path / "tree"))
    messages = " ".join(str(w.message) for w in caught)
    assert "skipped 1 of 5" in messages and "dogs" in messages


def test_a_crafted_classifier_is_never_unpickled(tmp_path):
    """A pickle, or an npz holding an object array, is refused unread."""
    from pyimagesearch.errors import DatasetError
    from pyimagesearch import features

    evil = tmp_path / "model.npz"
    evil.write_bytes(pickle.dumps(Payload(tmp_path / "ran")))
    with pytest.raises(DatasetError, match="it holds pickled data"):
        features.load_classifier(evil, ["cat", "dog"])
    np.savez(evil, coef=np.array([Payload(tmp_path / "ran")], dtype=object))
    with pytest.raises(DatasetError, match="not a classifier written by save_classifier"):
        features.load_classifier(evil, ["cat", "dog"])
    assert not (tmp_path / "ran").exists()
