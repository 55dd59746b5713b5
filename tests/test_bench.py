"""The benchmark suite smoke-runs: `python -m bench --quick --tiny` (its numbers are not asserted)."""

import os
import subprocess
import sys

from conftest import ROOT

ROWS = ("harness overhead", "training throughput", "ShallowNet", "LeNet", "MiniVGGNet",
        "MiniGoogLeNet", "AlexNet", "feature extraction", "HDF5 build", "HDF5 generator",
        "HDF5 memory", "time to the diary's accuracy")


def test_python_m_bench_quick_tiny_writes_one_table_with_every_benchmark(tmp_path):
    out = tmp_path / "bench.md"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DATASETS_DIR", None)  # synthetic data only
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--tiny", "--output",
                           str(out)], cwd=str(ROOT), env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    table = out.read_text()
    assert "| benchmark | measure | value | goal | status | how |" in table
    for name in ROWS:
        assert name in table, name
    assert "(did not run)" not in table
    assert table in done.stdout  # printed too
    # every row with a goal says PASS or FAIL beside it
    rows = [line for line in table.splitlines() if line.startswith("| ") and ">=" in line]
    assert rows and all(("PASS" in r) or ("FAIL" in r) for r in rows)
