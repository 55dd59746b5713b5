import csv
import json
from argparse import Namespace

import numpy as np
import pytest

from pyimagesearch import harness
from pyimagesearch.errors import DatasetError, OutputExistsError, PyImageSearchError


def args_for(**kw):
    base = dict(seed=1, verbose=0, deterministic=False, mixed_precision=False, output=None)
    base.update(kw)
    return Namespace(**base)


def test_resolve_dataset_path_name_and_builtin(tmp_path, monkeypatch):
    (tmp_path / "animals").mkdir()
    monkeypatch.setenv("DATASETS_DIR", str(tmp_path))
    assert harness.resolve_dataset(str(tmp_path / "animals")) == tmp_path / "animals"
    assert harness.resolve_dataset("animals") == tmp_path / "animals"
    assert harness.resolve_dataset("digits", builtin=("digits",)) == "digits"
    # a local copy of a built-in name wins over the download
    (tmp_path / "mnist").mkdir()
    assert harness.resolve_dataset("mnist", builtin=("mnist",)) == tmp_path / "mnist"


def test_resolve_dataset_errors(no_datasets_dir, tmp_path):
    with pytest.raises(DatasetError, match="unknown data set"):
        harness.resolve_dataset("flowers99", builtin=("digits",))
    with pytest.raises(DatasetError, match="no such file or folder"):
        harness.resolve_dataset(str(tmp_path / "missing" / "dir"))
    with pytest.raises(DatasetError, match="empty"):
        harness.resolve_dataset("")


def test_datasets_root_defaults_to_repo_datasets(monkeypatch):
    monkeypatch.delenv("DATASETS_DIR", raising=False)
    assert harness.datasets_root() == harness.project_root() / "datasets"


def test_parser_defaults_and_validation():
    parser = harness.study_parser("doc", epochs=7, batch_size=16, dataset="digits")
    args = parser.parse_args([])
    assert (args.epochs, args.batch_size, args.dataset, args.seed) == (7, 16, "digits", 42)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--epochs", "0"])
    assert info.value.code == 2
    # a predicting script has no training arguments
    assert not hasattr(harness.study_parser("doc", dataset=False).parse_args([]), "epochs")


def test_runs_get_distinct_folders_and_write_args(tmp_path, monkeypatch):
    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp_path / "out"))
    with harness.Run("study-x", args_for()) as first:
        pass
    with harness.Run("study-x", args_for()) as second:
        pass
    assert first.output_dir != second.output_dir
    assert first.output_dir.parent == tmp_path / "out" / "study-x"
    saved = json.loads((first.output_dir / "args.json").read_text())
    assert saved["study"] == "study-x" and saved["args"]["seed"] == 1
    assert saved["versions"]["keras"].startswith("3.")


def test_output_folder_that_holds_files_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.keras").write_text("precious")
    with pytest.raises(OutputExistsError, match="not empty"):
        harness.Run("s", args_for(output=str(out)))
    assert (out / "model.keras").read_text() == "precious"


def test_files_are_never_overwritten(tmp_path):
    with harness.Run("s", args_for(output=str(tmp_path / "r"))) as run:
        run.save("a.json", {"x": 1})
        with pytest.raises(OutputExistsError):
            run.save("a.json", {"x": 2})
    assert json.loads((tmp_path / "r" / "a.json").read_text()) == {"x": 1}


def test_history_report_and_results(tmp_path, monkeypatch):
    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp_path / "out"))
    with harness.Run("s", args_for(output=str(tmp_path / "r"))) as run:
        run.save_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.8],
                          "accuracy": [0.4, 0.7], "val_accuracy": [0.3, 0.6]})
        table = run.save_report([0, 1, 1, 2], [0, 1, 0, 2], ["a", "b", "c"])
        run.record("toy", "accuracy", table["accuracy"])
        run.record("toy", "accuracy", 0.5)
    r = tmp_path / "r"
    assert json.loads((r / "history.json").read_text())["val_loss"] == [1.2, 0.8]
    rows = list(csv.reader((r / "history.csv").open()))
    assert rows[0] == ["epoch", "loss", "val_loss", "accuracy", "val_accuracy"]
    assert rows[2] == ["2", "0.5", "0.8", "0.7", "0.6"]
    assert (r / "training_plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "b" in (r / "classification_report.txt").read_text()
    report = json.loads((r / "classification_report.json").read_text())
    assert report["accuracy"] == pytest.approx(0.75)
    assert report["c"]["recall"] == 1.0
    results = list(csv.DictReader((tmp_path / "out" / "results.csv").open()))
    assert [row["value"] for row in results] == ["0.7500", "0.5000"]
    assert set(results[0]) == set(harness.RESULTS_COLUMNS)
    assert results[0]["study"] == "s" and results[0]["data"] == "toy"


def test_save_model_never_leaves_half_a_model_under_the_final_name(tmp_path):
    from pyimagesearch.nn.conv import ShallowNet

    model = ShallowNet.build(8, 8, 3, 3)

    class Killed(Exception):
        pass

    def killed_while_saving(path, *args, **kwargs):
        open(path, "wb").write(b"half a model")  # what a kill leaves behind
        raise Killed

    with harness.Run("s", args_for(output=str(tmp_path / "r"))) as run:
        saved = run.save_model(model)
        assert {p.name for p in run.output_dir.iterdir()} - {".run-incomplete"} == {"args.json", "model.keras"}
        model.save = killed_while_saving
        with pytest.raises(Killed):
            run.save_model(model, name="second.keras")
    assert not (tmp_path / "r" / "second.keras").exists()
    import keras

    assert keras.saving.load_model(saved).name == model.name


def test_seeding_repeats_weights(tmp_path):
    from pyimagesearch.nn.conv import ShallowNet

    def initial_weights(folder):
        with harness.Run("s", args_for(seed=3, output=str(tmp_path / folder))):
            return ShallowNet.build(8, 8, 3, 3).get_layer("conv1").get_weights()[0]

    np.testing.assert_array_equal(initial_weights("a"), initial_weights("b"))


def test_mixed_precision_picks_the_device_policy_and_is_restored(tmp_path):
    import keras
    import tensorflow as tf

    expected = "mixed_float16" if tf.config.list_physical_devices("GPU") else "mixed_bfloat16"
    with harness.Run("s", args_for(mixed_precision=True, output=str(tmp_path / "r"))) as run:
        assert keras.config.dtype_policy().name == expected == run.precision
    assert keras.config.dtype_policy().name == "float32"
    assert json.loads((tmp_path / "r" / "args.json").read_text())["precision"] == expected
    # --precision names the policy explicitly
    with harness.Run("s", args_for(precision="mixed_float16", output=str(tmp_path / "p"))):
        assert keras.config.dtype_policy().name == "mixed_float16"
    assert keras.config.dtype_policy().name == "float32"


def test_mixed_precision_and_precision_exclude_each_other(capsys):
    parser = harness.study_parser("doc", epochs=1, batch_size=2, dataset=False)
    assert parser.parse_args(["--precision", "mixed_bfloat16"]).precision == "mixed_bfloat16"
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--mixed-precision", "--precision", "float32"])
    assert info.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_entrypoint_turns_user_errors_into_exit_2(capsys):
    @harness.entrypoint
    def main(argv=None):
        raise DatasetError("image folder x does not exist\n(second line)")

    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: image folder x does not exist (second line)\n"
    assert issubclass(DatasetError, PyImageSearchError)
