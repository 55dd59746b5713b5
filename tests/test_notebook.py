"""The notebooks run offline, top to bottom, in a real Jupyter kernel (nbclient + ipykernel).

Each notebook is a jupytext pair, `notebooks/<name>.ipynb` (committed with
small outputs) and `notebooks/<name>.py` (``py:percent``): both must hold the
same cells. The library must not switch matplotlib's backend in a kernel, and
its progress bars must not flood a notebook with redraws.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")
pytest.importorskip("ipykernel")

NOTEBOOKS = ROOT / "notebooks"
PAIRS = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
#: the most an output of a committed notebook may weigh (a PNG, base64)
MAX_OUTPUT = 60_000
#: what each notebook must draw (image/png outputs) and print
EXPECTED = {
    "quickstart": {"images": 3, "text": r"test accuracy: ([0-9.]+)"},
    "open_a_run": {"images": 4, "text": r"test accuracy: ([0-9.]+)"},
}


def set_kernel_env(monkeypatch, folder):
    """The kernel's environment: the repo importable, no user kernelspec in the way."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(folder / "jupyter-data"))  # hide user kernels
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    return folder


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    return set_kernel_env(monkeypatch, tmp_path)


def execute(nb, cwd, timeout=300):
    """Run every cell of `nb` in a fresh "python3" kernel (ipykernel's own spec)."""
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=timeout,
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def outputs(nb, kind=None):
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
            if kind is None or o.output_type == kind]


def stdout(nb):
    return "".join(o.text for o in outputs(nb, "stream") if o.name == "stdout")


def images(nb):
    return [o for o in outputs(nb) if "image/png" in o.get("data", {})]


def test_every_notebook_is_a_pair():
    scripts = sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
    assert PAIRS and scripts == PAIRS, "each notebooks/<name>.py needs its .ipynb and back"
    assert set(PAIRS) == set(EXPECTED), "a new notebook: say what it must show in EXPECTED"


@pytest.mark.parametrize("name", PAIRS)
def test_the_ipynb_and_the_py_hold_the_same_cells(name):
    from_ipynb = jupytext.read(NOTEBOOKS / f"{name}.ipynb")
    from_py = jupytext.read(NOTEBOOKS / f"{name}.py")
    cells = [[(c.cell_type, c.source.strip()) for c in nb.cells] for nb in (from_ipynb, from_py)]
    assert cells[0] == cells[1], (f"{name}.ipynb and {name}.py differ: run "
                                  f"`jupytext --sync notebooks/{name}.py`")
    for nb in (from_ipynb, from_py):
        assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
        assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", PAIRS)
def test_the_committed_ipynb_has_small_outputs_and_ran_through(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{name}.ipynb: run it once through a kernel"
    assert not outputs(nb, "error")
    for output in outputs(nb):
        assert len(str(output)) < MAX_OUTPUT, f"{name}.ipynb: an output over {MAX_OUTPUT} bytes"
    assert len(images(nb)) >= EXPECTED[name]["images"]


@pytest.mark.parametrize("name", PAIRS)
def test_the_notebook_runs_in_a_kernel_offline(name, kernel_env, monkeypatch):
    tmp = kernel_env
    monkeypatch.setenv("QUICKSTART_EPOCHS", "2")
    monkeypatch.setenv("QUICKSTART_OUTPUT", str(tmp / "quickstart"))
    monkeypatch.setenv("OPEN_A_RUN_EPOCHS", "1")
    monkeypatch.setenv("OPEN_A_RUN_DIR", str(tmp / "runs"))
    monkeypatch.delenv("OPEN_A_RUN_RUNS", raising=False)
    nb = execute(nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4), cwd=NOTEBOOKS)
    text = stdout(nb)
    accuracy = float(re.search(EXPECTED[name]["text"], text).group(1))
    assert accuracy > 0.5, text[-2000:]  # LeNet on digits: about 0.9 after two epochs
    drawn = images(nb)
    assert len(drawn) >= EXPECTED[name]["images"]
    assert all(len(o.data["image/png"]) < MAX_OUTPUT for o in drawn)
    if name == "open_a_run":
        tables = [o.data["text/markdown"] for o in outputs(nb, "display_data")
                  if "text/markdown" in o.data]
        assert tables and "| seed-1 |" in tables[0] and "| seed-2 |" in tables[0]
        assert (tmp / "runs" / "compare.png").stat().st_size > 0
        assert "experiments/2020-11-11-lenet/train.py" in tables[0]
    else:
        for figure in ("curves.png", "confusion.png", "predictions.png"):
            assert (tmp / "quickstart" / figure).stat().st_size > 0


def test_quickstart_runs_as_a_script_too(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUICKSTART_EPOCHS="1",
               QUICKSTART_OUTPUT=str(tmp_path))
    out = subprocess.run([sys.executable, str(NOTEBOOKS / "quickstart.py")], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert re.search(r"test accuracy: ([0-9.]+)", out.stdout)
    for name in ("curves.png", "confusion.png", "predictions.png"):
        assert (tmp_path / name).stat().st_size > 0


LIBRARY_IN_A_KERNEL = [
    "import sys\nimport matplotlib\nprint('executable', sys.executable)\n"
    "print('before', matplotlib.get_backend())",
    "import pyimagesearch.utils.plotting\nfrom pyimagesearch.callbacks import TrainingMonitor\n"
    "from pyimagesearch.utils import plot_history\n"
    "fig = plot_history({'loss': [1.0, 0.5], 'val_loss': [1.1, 0.6]})\n"
    "print('after', matplotlib.get_backend(), type(fig).__name__, TrainingMonitor.__name__)",
    "import time\nfrom pyimagesearch.utils.progress import track\n"
    "for _ in track(range(60), label='steps'):\n    time.sleep(0.05)",
]


@pytest.fixture(scope="module")
def library_in_a_kernel(tmp_path_factory):
    """The cells above, run once in a kernel for the tests below."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in LIBRARY_IN_A_KERNEL]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    with pytest.MonkeyPatch.context() as monkeypatch:
        folder = set_kernel_env(monkeypatch, tmp_path_factory.mktemp("kernel"))
        return execute(nb, cwd=folder, timeout=120)


def test_the_library_keeps_the_inline_backend_and_the_kernel_is_this_python(
        library_in_a_kernel):
    text = stdout(library_in_a_kernel)
    executable = re.search(r"executable (\S+)", text).group(1)
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    before = re.search(r"before (\S+)", text).group(1)
    after = re.search(r"after (\S+) Figure TrainingMonitor", text).group(1)
    assert "inline" in before and after == before
    # the figure is built without pyplot: nothing is drawn unless the notebook displays it
    assert not library_in_a_kernel.cells[1].outputs[1:] and not images(library_in_a_kernel)


def test_a_progress_bar_redraws_a_few_times_in_a_notebook(library_in_a_kernel):
    frames = [o.text for o in library_in_a_kernel.cells[2].outputs
              if o.output_type == "stream" and o.name == "stderr" and "steps:" in o.text]
    assert 1 <= len(frames) <= 4, frames  # 60 updates in 3 s: a frame every 2 s at most
    assert "60 of 60" in frames[-1] and not any("\x1b[" in f for f in frames)  # no colours
