"""experiments/reproduce.py: the whole diary on generated data, resumed after a kill; its tables."""

import csv
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from pyimagesearch.harness import reproduce

SCRIPT = ROOT / "experiments" / "reproduce.py"
DIARY = ROOT / "experiments" / "diary.toml"


# `reproduce.py args` with every run in this one process (one import of TensorFlow, not
# one per run); the runs as subprocesses are tested by the kill-and-resume test below
IN_ONE_PROCESS = r'''
import os, sys
from inprocess import run_script
from pyimagesearch.harness import reproduce

def run_command(argv, log, cwd):  # the run's output into its log, as a subprocess's would go
    saved = [os.dup(1), os.dup(2)]
    sys.stdout.flush(), sys.stderr.flush(), log.flush()
    os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)
    try:
        return run_script(argv[1:])
    finally:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        os.close(saved[0]), os.close(saved[1])

reproduce.run_command = run_command
sys.exit(run_script(sys.argv[1:]))
'''


def run_reproduce(tmp_path, *args, one_process=False, **env):
    """`reproduce.py args` as a user runs it (or its runs in one process), outputs in `tmp_path`."""
    environ = {k: v for k, v in os.environ.items() if k != "PYIMAGESEARCH_FAULT"}
    environ.update(PYIMAGESEARCH_OUTPUTS=str(tmp_path / "outputs"), **env)
    command = [sys.executable, str(SCRIPT), *args]
    if one_process:
        environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
        command[1:1] = ["-c", IN_ONE_PROCESS]
    return subprocess.run(command, env=environ, cwd=ROOT, capture_output=True, text=True,
                          timeout=1200)


def table_rows(markdown):
    """The body rows of the first Markdown table in `markdown`, as lists of cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def ledger_rows(tmp_path):
    with open(tmp_path / "outputs" / "results.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_quick_runs_every_study_then_reuses_them(tmp_path):
    done = run_reproduce(tmp_path, "--quick", one_process=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    studies = reproduce.selected(reproduce.load_diary(DIARY), quick=True)
    runs = [(s["folder"], r["name"]) for s in studies for r in s["run"]]
    assert len(runs) >= 15 and len({s for s, _ in runs}) == 12  # every study of the diary
    for study, run in runs:
        assert f"{study}/{run}: running" in done.stdout
    # one row per compared run, written from the ledger
    folder = tmp_path / "outputs" / "reproduction"
    compared = [(s["folder"], r["name"]) for s in studies for r in s["run"] if "metric" in r]
    rows = table_rows((folder / "REPRODUCTION.md").read_text())
    assert [(row[0], row[1]) for row in rows] == compared
    for row in rows:
        assert float(row[4]) >= 0 and row[9].startswith("outputs/reproduction/quick/")
    page = (folder / "REPRODUCTION.html").read_text()
    assert page.count("<tr>") == len(compared) + 1
    assert page.count('src="data:image/png;base64,') >= 8  # the curves, inlined: viewable offline
    before = ledger_rows(tmp_path)

    # the same command again: every run is reused, nothing trains
    again = run_reproduce(tmp_path, "--quick")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert again.stdout.count("finished before, reused") == len(runs)
    assert "running" not in again.stdout
    assert ledger_rows(tmp_path) == before
    assert table_rows((folder / "REPRODUCTION.md").read_text()) == rows


QUICK_DIARY = """
[[study]]
folder = "2020-11-10-shallownet"
data = "animals"

[[study.run]]
name = "one-epoch"
script = "train.py"
args = ["--dataset", "{data}", "--verbose", "2"]
quick = ["--epochs", "1"]
metric = "accuracy"
diary = "~0.70"
diary_value = 0.70

[[study]]
folder = "2020-11-11-lenet"
data = "mnist"

[[study.run]]
name = "three-epochs"
script = "train.py"
args = ["--dataset", "{data}/mnist.npz", "--verbose", "2"]
quick = ["--epochs", "3", "--batch-size", "8"]
metric = "accuracy"
diary = "~0.98"
diary_value = 0.98
"""


def test_a_killed_run_resumes_at_its_next_epoch(tmp_path):
    diary = tmp_path / "diary.toml"
    diary.write_text(QUICK_DIARY)
    # every run is killed once its second epoch is written: LeNet's (3 epochs) is
    killed = run_reproduce(tmp_path, "--quick", "--diary", str(diary),
                           PYIMAGESEARCH_FAULT="epoch_end@2")
    assert killed.returncode == 1
    assert "[FAIL] 2020-11-11-lenet/three-epochs" in killed.stdout
    assert "2020-11-10-shallownet/one-epoch" not in killed.stdout.split("[FAIL]")[-1]
    run = tmp_path / "outputs" / "reproduction" / "quick" / "2020-11-11-lenet" / "three-epochs"
    assert (run / ".run-incomplete").exists()

    resumed = run_reproduce(tmp_path, "--quick", "--diary", str(diary))
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "2020-11-10-shallownet/one-epoch: finished before, reused" in resumed.stdout
    log = (run.parent / "three-epochs.log").read_text()
    assert "continuing in it" in log  # the same folder, at its backup
    first, second = log.split("continuing in it")
    assert "Epoch 2/3" in first and "Epoch 3/3" not in first  # killed once epoch 2 was written
    assert "Epoch 3/3" in second and "Epoch 1/3" not in second and "Epoch 2/3" not in second
    history = (run / "history.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in history[1:]] == ["1", "2", "3"]  # each epoch once
    finished = [r for r in ledger_rows(tmp_path) if r["run"] == str(run)]
    assert [r["status"] for r in finished] == ["finished"]
    rows = table_rows((tmp_path / "outputs" / "reproduction" / "REPRODUCTION.md").read_text())
    assert [row[:2] for row in rows] == [["2020-11-10-shallownet", "one-epoch"],
                                         ["2020-11-11-lenet", "three-epochs"]]


def test_a_study_without_its_data_is_skipped_with_the_command_that_gets_it(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_reproduce(tmp_path, "--studies", "2020-11-10-shallownet",
                         DATASETS_DIR=str(tmp_path / "empty"))
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("[SKIP]")]
    assert "2020-11-10-shallownet" in line and "prepare animals" in line
    assert table_rows((tmp_path / "outputs" / "reproduction" / "REPRODUCTION.md").read_text()
                      ) == []


@pytest.mark.parametrize("args, expected", [
    (["--studies", "2020-13-01-nothing"], "unknown studies ['2020-13-01-nothing']"),
    (["--recipe", "slow"], "invalid choice: 'slow'"),
    (["--diary", "no-such.toml"], "no-such.toml"),
])
def test_bad_arguments_are_one_line(tmp_path, args, expected):
    done = run_reproduce(tmp_path, *args)
    assert done.returncode == 2
    assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_fast_recipe_replaces_the_diary_settings_of_a_study_that_has_one():
    studies = {s["folder"]: s for s in reproduce.load_diary(DIARY)}
    fast = reproduce.selected(list(studies.values()), recipe="fast")
    googlenet = next(s for s in fast if s["folder"] == "2020-12-06-minigooglenet")
    assert [r["name"] for r in googlenet["run"]] == ["lr5e-3-p2"]
    command = reproduce.command(googlenet, googlenet["run"][0], "fast", quick=False)
    assert command[command.index("--recipe") + 1] == "fast" and "--learning-rate" not in command
    diary = reproduce.selected(list(studies.values()), recipe="diary")
    assert len(next(s for s in diary if s["folder"] == "2020-12-06-minigooglenet")["run"]) == 3


ROWS = [{"study": "2020-11-10-shallownet", "run": "diary", "measures": "test accuracy",
         "diary": "~0.70", "measured": "0.6787", "difference": "-0.0213",
         "recipe": "the script's defaults",
         "data": "animals subset (train 2250, test 750)", "seconds": "60.0",
         "run folder": "outputs/reproduction/diary/2020-11-10-shallownet/diary",
         "commit": "abc123"}]


def test_update_readmes_rewrites_only_the_marked_tables(tmp_path):
    start, end = reproduce.MARKS["studies"]
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{start}\n| old | table |\n{end}\nafter\n")
    study = tmp_path / "study.md"
    s_start, s_end = reproduce.MARKS["study"]
    study.write_text(f"## Measured here\n{s_start}\nstale figure\n{s_end}\n\nkept\n")
    untouched = tmp_path / "other.md"
    untouched.write_text("no markers here\n")
    written = reproduce.update_readmes(ROWS, readme=readme, study_readmes={
        "2020-11-10-shallownet": study, "2020-11-11-lenet": untouched})
    assert written == [readme, study]
    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n") and text.endswith(f"{end}\nafter\n")
    assert "| old | table |" not in text
    body = table_rows(text.split(start)[1])
    assert body == [["[2020-11-10-shallownet](experiments/2020-11-10-shallownet/)", "diary",
                     "test accuracy", "~0.70", "0.6787", "-0.0213", "the script's defaults",
                     "animals subset (train 2250, test 750)", "60.0"]]
    assert "0.6787" in study.read_text() and study.read_text().endswith(f"{s_end}\n\nkept\n")
    assert "stale figure" not in study.read_text()
    assert untouched.read_text() == "no markers here\n"
    # once more: the same text (the markers stay, nothing accumulates)
    reproduce.update_readmes(ROWS, readme=readme, study_readmes={})
    assert readme.read_text() == text


def test_replace_marked_refuses_text_without_both_markers():
    with pytest.raises(ValueError, match="no <!-- reproduction:start -->"):
        reproduce.replace_marked("only <!-- reproduction:start --> here",
                                 reproduce.MARKS["study"], "| a |")


def test_the_recipe_column_names_no_folder_of_this_machine(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("DATASETS_DIR", str(data))
    project = reproduce.files.project_root().absolute()
    recipe = (f"--images {data}/animals/panda --weights {data}/weights/w.h5 "
              f"--db {project}/outputs/reproduction/fast/s/features/features.hdf5 --jobs 1")
    assert reproduce.files.portable(recipe) == (
        "--images $DATASETS_DIR/animals/panda --weights $DATASETS_DIR/weights/w.h5 "
        "--db outputs/reproduction/fast/s/features/features.hdf5 --jobs 1")
    assert reproduce.files.portable("--recipe fast") == "--recipe fast"
