"""2020-11-16 pretrained network: imagenet_pretrained.py through `main([...])`.

ImageNet weights cannot be downloaded here: the script runs with
`--weights none` (random weights); only the real-data test at the end loads
the genuine MobileNetV2 weights from $DATASETS_DIR.
"""

import csv
import json

import cv2
import numpy as np
import pytest

from conftest import datasets_dir, load_script, one_line_error, results, refused_by_argparse

PRETRAINED = "2020-11-16-pretrained-network"


@pytest.fixture
def class_index(tmp_path):
    """A 1000-class index in the format of imagenet_class_index.json."""
    path = tmp_path / "index.json"
    path.write_text(json.dumps({str(i): [f"n{i:08d}", f"label_{i}"] for i in range(1000)}))
    return path


def test_imagenet_pretrained_prints_top5_and_writes_the_annotated_image(
        tmp_path, class_index, capsys):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), np.random.default_rng(0).integers(0, 255, (300, 420, 3), np.uint8))
    script = load_script(PRETRAINED, "imagenet_pretrained")
    out = tmp_path / "run"
    assert script.main(["--image", str(image), "--model", "mobilenet_v2", "--weights", "none",
                        "--labels", str(class_index), "--output", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    ranked = [line for line in lines if line[:2] in {f"{k}." for k in range(1, 6)}]
    assert len(ranked) == 5
    probs = [float(line.rsplit(" ", 1)[1].rstrip("%")) for line in ranked]
    assert all(line.split(" ")[1].startswith("label_") for line in ranked)
    assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 100
    written = list(out.glob("01_photo_label_*.jpg"))
    assert len(written) == 1
    annotated = cv2.imread(str(written[0]))
    assert annotated.shape == (300, 420, 3)
    assert (annotated != cv2.imread(str(image))).any()
    rows = list(csv.DictReader(open(out / "predictions.csv")))
    assert len(rows) == 1 and rows[0]["top1_label"] in written[0].name


def test_imagenet_pretrained_labels_a_folder(tmp_path, class_index, image_folder):
    script = load_script(PRETRAINED, "imagenet_pretrained")
    out = tmp_path / "run"
    script.main(["--images", str(image_folder / "panda"), "--limit", "4", "--model",
                 "mobilenet_v2", "--weights", "none", "--labels", str(class_index),
                 "--expect", "label_388", "--batch-size", "3", "--output", str(out),
                 "--verbose", "0"])
    rows = list(csv.DictReader(open(out / "predictions.csv")))
    assert len(rows) == 4 and {r["folder"] for r in rows} == {"panda"}
    assert not list(out.glob("*.jpg"))  # a folder gives a table, not annotated copies
    assert (out / "top1_labels.png").stat().st_size > 0  # and a bar per top-1 label
    recorded = {r["metric"]: float(r["value"]) for r in results()}
    assert set(recorded) == {"top1_label_388", "top5_label_388"}
    assert 0 <= recorded["top1_label_388"] <= recorded["top5_label_388"] <= 1


@pytest.mark.parametrize("argv, messages", [
    (["--model", "alexnet"], ["unknown network 'alexnet'", "vgg16", "mobilenet_v2"]),
    (["--model", "mobilenet_v2", "--weights", "{tmp}/missing.h5"], ["no such file"]),
    (["--model", "mobilenet_v2", "--weights", "none", "--labels", "{tmp}/small.json"],
     ["names 2 classes but the network predicts 1000"]),
    (["--model", "mobilenet_v2", "--weights", "none", "--labels", "{tmp}/index.json",
      "--show"], ["needs an OpenCV build with a GUI"]),
])
def test_imagenet_pretrained_bad_input(tmp_path, class_index, capsys, argv, messages):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), np.zeros((64, 64, 3), np.uint8))
    (tmp_path / "small.json").write_text(json.dumps({"0": ["n0", "a"], "1": ["n1", "b"]}))
    script = load_script(PRETRAINED, "imagenet_pretrained")
    argv = ["--image", str(image), *(a.format(tmp=tmp_path) for a in argv),
            "--output", str(tmp_path / "run")]
    with pytest.raises(SystemExit) as info:
        script.main(argv)
    one_line_error(capsys, info, *messages)


def test_imagenet_pretrained_offline_without_labels_says_to_pass_them(
        tmp_path, capsys, monkeypatch):
    from keras.applications import imagenet_utils

    def offline(preds, top=5):
        raise Exception("URL fetch failure on https://storage.googleapis.com/"
                        "imagenet_class_index.json: None -- [Errno -2] Name or service not known")

    monkeypatch.setattr(imagenet_utils, "decode_predictions", offline)
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), np.zeros((64, 64, 3), np.uint8))
    script = load_script(PRETRAINED, "imagenet_pretrained")
    with pytest.raises(SystemExit) as info:
        script.main(["--image", str(image), "--model", "mobilenet_v2", "--weights", "none",
                     "--output", str(tmp_path / "run")])
    one_line_error(capsys, info, "URL fetch failure", "pass --labels imagenet_class_index.json")

# -- bad flags: an argparse error before anything loads ---------------------------
@pytest.mark.parametrize("flag, value", [
    ("--limit", "0"),
    ("--limit", "-3"),
    ("--batch-size", "0"),
    ("--batch-size", "many"),
    ("--seed", "-1"),
    ("--verbose", "9"),
    ("--image", "{tmp}/missing.jpg"),
    ("--resize", "stretch"),
])
def test_a_bad_flag_is_an_argparse_error(tmp_path, capsys, flag, value):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), np.zeros((64, 64, 3), np.uint8))
    script = load_script(PRETRAINED, "imagenet_pretrained")
    value = value.format(tmp=tmp_path)
    source = [] if flag == "--image" else ["--image", str(image)]
    argv = source + [flag, value, "--model", "mobilenet_v2", "--weights", "none"]
    refused_by_argparse(capsys, script.main, argv, tmp_path / "run", flag, value)


# -- real data (skipped without DATASETS_DIR) ---------------------------------------------
def test_real_weights_label_three_pandas(tmp_path, capsys):
    root = datasets_dir()
    weights = root / "weights"
    if not (weights / "mobilenet_v2_1.0_224_imagenet_torchvision.h5").is_file():
        pytest.skip("no MobileNetV2 weights under $DATASETS_DIR/weights")
    pandas = sorted((root / "animals" / "panda").iterdir())[:3]
    script = load_script(PRETRAINED, "imagenet_pretrained")
    argv = [a for p in pandas for a in ("--image", str(p))]
    script.main(argv + ["--model", "mobilenet_v2", "--weights",
                        str(weights / "mobilenet_v2_1.0_224_imagenet_torchvision.h5"),
                        "--labels", str(weights / "imagenet_class_index.json"),
                        "--output", str(tmp_path / "run")])
    top1 = [line for line in capsys.readouterr().out.splitlines() if line.startswith("1. ")]
    assert len(top1) == 3
    assert sum(line.startswith("1. giant_panda: ") for line in top1) >= 2
