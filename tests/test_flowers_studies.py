"""Studies 2020-11-16 to 2020-11-21 end to end through `main([...])`, offline and tiny.

ImageNet weights cannot be downloaded here: the scripts run with
`--weights none` (random weights) and small inputs; only the real-data test
at the end loads the genuine MobileNetV2 weights from $DATASETS_DIR.
"""

import csv
import json

import cv2
import h5py
import numpy as np
import pytest

from conftest import datasets_dir, load_script, make_image_folder, one_line_error, results

PRETRAINED = "2020-11-16-pretrained-network"
AUGMENT = "2020-11-17-data-augmentation"
TRANSFER = "2020-11-19-transfer-learning"
SURGERY = "2020-11-21-network-surgery"


@pytest.fixture
def class_index(tmp_path):
    """A 1000-class index in the format of imagenet_class_index.json."""
    path = tmp_path / "index.json"
    path.write_text(json.dumps({str(i): [f"n{i:08d}", f"label_{i}"] for i in range(1000)}))
    return path


@pytest.fixture
def flowers(tmp_path):
    """3 classes x 8 images, like Flowers-17's folders."""
    return make_image_folder(tmp_path / "flowers", per_class=8, size=(40, 56),
                             classes=("Bluebell", "Crocus", "Daisy"))


# -- 2020-11-16: ImageNet classifiers -------------------------------------------------------
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
    recorded = {r["metric"]: float(r["value"]) for r in results()}
    assert set(recorded) == {"top1_label_388", "top5_label_388"}
    assert 0 <= recorded["top1_label_388"] <= recorded["top5_label_388"] <= 1


@pytest.mark.parametrize("argv, messages", [
    (["--model", "alexnet"], ["unknown network 'alexnet'", "vgg16", "mobilenet_v2"]),
    (["--model", "mobilenet_v2", "--weights", "{tmp}/missing.h5"], ["no such file"]),
    (["--model", "mobilenet_v2", "--weights", "none", "--labels", "{tmp}/small.json"],
     ["names 2 classes but the network predicts 1000"]),
    (["--model", "mobilenet_v2", "--weights", "none", "--labels", "{tmp}/index.json",
      "--show"], ["--show needs an OpenCV build with a GUI"]),
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


# -- 2020-11-17: data augmentation ------------------------------------------------------------
def test_augmentation_demo_writes_total_copies(tmp_path):
    image = tmp_path / "jemma.png"
    canvas = np.zeros((48, 64, 3), np.uint8)
    cv2.rectangle(canvas, (10, 8), (40, 30), (0, 200, 255), -1)
    cv2.imwrite(str(image), canvas)
    demo = load_script(AUGMENT, "augmentation_demo")
    out = tmp_path / "augmented"
    assert demo.main(["--image", str(image), "--output", str(out), "--total", "10"]) == 0
    copies = sorted(out.glob("image_*.jpg"))
    assert [p.name for p in copies] == [f"image_{i:03d}.jpg" for i in range(1, 11)]
    pixels = [cv2.imread(str(p)) for p in copies]
    assert all(p.shape == canvas.shape for p in pixels)
    assert len({p.tobytes() for p in pixels}) > 5  # new random parameters each time


@pytest.mark.parametrize("augment", [False, True])
def test_minivggnet_on_flowers_without_and_with_augmentation(tmp_path, flowers, augment):
    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "1", "--image-size", "32", "--output",
            str(out), "--verbose", "0"] + (["--augment"] if augment else [])
    assert train.main(argv) == 0
    assert {"history.json", "training_plot.png", "classification_report.json",
            "model.keras", "class_names.json"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "class_names.json").read_text()) == ["Bluebell", "Crocus", "Daisy"]
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 6  # 25% of 24 images
    row = results()[-1]
    assert row["data"] == ("flowers+augment" if augment else "flowers")
    assert row["value"] == f"{report['accuracy']:.4f}"


def test_minivggnet_on_flowers_beyond_the_diary_recipe(tmp_path, flowers):
    """--schedule cosine, --momentum, --weight-decay and --label-smoothing reach the model."""
    import keras

    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "2", "--batch-size", "4", "--image-size",
            "32", "--output", str(out), "--verbose", "0", "--augment", "--schedule", "cosine",
            "--momentum", "0.9", "--weight-decay", "0.005", "--label-smoothing", "0.1"]
    assert train.main(argv) == 0
    model = keras.saving.load_model(out / "model.keras")
    opt = model.optimizer
    assert opt.momentum == pytest.approx(0.9) and opt.nesterov
    assert opt.weight_decay == pytest.approx(0.005)
    schedule = opt._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert schedule.decay_steps == 2 * 5  # 18 training images in batches of 4, 2 epochs
    # the learning rate has decayed to 0 by the end of the run
    assert float(opt.learning_rate) == pytest.approx(0.0, abs=1e-7)
    assert model.loss.get_config()["label_smoothing"] == pytest.approx(0.1)


def test_minivggnet_on_flowers_with_averaged_weights(tmp_path, flowers, capsys):
    """--ema reaches the optimizer, and the BN statistics are recomputed after fit."""
    import keras

    train = load_script(AUGMENT, "train")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--epochs", "2", "--batch-size", "4", "--image-size",
            "32", "--output", str(out), "--verbose", "0", "--ema", "0.9", "--tta"]
    assert train.main(argv) == 0
    assert "recomputing the batch-norm statistics" in capsys.readouterr().out
    # --tta: a second report, of the mirror-averaged predictions, and its figure
    tta = json.loads((out / "classification_report_tta.json").read_text())
    assert 0.0 <= tta["accuracy"] <= 1.0
    assert [r["metric"] for r in results()[-2:]] == ["accuracy", "accuracy_flip_tta"]
    assert results()[-1]["value"] == f"{tta['accuracy']:.4f}"
    opt = keras.saving.load_model(out / "model.keras").optimizer
    assert opt.use_ema and opt.ema_momentum == pytest.approx(0.9)


def test_minivggnet_on_flowers_shear_reaches_the_augmentation(tmp_path, flowers, monkeypatch):
    import pyimagesearch.preprocessing as preprocessing

    calls = []
    build = preprocessing.build_augmentation

    def recording(**kwargs):
        calls.append(kwargs)
        return build(**kwargs)

    monkeypatch.setattr(preprocessing, "build_augmentation", recording)
    train = load_script(AUGMENT, "train")
    argv = ["--dataset", str(flowers), "--epochs", "1", "--batch-size", "4", "--image-size",
            "32", "--output", str(tmp_path / "run"), "--verbose", "0", "--augment",
            "--shear", "0.0035"]
    assert train.main(argv) == 0
    assert calls == [{"shear": 0.0035, "seed": 42}]
    layer = build(shear=0.0035).get_layer("shear")
    assert layer.x_factor == (-0.0035, 0.0035)


@pytest.mark.parametrize("flag,value,message", [
    ("--momentum", "1.0", "--momentum must be in [0, 1)"),
    ("--weight-decay", "-1", "--weight-decay must be >= 0"),
    ("--label-smoothing", "1", "--label-smoothing must be in [0, 1)"),
    ("--ema", "1", "--ema must be in [0, 1)"),
    ("--shear", "2", "--shear must be in [0, 1]"),
])
def test_minivggnet_on_flowers_bad_recipe_flags(tmp_path, flowers, capsys, flag, value, message):
    train = load_script(AUGMENT, "train")
    with pytest.raises(SystemExit) as info:
        train.main(["--dataset", str(flowers), flag, value, "--output", str(tmp_path / "x")])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


# -- 2020-11-19: transfer learning ---------------------------------------------------------------
def test_extract_train_and_rank(tmp_path, flowers, capsys):
    extract = load_script(TRANSFER, "extract_features")
    db = tmp_path / "features.hdf5"
    argv = ["--dataset", str(flowers), "--output", str(db), "--model", "mobilenet_v2",
            "--weights", "none", "--image-size", "32", "--batch-size", "5",
            "--buffer-size", "7", "--verbose", "0"]
    assert extract.main(argv) == 0
    with h5py.File(db, "r") as f:
        assert f.attrs["complete"] and f.attrs["model"] == "mobilenet_v2"
        assert f["features"].shape == (24, 1 * 1 * 1280) and f["features"].dtype == np.float32
        assert sorted(np.bincount(f["labels"][:]).tolist()) == [8, 8, 8]
        assert f["label_names"].asstr()[...].tolist() == ["Bluebell", "Crocus", "Daisy"]
        first = f["labels"][:].copy()
        features = f["features"][:].copy()
    # the paths were shuffled (seeded): the labels are not in folder order
    assert first.tolist() != sorted(first.tolist())

    # an existing output is refused and left alone; --force replaces it
    before = db.read_bytes()
    with pytest.raises(SystemExit) as info:
        extract.main(argv)
    one_line_error(capsys, info, "already exists", "--force")
    assert db.read_bytes() == before
    extract.main(argv + ["--force"])
    with h5py.File(db, "r") as f:
        np.testing.assert_array_equal(f["labels"][:], first)  # same seed, same order
        np.testing.assert_allclose(f["features"][:], features, rtol=1e-5, atol=1e-6)

    train = load_script(TRANSFER, "train_model")
    model = tmp_path / "model.joblib"
    out = tmp_path / "train"
    assert train.main(["--db", str(db), "--model", str(model), "--jobs", "1",
                       "--output", str(out), "--verbose", "0"]) == 0
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 6 and {"Bluebell", "Crocus", "Daisy"} <= set(report)
    grid = json.loads((out / "grid_search.json").read_text())
    assert set(grid["mean_cv_accuracy"]) == {"0.1", "1.0", "10.0", "100.0", "1000.0", "10000.0"}
    import joblib

    saved = joblib.load(model)
    assert saved["label_names"] == ["Bluebell", "Crocus", "Daisy"]
    assert "multi_class" not in saved["model"].get_params()
    with pytest.raises(SystemExit) as info:
        train.main(["--db", str(db), "--model", str(model), "--output", str(tmp_path / "t2")])
    one_line_error(capsys, info, "already exists")

    rank = load_script(TRANSFER, "rank_accuracy")
    assert rank.main(["--db", str(db), "--model", str(model), "--output",
                      str(tmp_path / "rank"), "--verbose", "0"]) == 0
    ranks = json.loads((tmp_path / "rank" / "rank_accuracy.json").read_text())
    assert ranks["rank1"] == pytest.approx(report["accuracy"])
    assert ranks["rank5"] == 1.0  # 3 classes: always in the top 5
    assert [r["metric"] for r in results()][-3:] == ["accuracy", "rank1", "rank5"]
    assert results()[-1]["data"] == "flowers (mobilenet_v2 features)"


def test_an_incomplete_features_file_is_refused(tmp_path, capsys):
    from pyimagesearch.io import HDF5DatasetWriter

    db = tmp_path / "partial.hdf5"
    writer = HDF5DatasetWriter((10, 4), db, data_key="features")
    writer.storeClassLabels(["a", "b"])
    writer.add(np.ones((4, 4)), [0, 1, 0, 1])
    writer.flush()
    writer.db.close()  # killed before close()
    train = load_script(TRANSFER, "train_model")
    with pytest.raises(SystemExit) as info:
        train.main(["--db", str(db), "--model", str(tmp_path / "m.joblib"),
                    "--output", str(tmp_path / "run")])
    one_line_error(capsys, info, "incomplete")
    assert not (tmp_path / "m.joblib").exists()


# -- 2020-11-21: network surgery -------------------------------------------------------------------
def test_inspect_model_lists_layers_and_drops_the_head(tmp_path, capsys):
    inspect = load_script(SURGERY, "inspect_model")
    counts = {}
    for top in ("1", "0"):
        out = tmp_path / f"top{top}"
        inspect.main(["--model", "mobilenet_v2", "--include-top", top, "--weights", "none",
                      "--output", str(out)])
        printed = [line for line in capsys.readouterr().out.splitlines()
                   if line.startswith("[INFO] ") and "\t" in line]
        rows = list(csv.DictReader(open(out / "layers.csv")))
        assert len(rows) == len(printed)
        assert printed[0].startswith("[INFO] 0\t") and "InputLayer" in printed[0]
        counts[top] = rows
    assert len(counts["0"]) < len(counts["1"])
    assert counts["1"][-1]["name"] == "predictions"
    assert "predictions" not in {r["name"] for r in counts["0"]}
    marked = [r for r in counts["0"] if r["name"] == "block_13_expand"]
    assert marked and marked[0]["index"] == "116"


def test_finetune_unfreezes_layers_between_phases(tmp_path, flowers):
    # the book's VGG16 (random weights, 32x32): cheap to trace, same surgery
    finetune = load_script(SURGERY, "finetune")
    out = tmp_path / "run"
    assert finetune.main(["--dataset", str(flowers), "--weights", "none", "--image-size", "32",
                          "--warmup-epochs", "1", "--epochs", "1", "--batch-size", "8",
                          "--dense", "16", "--output", str(out), "--verbose", "0"]) == 0
    phases = json.loads((out / "phases.json").read_text())["phases"]
    warmup, tuned = phases
    # the diary's warm-up learning rate for VGG; 10x smaller for wider feature maps
    assert warmup["learning_rate"] == pytest.approx(1e-3)
    assert finetune.warmup_learning_rate("mobilenet_v2") == pytest.approx(1e-4)
    assert finetune.warmup_learning_rate("resnet50") == pytest.approx(1e-4)
    # warm-up: only the head (Dense 512->16 and 16->3) trains
    assert warmup["trainable_params"] == 512 * 16 + 16 + 16 * 3 + 3
    assert warmup["trainable_layers"] == ["head_fc", "head_predictions_dense"]
    # fine-tuning: block5 (layers 15.. of VGG16) trains too: 3 convs of 3x3x512x512
    assert tuned["unfreeze_from"] == 15 and tuned["unfreeze_layer"] == "block5_conv1"
    conv = 3 * 3 * 512 * 512 + 512
    assert tuned["trainable_params"] == warmup["trainable_params"] + 3 * conv
    assert tuned["trainable_layers"] == ["block5_conv1", "block5_conv2", "block5_conv3",
                                         "head_fc", "head_predictions_dense"]
    files = {p.name for p in out.iterdir()}
    assert {"classification_report_warmup.json", "classification_report.json",
            "training_plot_warmup.png", "training_plot.png", "history_warmup.json",
            "history.json", "model.keras", "class_names.json"} <= files
    assert len(json.loads((out / "history_warmup.json").read_text())["loss"]) == 1
    assert "val_accuracy" in json.loads((out / "history.json").read_text())
    metrics = [r["metric"] for r in results()]
    assert metrics[-2:] == ["warmup_accuracy", "accuracy"]
    assert results()[-1]["data"] == "flowers (vgg16)"


def test_finetune_keeps_batch_norm_frozen():
    import keras

    from pyimagesearch.nn import backbones

    finetune = load_script(SURGERY, "finetune")
    base = backbones.build_backbone("mobilenet_v2", weights=None, include_top=False,
                                    input_shape=(32, 32, 3))
    for layer in base.layers:
        layer.trainable = False
    start = backbones.unfreeze_index("mobilenet_v2", base)
    names = finetune.unfreeze(base, start)
    assert start == 116 and names[0] == "block_13_expand"
    assert "block_12_expand" not in names and "Conv_1" in names
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            assert not layer.trainable and layer.name not in names
        elif layer.weights:
            assert layer.trainable == (base.layers.index(layer) >= start)
    # a frozen BN layer normalises with its moving statistics even in training mode
    bn = base.get_layer("block_13_expand_BN")
    x = np.random.default_rng(0).normal(3.0, 2.0, (4, *bn.input.shape[1:])).astype("float32")
    np.testing.assert_allclose(bn(x, training=True), bn(x, training=False), rtol=1e-5)


def test_finetune_refuses_an_index_past_the_last_layer(tmp_path, flowers, capsys):
    finetune = load_script(SURGERY, "finetune")
    with pytest.raises(SystemExit) as info:
        finetune.main(["--dataset", str(flowers), "--model", "mobilenet_v2", "--weights",
                       "none", "--image-size", "32", "--unfreeze-from", "999",
                       "--output", str(tmp_path / "run"), "--verbose", "0"])
    one_line_error(capsys, info, "--unfreeze-from 999", "inspect_model.py")


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
