"""The benchmark suite smoke-runs: `python -m bench --quick --tiny` (its numbers are not asserted)."""

import os
import subprocess
import sys

import pytest

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


def test_time_to_accuracy_against_a_recorded_run_and_a_reused_side(tmp_path, monkeypatch):
    """MiniGoogLeNet: 1 diary epoch timed here, the fast side reused from a finished run."""
    import json

    from test_study_2020_12_06_minigooglenet import make_tiny_cifar

    monkeypatch.syspath_prepend(str(ROOT))
    from bench import bench_time_to_accuracy as bench

    data = make_tiny_cifar(tmp_path / "cifar10")
    fast = tmp_path / "fast-run"
    fast.mkdir()  # a finished fast run: its timing and its arguments
    (fast / "timing.json").write_text(json.dumps({
        "train_seconds": [10.0, 10.0, 10.0], "train_cpu_seconds": [20.0, 20.0, 20.0],
        "train_seconds_total": [10.0, 20.0, 30.0], "train_cpu_seconds_total": [20.0, 40.0, 60.0],
        "val_seconds": [1.0] * 3, "val_accuracy": [0.5, 0.8, 0.85]}))
    (fast / "args.json").write_text(json.dumps({"precision": "float32",
                                                "started": "2026-12-03T13:00:00"}))
    out = tmp_path / "result.json"
    result = bench.measure(["--study", "minigooglenet", "--dataset", str(data), "--diary-epochs",
                            "1", "--verbose", "0", "--reuse", f"fast={fast}", "--output",
                            str(tmp_path / "runs"), "--json", str(out),
                            "--figure", str(tmp_path / "figure.png")])
    assert result["target"] == 0.789  # the recorded 70-epoch run's accuracy
    epochs, wall, cpu = result["sides"]["diary"]["reached"]
    epoch = result["sides"]["diary"]["train_seconds"]
    assert len(epoch) == 1 and epochs == 70 and wall == pytest.approx(70 * epoch[0])
    assert tuple(result["sides"]["fast"]["reached"]) == (2, 20.0, 40.0)
    assert bench.ratios(result, "fast")[0] == pytest.approx(20.0 / wall)
    assert json.loads(out.read_text())["target"] == 0.789
    assert (tmp_path / "figure.png").stat().st_size > 1000
    (row,) = bench.rows(result)
    assert "MiniGoogLeNet" in row.benchmark and "70 x" in row.detail and row.ok in (True, False)
