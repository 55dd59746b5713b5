"""Study 2020-10-17-bounding-box-regression end to end through `main([...])`, tiny and offline.

The data: generated images of different sizes with one filled rectangle
each and its box in a CSV file (no header, like airplanes.csv), one row a
degenerate box. The network: MobileNetV2 at 32x32 (its smallest input) with
random weights, 1 epoch.
"""

import csv
import json

import cv2
import numpy as np
import pytest

from conftest import ROOT, datasets_dir, load_script, one_line_error

STUDY = "2020-10-17-bounding-box-regression"
TINY = ["--model", "mobilenet_v2", "--weights", "none", "--image-size", "32", "--epochs", "1",
        "--batch-size", "64", "--verbose", "0"]


@pytest.fixture(scope="module", autouse=True)
def _study_folder_on_path():
    """As when a script runs: its folder is on sys.path (for `import config`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "experiments" / STUDY))
        yield


def make_rectangles(root):
    """`root/images/*.jpg` + `root/boxes.csv`: 20 images, one degenerate box."""
    (root / "images").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(20):
        w, h = int(rng.integers(40, 64)), int(rng.integers(30, 48))
        x1, y1 = int(rng.integers(0, w // 3)), int(rng.integers(0, h // 3))
        x2, y2 = int(rng.integers(w // 2, w)), int(rng.integers(h // 2, h))
        image = rng.integers(0, 40, (h, w, 3), dtype=np.uint8)
        cv2.rectangle(image, (x1, y1), (x2, y2), (40, 200, 240), -1)
        cv2.imwrite(str(root / "images" / f"image_{i:04d}.jpg"), image)
        rows.append(f"image_{i:04d}.jpg,{x1},{y1},{x2},{y2}")
    rows[5] = "image_0005.jpg,3,7,20,7"  # zero height, like image_0118.jpg
    (root / "boxes.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture(scope="module")
def rectangles(tmp_path_factory):
    return make_rectangles(tmp_path_factory.mktemp("data") / "rectangles")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, rectangles):
    """One tiny training run shared by the tests below (and its results.csv folder)."""
    root = tmp_path_factory.mktemp("train")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYIMAGESEARCH_OUTPUTS", str(root / "outputs"))
        train = load_script(STUDY, "train")
        out = root / "train-run"
        assert train.main(["--dataset", str(rectangles), *TINY, "--output", str(out)]) == 0
    return out


@pytest.fixture
def trained(trained_run):
    return trained_run


def test_train_writes_the_model_the_test_list_and_iou_beside_the_baseline(trained, rectangles):
    import keras

    names = (trained / "test_images.txt").read_text().splitlines()
    assert len(names) == 2 and "image_0005.jpg" not in names  # 10% of 19 usable boxes
    report = json.loads((trained / "report.json").read_text())
    assert report["counts"] == {"train": 17, "test": 2, "skipped": 1}
    assert report["skipped"] == [{"line": 6, "filename": "image_0005.jpg"}]
    assert report["scale"] == "backbone" and report["model"] == "mobilenet_v2"
    for part in ("test", "baseline_mean_box_test", "train"):
        assert 0 <= report[part]["mean_iou"] <= 1 and 0 <= report[part]["share_iou_0.5"] <= 1
    assert report["timing"]["features_s"] > 0 and report["timing"]["train_s"] > 0
    assert "mean-box baseline IoU" in (trained / "report.txt").read_text()
    history = json.loads((trained / "history.json").read_text())
    assert {"loss", "iou", "val_loss", "val_iou"} <= set(history)
    assert (trained / "training_plot.png").stat().st_size > 0
    # the full image-to-box model reloads, and predicts what the report scored
    model = keras.saving.load_model(trained / "model.keras")
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 4)
    rows = list(csv.DictReader(open(trained / "test_predictions.csv")))
    assert [r["filename"] for r in rows] == names
    assert np.mean([float(r["iou"]) for r in rows]) == pytest.approx(
        report["test"]["mean_iou"], abs=1e-3)
    assert json.loads((trained / "model_input.json").read_text())["scale"] == "backbone"
    recorded = {r["metric"]: r for r in csv.DictReader(open(trained / "results.csv"))}
    assert {"mean_iou", "share_iou_0.5", "baseline_mean_iou", "train_seconds"} <= set(recorded)
    assert recorded["mean_iou"]["data"] == "rectangles (mobilenet_v2, scale backbone)"


def test_predict_draws_boxes_on_the_saved_test_list_and_the_grid(trained, rectangles, tmp_path):
    predict = load_script(STUDY, "predict")
    out = tmp_path / "predict-run"
    assert predict.main(["--model-path", str(trained / "model.keras"), "--input",
                         str(trained / "test_images.txt"), "--dataset", str(rectangles),
                         "--output", str(out), "--verbose", "0"]) == 0
    names = (trained / "test_images.txt").read_text().splitlines()
    rows = list(csv.DictReader(open(out / "predictions.csv")))
    assert len(rows) == len(names)
    for row, name in zip(rows, names):
        original = cv2.imread(str(rectangles / "images" / name))
        annotated = cv2.imread(str(out / row["written"]))
        assert annotated.shape == original.shape  # drawn on the image at its own size
        assert (annotated != original).any()
        assert row["true_x1"] != "" and 0 <= float(row["iou"]) <= 1
    grid = cv2.imread(str(out / "grid.png"))
    assert grid is not None and grid.shape[0] > 100
    summary = json.loads((out / "summary.json").read_text())
    assert summary["with_true_box"] == len(names)


def test_predict_a_folder_without_annotations_has_no_true_boxes(trained, rectangles, tmp_path):
    predict = load_script(STUDY, "predict")
    out = tmp_path / "predict-folder"
    predict.main(["--model-path", str(trained / "model.keras"), "--input",
                  str(rectangles / "images"), "--output", str(out), "--verbose", "0",
                  "--grid", "4"])
    rows = list(csv.DictReader(open(out / "predictions.csv")))
    assert len(rows) == 20 and all(r["iou"] == "" for r in rows)
    assert len(list(out.glob("*_image_*.jpg"))) == 20 and (out / "grid.png").is_file()
    assert not (out / "summary.json").exists()


def test_an_earlier_feature_layer_and_a_head_started_at_the_mean_box(tmp_path, rectangles):
    import keras

    train = load_script(STUDY, "train")
    out = tmp_path / "run-mid"
    # a learning rate too small to move anything: the head stays where it started
    assert train.main(["--dataset", str(rectangles), *TINY, "--feature-layer",
                       "block_13_expand_relu", "--head", "conv", "--init-mean-box",
                       "--learning-rate", "1e-12",
                       "--output", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["feature_layer"] == "block_13_expand_relu" and report["init_mean_box"]
    assert report["test"]["mean_iou"] == pytest.approx(
        report["baseline_mean_box_test"]["mean_iou"], abs=1e-4)
    rows = list(csv.DictReader(open(out / "test_predictions.csv")))
    mean_box = np.array(report["mean_box"])
    for row in rows:
        w, h = float(row["width"]), float(row["height"])
        predicted = [float(row[f"pred_{k}"]) for k in ("x1", "y1", "x2", "y2")]
        np.testing.assert_allclose(predicted, mean_box * [w, h, w, h], atol=0.06)
    model = keras.saving.load_model(out / "model.keras")
    names = [layer.name for layer in model.layers]
    assert "block_13_expand_relu" in names and "Conv_1" not in names and "reduce" in names
    assert report["head"] == "conv"


def test_the_diarys_scaling_divides_by_255_and_is_written_beside_the_model(tmp_path):
    config = load_script(STUDY, "config")
    predict = load_script(STUDY, "predict")  # reads model_input.json

    images = np.full((2, 4, 4, 3), 255, np.uint8)
    np.testing.assert_allclose(config.input_preparation("mobilenet_v2", "255")(images), 1)
    np.testing.assert_allclose(config.input_preparation("mobilenet_v2", "backbone")(images),
                               1)  # MobileNetV2's own: x / 127.5 - 1
    vgg = config.input_preparation("vgg16", "backbone")(images)
    np.testing.assert_allclose(vgg[0, 0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68],
                               atol=1e-3)  # caffe: BGR, mean subtracted
    model = tmp_path / "model.keras"
    model.with_name("model_input.json").write_text(
        json.dumps(config.model_input("mobilenet", (32, 32), "255", "none")))
    assert predict.load_model_input(model) == ("mobilenet_v2", (32, 32), "255")
    assert json.loads(model.with_name("model_input.json").read_text())["preprocess"] == "x / 255"


@pytest.mark.parametrize("argv, messages", [
    (["--dataset", "{tmp}/nowhere"], ["no such file or folder"]),
    (["--dataset", "{data}", "--model", "alexnet"], ["unknown network 'alexnet'"]),
    (["--dataset", "{data}", "--image-size", "16"], ["--image-size 16", "at least 32x32"]),
    (["--dataset", "{data}", "--weights", "{tmp}/missing.h5"], ["no such file"]),
    (["--dataset", "{tmp}"], ["expected exactly one .csv file", "found none"]),
    (["--dataset", "{bad}"], ["line 2", "inverted box"]),
    (["--dataset", "{data}", "--feature-layer", "block_99"],
     ["--feature-layer block_99: mobilenet_v2 has no such layer"]),
])
def test_train_bad_input_exits_2_with_one_line(tmp_path, rectangles, capsys, argv, messages):
    bad = tmp_path / "bad"
    (bad / "images").mkdir(parents=True)
    (bad / "boxes.csv").write_text("a.jpg,1,1,5,5\nb.jpg,9,1,5,5\n")
    train = load_script(STUDY, "train")
    argv = [a.format(tmp=tmp_path, data=rectangles, bad=bad) for a in argv]
    with pytest.raises(SystemExit) as info:  # the last of a repeated flag wins
        train.main([*TINY, *argv, "--output", str(tmp_path / "o")])
    one_line_error(capsys, info, *messages)


@pytest.mark.parametrize("argv, messages", [
    (["--model-path", "{tmp}/none.keras", "--input", "{img}"], ["no such file"]),
    (["--model-path", "{tmp}/model.h5", "--input", "{img}"], ["expected a Keras 3 .keras file"]),
    (["--model-path", "{run}/model.keras", "--input", "{tmp}/nothing.jpg"],
     ["no such image, folder or list file"]),
    (["--model-path", "{run}/model.keras", "--input", "{tmp}/list.txt"],
     ["line 2", "ghost.jpg not found", "pass --dataset"]),
    (["--model-path", "{run}/model.keras", "--input", "{tmp}/empty.txt"], ["names no image"]),
    (["--model-path", "{run}/model.keras", "--input", "{tmp}/broken.jpg"], ["not a readable image"]),
    (["--model-path", "{tmp}/lone/model.keras", "--input", "{img}"], ["model_input.json: not found"]),
])
def test_predict_bad_input_exits_2_with_one_line(tmp_path, trained, rectangles, capsys, argv,
                                                 messages):
    image = rectangles / "images" / "image_0000.jpg"
    (tmp_path / "model.h5").write_bytes(b"")
    (tmp_path / "list.txt").write_text(f"{image}\nghost.jpg\n")
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "lone").mkdir()
    (tmp_path / "lone" / "model.keras").write_bytes(b"")
    predict = load_script(STUDY, "predict")
    argv = [a.format(tmp=tmp_path, run=trained, img=image) for a in argv]
    with pytest.raises(SystemExit) as info:
        predict.main([*argv, "--output", str(tmp_path / "o")])
    one_line_error(capsys, info, *messages)


@pytest.mark.parametrize("script, argv, message", [
    ("train", ["--scale", "1"], "argument --scale: invalid choice: '1'"),
    ("train", ["--test-size", "1.5"], "argument --test-size: expected a number in (0, 1), got '1.5'"),
    ("train", ["--image-size", "x"], "argument --image-size: expected a positive integer, got 'x'"),
    ("predict", ["--grid", "0", "--model-path", "m.keras", "--input", "a.jpg"],
     "argument --grid: expected a positive integer, got '0'"),
])
def test_bad_flags_exit_2_with_an_argparse_error(tmp_path, capsys, script, argv, message):
    module = load_script(STUDY, script)
    if script == "train":
        argv = ["--dataset", str(tmp_path), *argv]
    with pytest.raises(SystemExit) as info:
        module.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]


def test_real_airplanes_load_with_the_zero_height_box_skipped():
    folder = datasets_dir() / "caltech101_airplanes"
    if not folder.is_dir():
        pytest.skip("caltech101_airplanes is not under DATASETS_DIR")
    from pyimagesearch.datasets import load_boxes

    with pytest.warns(UserWarning, match=r"skipped 1 degenerate.*image_0118.jpg"):
        data = load_boxes(folder / "airplanes.csv", folder / "images", size=32)
    assert len(data.filenames) == 799 and data.images.shape == (799, 32, 32, 3)
    assert data.boxes.min() >= 0 and data.boxes.max() <= 1
