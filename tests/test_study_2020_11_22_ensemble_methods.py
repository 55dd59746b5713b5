"""experiments/2020-11-22-ensemble-methods: train_models.py and test_ensemble.py on tiny data."""

import csv
import json
import shutil

import cv2
import numpy as np
import pytest

from conftest import ROOT, load_script, one_line_error
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES

STUDY = "2020-11-22-ensemble-methods"
FOLDER = ROOT / "experiments" / STUDY
MEMBER_FILES = {"args.json", "class_names.json", "classification_report.txt",
                "classification_report.json", "history.json", "history.csv",
                "training_plot.png", "results.csv", "model.keras",
                "classification_report_confusion.png", "test_predictions.png"}


def make_tiny_cifar(root, classes=CIFAR10_CLASSES[:4], per_class=4, seed=0):
    """`root/{train,test}/<class>/<n>.png`: 16 images of 32x32 per split."""
    rng = np.random.default_rng(seed)
    for split in ("train", "test"):
        for c, name in enumerate(classes):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                image = rng.integers(0, 80, (32, 32, 3), dtype=np.uint8)
                image[..., c % 3] += np.uint8(120)  # a colour per class
                cv2.imwrite(str(folder / f"{i:03d}.png"), image)
    return root


def train_argv(data, out, *extra):
    return ["--dataset", str(data), "--num-models", "2", "--epochs", "1", "--batch-size", "64",
            "--verbose", "0", "--output", str(out), *extra]


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory):
    """One ensemble of 2 members (1 epoch each), trained once for the tests below."""
    root = tmp_path_factory.mktemp("ensemble")
    data = make_tiny_cifar(root / "cifar10")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYIMAGESEARCH_OUTPUTS", str(root / "outputs"))
        mp.syspath_prepend(str(FOLDER))
        module = load_script(STUDY, "train_models")
        assert module.main(train_argv(data, root / "run")) == 0
    return data, root / "run"


@pytest.fixture(autouse=True)
def _study_folder_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(FOLDER))  # as when the script runs from its folder


def member_rows(folder):
    with open(folder / "results.csv") as f:
        return list(csv.DictReader(f))


def test_every_member_keeps_its_model_report_plot_and_row(ensemble_run):
    _, run = ensemble_run
    for index in (0, 1):
        member = run / "members" / str(index)
        names = {p.name for p in member.iterdir()}
        assert names == MEMBER_FILES  # no temporary file left behind
        args = json.loads((member / "args.json").read_text())["args"]
        assert (args["seed"], args["member"]) == (42 + index, index)
        assert json.loads((member / "class_names.json").read_text()) == CIFAR10_CLASSES
        rows = member_rows(member)
        report = json.loads((member / "classification_report.json").read_text())
        assert len(rows) == 1 and rows[0]["data"] == f"cifar10 member {index}"
        assert rows[0]["value"] == f"{report['accuracy']:.4f}"
    summary = json.loads((run / "members.json").read_text())
    assert sorted(summary) == ["0", "1"]


def test_members_differ(ensemble_run):
    import keras

    _, run = ensemble_run
    models = [keras.saving.load_model(run / "members" / str(i) / "model.keras") for i in (0, 1)]
    first = [w.numpy() for w in models[0].weights]
    second = [w.numpy() for w in models[1].weights]
    kernel = models[0].get_layer("block1_conv1").kernel.numpy()
    assert not np.allclose(kernel, models[1].get_layer("block1_conv1").kernel.numpy())
    assert any(not np.allclose(a, b) for a, b in zip(first, second))


def test_ensemble_average_is_the_mean_of_the_members_probabilities(ensemble_run, tmp_path):
    import keras

    from pyimagesearch.datasets.cifar10 import load_cifar10

    ensemble = load_script(STUDY, "config")

    data, run = ensemble_run
    out = tmp_path / "test"
    module = load_script(STUDY, "test_ensemble")
    assert module.main(["--dataset", str(data), "--models", str(run), "--verbose", "0",
                        "--output", str(out)]) == 0
    assert {"confusion_matrix.png", "accuracy_by_members.png", "members.json",
            "classification_report.txt"} <= {p.name for p in out.iterdir()}
    assert cv2.imread(str(out / "accuracy_by_members.png")) is not None

    # the same average, computed here member by member
    _, (test_x, test_y) = load_cifar10(data, verbose=0)
    x = test_x.astype("float32") / 255.0
    probabilities = [keras.saving.load_model(run / "members" / str(i) / "model.keras")
                     .predict(x, verbose=0) for i in (0, 1)]
    mean = (probabilities[0] + probabilities[1]) / 2
    np.testing.assert_allclose(ensemble.average(np.stack(probabilities)), mean, rtol=1e-6)
    summary = json.loads((out / "members.json").read_text())
    accuracies = [float((p.argmax(1) == test_y).mean()) for p in probabilities]
    assert summary["members"] == {"0": accuracies[0], "1": accuracies[1]}
    ensemble_accuracy = float((mean.argmax(1) == test_y).mean())
    assert summary["ensemble_accuracy"] == pytest.approx(ensemble_accuracy)
    assert summary["ensemble_accuracy_by_members"] == pytest.approx(
        {"1": accuracies[0], "2": ensemble_accuracy})
    rows = member_rows(out)
    assert [r["data"] for r in rows] == ["cifar10 member 0", "cifar10 member 1",
                                         "cifar10 ensemble of 2"]


def test_accuracy_by_size_averages_the_first_k_members():
    ensemble = load_script(STUDY, "config")

    probabilities = np.array([[[0.6, 0.4], [0.6, 0.4]],     # member 0: class 0 twice
                              [[0.0, 1.0], [0.2, 0.8]],     # member 1: class 1 twice
                              [[0.0, 1.0], [1.0, 0.0]]])
    labels = np.array([1, 0])
    assert ensemble.accuracy_by_size(probabilities, labels) == [0.5, 0.5, 1.0]
    np.testing.assert_allclose(ensemble.average(probabilities), probabilities.mean(axis=0))
    with pytest.raises(ValueError, match="members, samples, classes"):
        ensemble.average(np.zeros((0, 2, 2)))


def test_rerun_after_an_interruption_skips_finished_members(ensemble_run, tmp_path, capsys):
    data, finished = ensemble_run
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    # what a kill while member 1 was saving leaves: everything but its model,
    # and a half-written temporary file
    member1 = run / "members" / "1"
    (member1 / "model.keras").rename(member1 / ".model.tmp.keras")
    (member1 / ".model.tmp.keras").write_bytes(b"half a model")
    model0 = run / "members" / "0" / "model.keras"
    before = (model0.read_bytes(), model0.stat().st_mtime_ns)

    module = load_script(STUDY, "train_models")
    trained = []
    original = module.train_member
    module.train_member = lambda args, index, *rest: trained.append(index) or original(
        args, index, *rest)
    assert module.main(train_argv(data, run)) == 0
    out = capsys.readouterr().out
    assert trained == [1]
    assert "member 0 already finished" in out and "member 1 did not finish" in out
    assert (model0.read_bytes(), model0.stat().st_mtime_ns) == before
    assert {p.name for p in member1.iterdir()} == MEMBER_FILES
    assert len(member_rows(member1)) == 1

    # once every member is finished, the same command trains nothing
    trained.clear()
    assert module.main(train_argv(data, run)) == 0
    assert trained == []


def test_rerun_with_other_settings_is_refused(ensemble_run, tmp_path, capsys):
    data, finished = ensemble_run
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    module = load_script(STUDY, "train_models")
    with pytest.raises(SystemExit) as info:
        module.main(train_argv(data, run, "--learning-rate", "0.05"))
    one_line_error(capsys, info, "other settings", "--learning-rate 0.01 there, 0.05 now")
    # a non-empty folder that is no ensemble run is not written to either
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit) as info:
        module.main(train_argv(data, other))
    one_line_error(capsys, info, "not empty")


def test_test_ensemble_needs_members_that_agree(ensemble_run, tmp_path, capsys):
    data, finished = ensemble_run
    module = load_script(STUDY, "test_ensemble")
    argv = ["--dataset", str(data), "--verbose", "0", "--models"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SystemExit) as info:
        module.main([*argv, str(empty)])
    one_line_error(capsys, info, "holds no finished member")

    run = tmp_path / "run"
    shutil.copytree(finished, run)
    names = run / "members" / "1" / "class_names.json"
    names.write_text(json.dumps(CIFAR10_CLASSES[::-1]))
    with pytest.raises(SystemExit) as info:
        module.main([*argv, str(run)])
    one_line_error(capsys, info, "members 0 and 1 have different class lists")


def test_fast_recipe_trains_every_member_with_minivggnets_fast_recipe(tmp_path, capsys):
    data = make_tiny_cifar(tmp_path / "cifar10")
    module = load_script(STUDY, "train_models")
    out = tmp_path / "fast"
    # 2 epochs of 2 batches: one warm-up epoch to the peak 0.02, then a cosine to 0
    assert module.main(train_argv(data, out, "--recipe", "fast", "--epochs", "2")) == 0
    for index in (0, 1):
        member = out / "members" / str(index)
        saved = json.loads((member / "args.json").read_text())["args"]
        assert saved["recipe"] == "fast" and saved["learning_rate"] == 0.02
        assert saved["decay"] is None
        rates = json.loads((member / "history.json").read_text())["learning_rate"]
        assert rates[0] == pytest.approx(0.02, rel=1e-5) and rates[1] == pytest.approx(0, abs=1e-7)
    assert json.loads((out / "args.json").read_text())["args"]["epochs"] == 2
    # the diary's decay has no meaning in the fast recipe; nor another recipe in this folder
    with pytest.raises(SystemExit) as info:
        module.main(train_argv(data, tmp_path / "other", "--recipe", "fast", "--decay", "0.1"))
    one_line_error(capsys, info, "--decay is for --recipe diary")
    with pytest.raises(SystemExit) as info:
        module.main(train_argv(data, out, "--epochs", "2"))
    one_line_error(capsys, info, "other settings", "--recipe fast there, diary now")
