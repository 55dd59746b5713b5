"""The package as pip sees it (pyproject.toml), and `--config RUN/args.json`.

The wheel is built offline from a copy of the checkout (`pip wheel
--no-deps --no-build-isolation`: the venv's own setuptools), and its
metadata checked: one version, Python >= 3.11, the dependencies of
requirements.txt, the extras and the console scripts.
"""

import email.parser
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import ROOT

from pyimagesearch.harness.cli import recipe
from pyimagesearch.harness.cli import study_parser

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_names(lines):
    names = []
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(re.match(r"[A-Za-z0-9_.\-]+", line).group(0).lower().replace("_", "-"))
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from a copy of the checkout (the tree itself gets no build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    source.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "pyimagesearch", source / "pyimagesearch",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                          "--no-build-isolation", "--no-index", "-q", "-w", str(tmp / "dist"),
                          str(source)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    (path,) = (tmp / "dist").glob("pyimagesearch-*.whl")
    return path


def wheel_file(wheel, suffix):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode()


def test_one_version_python_3_11_and_the_requirements(wheel):
    import pyimagesearch

    meta = email.parser.Parser().parsestr(wheel_file(wheel, ".dist-info/METADATA"))
    assert meta["Name"] == "pyimagesearch"
    assert meta["Version"] == pyimagesearch.__version__
    assert wheel.name.startswith(f"pyimagesearch-{pyimagesearch.__version__}-")
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    requires = meta.get_all("Requires-Dist")
    plain = [r for r in requires if "extra ==" not in r]
    wanted = requirement_names((ROOT / "requirements.txt").read_text().splitlines())
    assert requirement_names(plain) == wanted
    assert "tensorflow<2.22,>=2.21" in plain or "tensorflow>=2.21,<2.22" in plain
    assert set(meta.get_all("Provides-Extra")) == {"gpu", "dev"}
    assert any(r.startswith("tensorflow[and-cuda]") and 'extra == "gpu"' in r for r in requires)
    dev = {requirement_names([r.split(";")[0]])[0] for r in requires if 'extra == "dev"' in r}
    assert dev == {"pytest", "pytest-xdist", "nbclient", "ipykernel", "jupytext", "nbformat"}


def test_the_console_scripts_and_the_package_data(wheel):
    scripts = wheel_file(wheel, ".dist-info/entry_points.txt")
    assert "pyimagesearch-data = pyimagesearch.harness.data:main" in scripts
    assert "pyimagesearch-compare = pyimagesearch.harness.compare:compare_main" in scripts
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "pyimagesearch/harness/compare.py" in names
    assert "pyimagesearch/nn/conv/lenet.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "experiments/", "notebooks/")) for n in names)
    manifests = ROOT / "pyimagesearch" / "harness" / "data" / "manifests"
    for path in sorted(manifests.glob("*")) if manifests.is_dir() else ():
        if path.is_file():
            assert f"pyimagesearch/harness/data/manifests/{path.name}" in names


def test_the_makefile_installs_the_tested_versions():
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.M).group(1).split()
    assert sorted(stamp) == ["constraints.txt", "pyproject.toml", "requirements.txt"]
    assert "-c constraints.txt -r requirements.txt" in makefile
    assert "-c constraints.txt --no-deps" in makefile and "-e ." in makefile
    assert not (ROOT / "setup.py").exists()
    # the Makefile's dev tools are pyproject's dev extra
    tools = re.search(r"^DEV_TOOLS :=((?:.*\\\n)*.*)$", makefile, re.M).group(1)
    assert re.findall(r'"([^"]+)"', tools) == PYPROJECT["project"]["optional-dependencies"]["dev"]
    # constraints.txt pins every requirement, exactly, and not the project itself
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    pinned = {name.lower().replace("_", "-") for name in pins}
    wanted = requirement_names((ROOT / "requirements.txt").read_text().splitlines())
    dev = requirement_names(PYPROJECT["project"]["optional-dependencies"]["dev"])
    assert set(wanted + dev) <= pinned and "pyimagesearch" not in pinned


def test_pyproject_keeps_one_version_and_one_list_of_requirements():
    project = PYPROJECT["project"]
    assert "version" not in project and "dependencies" not in project
    assert set(project["dynamic"]) == {"version", "dependencies"}
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "pyimagesearch.__version__"}
    assert dynamic["dependencies"] == {"file": ["requirements.txt"]}


# --config RUN/args.json ------------------------------------------------------------------

def parser():
    parser = study_parser("doc", epochs=5, batch_size=8, dataset=None,
                          learning_rates=("learning_rate",))
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--augment", choices=("none", "flip"), default="none")
    return parser


def write_args(folder, args, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "args.json"
    path.write_text(json.dumps({"study": "s", "script": "x.py", "args": args, **extra}))
    return path


def test_config_replays_a_runs_arguments_and_the_command_line_wins(tmp_path):
    path = write_args(tmp_path / "run", {
        "dataset": "digits", "output": str(tmp_path / "run"), "seed": 7, "verbose": 2,
        "epochs": 3, "batch_size": 16, "deterministic": True, "augment": "flip",
        "learning_rate": 0.04, "scale_lr": True, "mixed_precision": True, "precision": None,
        "config": None}, learning_rates={"learning_rate": {"asked": 0.02, "used": 0.04}})
    args = parser().parse_args(["--config", str(path), "--epochs", "9",
                                "--precision", "float32"])
    assert args.dataset == "digits"  # a required flag, given by the file
    assert (args.seed, args.epochs, args.batch_size, args.augment) == (7, 9, 16, "flip")
    assert args.deterministic and args.scale_lr and args.verbose == 2
    assert args.learning_rate == 0.02  # as asked, not as --scale-lr scaled it
    assert args.output is None  # a replay is a new run
    assert args.precision == "float32" and not args.mixed_precision  # the rival flag wins
    assert set(re.findall(r"--[a-z-]+(?: [^-][^ ]*)?", recipe(args))) >= {
        "--seed 7", "--epochs 9", "--batch-size 16", "--deterministic", "--scale-lr",
        "--precision float32", "--learning-rate 0.02", "--augment flip"}
    assert "--config" not in recipe(args) and "--output" not in recipe(args)
    again = parser().parse_args([f"--config={path}"])
    assert again.epochs == 3 and again.mixed_precision and again.precision is None


def test_a_replayed_run_replays_its_own_args_json(tmp_path):
    first = parser().parse_args(["--dataset", "digits", "--epochs", "2", "--seed", "3"])
    path = write_args(tmp_path / "run", {k: v for k, v in vars(first).items()
                                         if not k.startswith("_")})
    again = parser().parse_args(["--config", str(path)])
    assert recipe(again) == recipe(first) and "--seed 3 --epochs 2" in recipe(first)


def test_config_values_go_through_their_flags_types(tmp_path):
    p = parser()
    p.add_argument("--hidden", type=lambda text: tuple(int(v) for v in text.split(",")))
    p.add_argument("--sizes", type=int, nargs="+", default=[1])
    path = write_args(tmp_path / "run", {"dataset": "digits", "hidden": [32, 16],
                                         "sizes": [2, 3], "learning_rate": 0.5})
    args = p.parse_args(["--config", str(path)])
    assert args.hidden == (32, 16) and args.sizes == [2, 3] and args.learning_rate == 0.5


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "not a run's args.json (damaged"),
    ('{"study": "s"}', 'no "args" object'),
    ('{"args": {"epochs": 2, "momentum": 0.9}}', "unknown arguments of this script: momentum"),
    ('{"args": {"epochs": -3}}', "epochs=-3: "),
    ('{"args": {"augment": "rotate"}}', "augment='rotate' is not one of none, flip"),
])
def test_a_bad_config_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "args.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as stop:
        parser().parse_args(["--config", str(path), "--dataset", "digits"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: --config {path}: ") and message in err


def test_a_recipe_names_paths_as_they_are_on_any_machine(tmp_path, monkeypatch):
    from pyimagesearch.harness.files import project_root

    monkeypatch.setenv("DATASETS_DIR", str(tmp_path / "data"))
    p = study_parser("test", epochs=2)
    p.add_argument("--db", default=None)
    p.add_argument("--weights", default="imagenet")
    args = p.parse_args(["--dataset", "digits", "--db",
                         str(project_root().absolute() / "outputs" / "f.hdf5"),
                         "--weights", str(tmp_path / "data" / "weights" / "w.h5")])
    assert recipe(args) == "--db outputs/f.hdf5 --weights $DATASETS_DIR/weights/w.h5"
