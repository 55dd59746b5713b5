"""2020-11-11 LeNet: train.py through `main([...])` on tiny data, 1-2 epochs."""

import json

import pytest

from conftest import check_run, load_script, one_line_error, results, refused_by_argparse

LENET = "2020-11-11-lenet"


def test_lenet_on_bundled_digits(tmp_path):
    lenet = load_script(LENET, "train")
    out = tmp_path / "run"
    assert lenet.main(["--dataset", "digits", "--epochs", "1", "--batch-size", "32",
                       "--momentum", "0.9", "--output", str(out), "--verbose", "0"]) == 0
    report = check_run(out)
    assert report["accuracy"] > 0.3  # one epoch already learns something
    assert [str(d) for d in range(10)] <= list(report)
    row = results()[-1]
    assert (row["study"], row["data"], row["metric"]) == ("2020-11-11-lenet", "digits", "accuracy")


def test_lenet_on_a_mnist_npz(tmp_path, tiny_mnist):
    lenet = load_script(LENET, "train")
    out = tmp_path / "run"
    lenet.main(["--dataset", str(tiny_mnist), "--epochs", "2", "--batch-size", "8",
                "--momentum", "0.9", "--nesterov", "--output", str(out), "--verbose", "0"])
    check_run(out, epochs=2)
    import keras

    model = keras.saving.load_model(out / "model.keras")
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)


def test_lenet_mnist_name_uses_the_local_copy(tmp_path, tiny_mnist, monkeypatch):
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    tiny_mnist.rename(tmp_path / "data" / "mnist" / "mnist.npz")
    monkeypatch.setenv("DATASETS_DIR", str(tmp_path / "data"))
    lenet = load_script(LENET, "train")
    lenet.main(["--epochs", "1", "--output", str(tmp_path / "run"), "--verbose", "0"])
    args = json.loads((tmp_path / "run" / "args.json").read_text())
    assert args["args"]["dataset"] == "mnist"


# -- bad input: one line on stderr, exit 2, nothing damaged ----------------------
@pytest.mark.parametrize("dataset, message", [
    ("fashion", "unknown data set"),
    ("{tmp}/notes.npz", "not a readable .npz"),
])
def test_a_bad_data_set_is_one_line_and_exit_2(dataset, message, tmp_path, capsys,
                                                no_datasets_dir):
    (tmp_path / "notes.npz").write_text("not numpy")
    lenet = load_script(LENET, "train")
    with pytest.raises(SystemExit) as info:
        lenet.main(["--dataset", dataset.format(tmp=tmp_path),
                    "--output", str(tmp_path / "out")])
    one_line_error(capsys, info, message)


def test_existing_output_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.keras").write_bytes(b"an earlier model")
    lenet = load_script(LENET, "train")
    with pytest.raises(SystemExit) as info:
        lenet.main(["--dataset", "digits", "--output", str(out)])
    assert info.value.code == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["model.keras"]
    assert (out / "model.keras").read_bytes() == b"an earlier model"


@pytest.mark.parametrize("flag, value", [
    ("--epochs", "0"),
    ("--batch-size", "-1"),
    ("--learning-rate", "nan"),
    ("--learning-rate", "0"),
    ("--momentum", "-5"),
    ("--momentum", "1"),
    ("--momentum", "nan"),
    ("--seed", "-1"),
    ("--verbose", "3"),
])
def test_a_bad_number_is_an_argparse_error(tmp_path, capsys, flag, value):
    lenet = load_script(LENET, "train")
    # a data set that does not exist: were the flag let through, the error would name it
    argv = ["--dataset", str(tmp_path / "missing.npz"), flag, value]
    refused_by_argparse(capsys, lenet.main, argv, tmp_path / "run", flag, value)
