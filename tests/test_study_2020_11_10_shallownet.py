"""2020-11-10 ShallowNet: train.py and predict.py through `main([...])` on tiny data."""

import contextlib
import json

import pytest

from conftest import check_run, datasets_dir, load_script, one_line_error, refused_by_argparse

SHALLOWNET = "2020-11-10-shallownet"


def test_shallownet_train_then_predict(tmp_path, image_folder):
    train = load_script(SHALLOWNET, "train")
    out = tmp_path / "run"
    train.main(["--dataset", str(image_folder), "--epochs", "1", "--output", str(out),
                "--verbose", "0"])
    check_run(out)
    assert json.loads((out / "class_names.json").read_text()) == ["cats", "dogs", "panda"]

    predict = load_script(SHALLOWNET, "predict")
    pred_out = tmp_path / "pred"
    predict.main(["--dataset", str(image_folder), "--model-path", str(out / "model.keras"),
                  "--count", "4", "--output", str(pred_out), "--verbose", "0"])
    images = sorted(p.name for p in pred_out.glob("prediction_*.jpg"))
    assert len(images) == 4
    rows = json.loads((pred_out / "predictions.json").read_text())
    assert [r["written"] for r in rows] == images
    assert all(r["label"] in ("cats", "dogs", "panda") and 0 < r["probability"] <= 1 for r in rows)
    import cv2

    annotated = cv2.imread(str(pred_out / images[0]))
    original = cv2.imread(rows[0]["image"])
    assert annotated.shape == original.shape and (annotated != original).any()


def test_shallownet_on_real_animals_subset(tmp_path):
    animals = datasets_dir() / "animals"
    subset = tmp_path / "animals"
    for name in ("cats", "dogs", "panda"):
        (subset / name).mkdir(parents=True)
        for path in sorted((animals / name).iterdir())[:12]:
            (subset / name / path.name).symlink_to(path)
    train = load_script(SHALLOWNET, "train")
    train.main(["--dataset", str(subset), "--epochs", "1", "--output", str(tmp_path / "r"),
                "--verbose", "0"])
    report = check_run(tmp_path / "r")
    assert report["macro avg"]["support"] == 9  # 25% of 36 images


# -- bad input: one line on stderr, exit 2, nothing damaged ----------------------
@pytest.mark.parametrize("dataset, message", [
    ("{tmp}/missing", "no such file or folder"),
    ("{tmp}/empty", "holds no image files"),
    ("zebras", "unknown data set"),
    ("{tmp}/corrupt", "none of the 2 files"),
])
def test_a_bad_data_set_is_one_line_and_exit_2(dataset, message, tmp_path, capsys,
                                                no_datasets_dir):
    (tmp_path / "empty").mkdir()
    (tmp_path / "corrupt" / "cats").mkdir(parents=True)
    (tmp_path / "corrupt" / "cats" / "a.jpg").write_bytes(b"no image")
    (tmp_path / "corrupt" / "cats" / "b.png").write_text("no image either")
    train = load_script(SHALLOWNET, "train")
    corrupt = "corrupt" in dataset
    with pytest.raises(SystemExit) as info, pytest.warns() if corrupt else contextlib.nullcontext():
        train.main(["--dataset", dataset.format(tmp=tmp_path), "--output", str(tmp_path / "out"),
                    "--verbose", "0"])  # no progress bar on stderr (shown where TERM is set)
    one_line_error(capsys, info, message)


@pytest.mark.parametrize("script, flag, value, message", [
    ("train", "--epochs", "0", "a positive integer"),
    ("train", "--batch-size", "0", "a positive integer"),
    ("train", "--learning-rate", "nan", "a positive number"),
    ("train", "--learning-rate", "-0.005", "a positive number"),
    ("train", "--momentum", "-5", "[0, 1)"),
    ("train", "--momentum", "1", "[0, 1)"),
    ("train", "--momentum", "inf", "[0, 1)"),
    ("train", "--augment", "mixup", "invalid choice"),
    ("train", "--seed", "-1", "[0, 2**32 - 1]"),
    ("predict", "--count", "0", "a positive integer"),
    ("predict", "--count", "1.5", "a positive integer"),
    ("predict", "--seed", "-1", "[0, 2**32 - 1]"),
    ("predict", "--verbose", "7", "invalid choice"),
    ("predict", "--model-path", "{tmp}/missing.keras", "no such file or folder"),
    ("predict", "--model-path", "{tmp}/notes.npz", "expected a Keras 3 .keras file"),
])
def test_a_bad_flag_is_an_argparse_error(tmp_path, capsys, script, flag, value, message):
    (tmp_path / "model.keras").write_bytes(b"not read: the flags are checked first")
    (tmp_path / "notes.npz").write_text("not numpy")
    module = load_script(SHALLOWNET, script)
    value = value.format(tmp=tmp_path)
    # a data set that does not exist: were the flag let through, the error would name it
    argv = ["--dataset", str(tmp_path / "missing"), flag, value]
    if script == "predict" and flag != "--model-path":
        argv += ["--model-path", str(tmp_path / "model.keras")]
    refused_by_argparse(capsys, module.main, argv, tmp_path / "run", flag, value, message)


def test_predict_on_labels_unknown_to_the_model_says_so(tmp_path, capsys, image_folder):
    train = load_script(SHALLOWNET, "train")
    out = tmp_path / "run"
    train.main(["--dataset", str(image_folder), "--epochs", "1", "--output", str(out),
                "--verbose", "0"])
    # the same images, in folders whose names are none of the model's classes
    other = tmp_path / "zoo"
    for folder in image_folder.iterdir():
        (other / f"{folder.name}_x").mkdir(parents=True)
        for path in folder.iterdir():
            (other / f"{folder.name}_x" / path.name).symlink_to(path)
    predict = load_script(SHALLOWNET, "predict")
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        predict.main(["--dataset", str(other), "--model-path", str(out / "model.keras"),
                      "--count", "2", "--output", str(tmp_path / "pred"), "--verbose", "0"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "unknown to the model" in errors[0], captured.err
    assert "cats_x" in errors[0] and "labelled right" not in captured.out
    assert len(list((tmp_path / "pred").glob("prediction_*.jpg"))) == 2  # still written
