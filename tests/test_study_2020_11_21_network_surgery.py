"""2020-11-21 network surgery: inspect_model.py and finetune.py through `main([...])`.

ImageNet weights cannot be downloaded here: the scripts run with
`--weights none` (random weights) and small inputs.
"""

import csv
import json

import numpy as np
import pytest

from conftest import load_script, one_line_error, results, refused_by_argparse

SURGERY = "2020-11-21-network-surgery"


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
                          "--warmup-epochs", "1", "--epochs", "1", "--batch-size", "64",
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



def test_finetune_checks_its_weights_before_writing_into_the_run_folder(tmp_path, flowers,
                                                                        capsys):
    finetune = load_script(SURGERY, "finetune")
    out = tmp_path / "run"
    argv = ["--dataset", str(flowers), "--model", "mobilenet_v2", "--image-size", "32",
            "--warmup-epochs", "1", "--epochs", "1", "--batch-size", "64", "--dense", "8",
            "--output", str(out), "--verbose", "0"]
    with pytest.raises(SystemExit) as info:
        finetune.main([*argv, "--weights", str(tmp_path / "missing.h5")])
    one_line_error(capsys, info, "--weights", "no such file")
    assert not (out / "class_names.json").exists()
    # the corrected command, same --output: accepted
    assert finetune.main([*argv, "--weights", "none"]) == 0
    assert (out / "class_names.json").is_file()



# -- bad flags: an argparse error before anything loads ---------------------------
@pytest.mark.parametrize("script, flag, value", [
    ("finetune", "--epochs", "0"),
    ("finetune", "--batch-size", "-1"),
    ("finetune", "--warmup-epochs", "0"),
    ("finetune", "--warmup-epochs", "2.5"),
    ("finetune", "--dense", "0"),
    ("finetune", "--image-size", "0"),
    ("finetune", "--unfreeze-from", "-1"),
    ("finetune", "--learning-rate", "nan"),
    ("finetune", "--learning-rate", "0"),
    ("finetune", "--warmup-learning-rate", "-0.001"),
    ("finetune", "--warmup-learning-rate", "inf"),
    ("finetune", "--seed", "-1"),
    ("finetune", "--verbose", "3"),
    ("inspect_model", "--image-size", "-5"),
    ("inspect_model", "--include-top", "2"),
    ("inspect_model", "--seed", "x"),
])
def test_a_bad_number_is_an_argparse_error(tmp_path, capsys, script, flag, value):
    module = load_script(SURGERY, script)
    # a data set that does not exist: were the flag let through, the error would name it
    argv = ["--dataset", str(tmp_path / "missing")] if script == "finetune" else []
    refused_by_argparse(capsys, module.main, argv + [flag, value], tmp_path / "run", flag, value)


@pytest.mark.parametrize("script, argv, message", [
    ("finetune", ["--dataset", "{tmp}/missing", "--model", "mobilenet_v2", "--image-size", "16"],
     "--image-size: mobilenet_v2 needs at least 32, got 16"),
    ("finetune", ["--dataset", "{tmp}/missing", "--model", "alexnet"], "unknown network"),
    ("inspect_model", ["--model", "mobilenet_v2", "--include-top", "0", "--image-size", "16"],
     "--image-size: mobilenet_v2 needs at least 32, got 16"),
    ("inspect_model", ["--image-size", "64"], "--image-size only applies with --include-top 0"),
])
def test_flags_that_do_not_fit_the_network_are_one_line(tmp_path, capsys, script, argv, message):
    module = load_script(SURGERY, script)
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as info:
        module.main([a.format(tmp=tmp_path) for a in argv] + ["--output", str(out)])
    one_line_error(capsys, info, message)
    assert not out.exists()
