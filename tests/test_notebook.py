"""The quick-start notebook (a jupytext script) runs offline, top to bottom."""

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_quickstart_notebook_trains_lenet_and_draws_its_figures(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUICKSTART_EPOCHS="2",
               QUICKSTART_OUTPUT=str(tmp_path))
    out = subprocess.run([sys.executable, str(ROOT / "notebooks" / "quickstart.py")], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out.stdout).group(1))
    assert accuracy > 0.6  # two epochs of LeNet on digits: about 0.9
    for name in ("curves.png", "confusion.png", "predictions.png"):
        assert (tmp_path / name).stat().st_size > 0
