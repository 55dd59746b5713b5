"""tf.distribute in the harness: strategies, workers, the global batch, for real on one machine.

The multi-worker test starts two worker processes of the MiniVGGNet study's
`train_decay.py` on 127.0.0.1 (free ports, `TF_CONFIG`), the mirrored test
one process with the CPU split into 2 logical devices; both are compared with
a single-process run on one device with the same global batches.

Tolerance: the losses agree within 0.1% (relative). Dropout is switched off
in these comparisons (its masks are drawn per replica, so they cannot match
a single device's) and MiniVGGNet runs without batch normalisation (`--no-bn`:
each replica normalises with its own part of the batch); what is left to
differ is the order of float sums.
"""

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import pytest

from conftest import ROOT, load_script, make_cifar_pngs
from pyimagesearch import harness
from pyimagesearch.harness import distribute

STUDY = "2020-11-12-minivggnet"
SCRIPT = ROOT / "experiments" / STUDY / "train_decay.py"
RTOL = 1e-3
TIMEOUT = 300  # seconds for a subprocess (TensorFlow's import alone is ~10 s on 2 busy cores)

# runs a study script as `python script.py ...` would, with dropout off
# when NO_DROPOUT is set, then (TWO_FITS) the network-surgery pattern: two
# compile + fit rounds of one model inside one Run under the same strategy
RUNNER = r'''
import json, os, runpy, sys
import keras
if os.environ.get("NO_DROPOUT"):
    keras.layers.Dropout.call = lambda self, inputs, training=False: inputs
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as done:
    if done.code:
        raise
if os.environ.get("TWO_FITS"):
    from argparse import Namespace
    import numpy as np
    from pyimagesearch import harness
    args = Namespace(seed=1, verbose=0, deterministic=False, output=os.environ["TWO_FITS"],
                     strategy="mirrored", logical_cpus=2, batch_size=4)
    x = np.random.default_rng(0).uniform(size=(16, 8, 8, 3)).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 2, 2)
    with harness.Run("two-fits", args) as run:   # the whole block in the strategy's scope
        inputs = keras.Input((8, 8, 3))
        base = keras.layers.Conv2D(4, 3, name="base")(inputs)
        head = keras.layers.Dense(2, activation="softmax", name="head")(
            keras.layers.GlobalAveragePooling2D()(base))
        model = keras.Model(inputs, head)
        model.get_layer("base").trainable = False     # warm up the head
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        first = model.fit(run.dataset(x, y, shuffle=True), epochs=1, verbose=0)
        model.get_layer("base").trainable = True      # then fine-tune all
        model.compile(optimizer=keras.optimizers.SGD(0.001), loss="categorical_crossentropy")
        second = model.fit(run.dataset(x, y, shuffle=True), epochs=1, verbose=0)
        print("TWO_FITS " + json.dumps({"replicas": run.replicas,
                                        "losses": first.history["loss"] + second.history["loss"]}))
'''


# ---------------------------------------------------------------------------
# TF_CONFIG, strategy and precision names (no TensorFlow cluster needed)
# ---------------------------------------------------------------------------
def tf_config(ports, index, kind="worker"):
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": kind, "index": index}})


def test_the_chief_is_worker_0_or_the_chief_task():
    assert distribute.cluster_from_env({}) == distribute.SINGLE
    assert distribute.cluster_from_env({"TF_CONFIG": tf_config([1, 2], 0)}).chief
    assert not distribute.cluster_from_env({"TF_CONFIG": tf_config([1, 2], 1)}).chief
    config = {"cluster": {"chief": ["h:1"], "worker": ["h:2", "h:3"]},
              "task": {"type": "worker", "index": 0}}
    task = distribute.cluster_from_env({"TF_CONFIG": json.dumps(config)})
    assert (task.chief, task.workers) == (False, 3)
    config["task"] = {"type": "chief", "index": 0}
    assert distribute.cluster_from_env({"TF_CONFIG": json.dumps(config)}).chief


@pytest.mark.parametrize("text, match", [
    ("{not json", "not valid JSON"),
    ('{"cluster": {"worker": ["h:1"]}}', 'needs "cluster" and "task"'),
    (tf_config([1, 2], 2), "is not in its cluster"),
])
def test_bad_tf_config_is_a_user_error(text, match):
    with pytest.raises(distribute.DistributionError, match=match):
        distribute.cluster_from_env({"TF_CONFIG": text})


def test_auto_strategy_and_mixed_precision_follow_the_devices():
    two = distribute.Task("worker", 0, 2, True)
    assert distribute.resolve_strategy("auto", task=two, gpus=0) == "multiworker"
    assert distribute.resolve_strategy("auto", task=distribute.SINGLE, gpus=4) == "mirrored"
    assert distribute.resolve_strategy("auto", task=distribute.SINGLE, gpus=1) == "default"
    assert distribute.resolve_strategy("mirrored", task=two, gpus=0) == "mirrored"
    assert distribute.resolve_precision(mixed=True, gpus=1) == "mixed_float16"
    assert distribute.resolve_precision(mixed=True, gpus=0) == "mixed_bfloat16"
    assert distribute.resolve_precision(mixed=False, gpus=1) == "float32"
    assert distribute.resolve_precision("mixed_float16", gpus=0) == "mixed_float16"


def test_study_parser_has_the_distribution_flags(capsys):
    parser = harness.study_parser("doc", epochs=1, batch_size=8, dataset=False,
                                  learning_rates=("learning_rate",))
    args = parser.parse_args([])
    assert (args.strategy, args.scale_lr, args.logical_cpus, args.precision) == (
        "auto", False, None, None)
    args = parser.parse_args(["--strategy", "multiworker", "--scale-lr", "--logical-cpus", "2"])
    assert (args.strategy, args.scale_lr, args.logical_cpus) == ("multiworker", True, 2)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--strategy", "horovod"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def run_args(tmp_path, **kw):
    base = dict(seed=1, verbose=0, deterministic=False, mixed_precision=False,
                output=str(tmp_path / "run"), batch_size=16, strategy="default")
    base.update(kw)
    return Namespace(**base)


def test_global_batch_and_learning_rate_scale_are_recorded(tmp_path):
    args = run_args(tmp_path, scale_lr=True, learning_rate=0.01, _learning_rates=("learning_rate",))
    with harness.Run("s", args) as run:
        assert (run.replicas, run.global_batch_size) == (1, 16)
        assert args.learning_rate == 0.01   # one replica: x 1
    saved = json.loads((tmp_path / "run" / "args.json").read_text())
    assert saved["learning_rates"] == {"learning_rate": {"asked": 0.01, "used": 0.01}}
    assert (saved["strategy"], saved["replicas"], saved["global_batch_size"]) == ("default", 1, 16)
    assert saved["per_replica_batch_size"] == 16 and saved["learning_rate_scale"] == 1
    assert saved["task"] == {"type": "worker", "index": 0, "workers": 1, "chief": True}


def test_a_worker_that_is_not_the_chief_writes_nothing_under_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", tf_config([1, 2], 1))
    out = tmp_path / "outputs"
    monkeypatch.setenv("PYIMAGESEARCH_OUTPUTS", str(out))
    run = harness.Run("s", run_args(tmp_path, strategy="multiworker"))
    assert not run.is_chief and run.task.index == 1
    assert not (tmp_path / "run").exists() and out not in run.output_dir.parents
    run.save("history.json", {"loss": [1.0]})
    run.record("toy", "accuracy", 0.5)
    assert not (out / "results.csv").exists()
    run.__exit__(None, None, None)
    assert not run.output_dir.exists()


# ---------------------------------------------------------------------------
# real runs: two local workers, two logical CPUs, one process
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cifar(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar") / "cifar10"
    make_cifar_pngs(root, per_class=2)  # 20 training and 20 test images
    return root


def free_ports(count):
    """`count` ports free on 127.0.0.1 now, or skip the test."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    except OSError as error:
        pytest.skip(f"cannot bind ports on 127.0.0.1: {error}")
    finally:
        for s in sockets:
            s.close()


def study_argv(cifar, out, batch_size, *extra):
    return [str(SCRIPT), "--dataset", str(cifar), "--epochs", "1", "--batch-size",
            str(batch_size), "--no-bn", "--verbose", "0", "--output", str(out), *extra]


def start(argv, folder, name, **env):
    environ = dict(os.environ, NO_DROPOUT="1", PYTHONPATH=str(ROOT),
                   PYIMAGESEARCH_OUTPUTS=str(folder / "outputs"), **env)
    log = open(folder / f"{name}.log", "w")
    return subprocess.Popen([sys.executable, "-c", RUNNER, *argv], env=environ,
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(folder)), log


def stop(processes):
    """Kill whatever of `processes` still runs; close their logs."""
    for process, log in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def finish(processes, timeout=TIMEOUT):
    """Wait for `processes` (bounded); return their logs. They are killed by `launched`."""
    deadline = time.monotonic() + timeout
    logs = []
    for process, log in processes:
        try:
            process.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"a worker did not finish in {timeout} s (log: {log.name})")
        log.flush()
        text = Path(log.name).read_text()
        assert process.returncode == 0, text[-3000:]
        logs.append(text)
    return logs


@pytest.fixture(scope="module")
def launched(cifar, tmp_path_factory):
    """The distributed runs, started at once (they overlap the reference run).

    - ``multiworker``: two workers of `train_decay.py` on 127.0.0.1, per-replica
      batch 5 (global 10), `--output` shared: only the chief may write it;
    - ``mirrored``: one process, the CPU split into 2 logical devices, batch
      5 per replica; then the two-fits pattern in the same process.

    Every process is killed when the module's tests end, whatever happened.
    """
    ports = free_ports(2)
    root = tmp_path_factory.mktemp("distributed")
    runs = {}
    try:
        folder = root / "multiworker"
        folder.mkdir()
        argv = study_argv(cifar, folder / "run", 5, "--strategy", "multiworker")
        scratch = folder / "tmp"   # where a worker that is not the chief writes, then deletes
        scratch.mkdir()
        runs["multiworker"] = (folder, [start(argv, folder, f"worker{i}", TMPDIR=str(scratch),
                                              TF_CONFIG=tf_config(ports, i)) for i in (0, 1)])
        folder = root / "mirrored"
        folder.mkdir()
        argv = study_argv(cifar, folder / "run", 5, "--strategy", "mirrored",
                          "--logical-cpus", "2")
        runs["mirrored"] = (folder, [start(argv, folder, "mirrored",
                                           TWO_FITS=str(folder / "two"))])
        yield runs
    finally:
        for _, processes in runs.values():
            stop(processes)


@pytest.fixture(scope="module")
def single_process(launched, cifar, tmp_path_factory):
    """The reference: one process on one device, global batch 10, no dropout.

    It runs under a one-device `MirroredStrategy`: the input pipeline then
    goes through the same distribution rewrite as the runs compared with
    it, and that rewrite draws its own shuffle order (the same on every
    worker and in every process, but not the order of the undistributed
    pipeline); one device, so the global batches are the whole step.
    """
    import keras

    tmp = tmp_path_factory.mktemp("single")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYIMAGESEARCH_OUTPUTS", str(tmp / "outputs"))
        patch.setattr(keras.layers.Dropout, "call",
                      lambda self, inputs, training=False: inputs)
        module = load_script(STUDY, "train_decay")
        assert module.main(study_argv(cifar, tmp / "run", 10, "--strategy", "mirrored")[1:]) == 0
    assert json.loads((tmp / "run" / "args.json").read_text())["replicas"] == 1
    return tmp / "run"


def outcome(folder):
    history = json.loads((folder / "history.json").read_text())
    report = json.loads((folder / "classification_report.json").read_text())
    args = json.loads((folder / "args.json").read_text())
    return history, report, args


def assert_same_training(folder, reference):
    history, report, _ = outcome(folder)
    expected, expected_report, _ = outcome(reference)
    for key in ("loss", "val_loss"):
        assert history[key] == pytest.approx(expected[key], rel=RTOL), key
    assert history["val_accuracy"] == pytest.approx(expected["val_accuracy"], abs=1e-6)
    assert report["accuracy"] == pytest.approx(expected_report["accuracy"], abs=1e-6)
    assert report["macro avg"]["support"] == 20  # every test image predicted once


def test_two_local_workers_train_like_one_process(launched, single_process):
    folder, processes = launched["multiworker"]
    logs = finish(processes)
    out = folder / "run"

    # only the chief wrote the run folder and the results row
    _, _, args = outcome(out)
    assert (args["strategy"], args["replicas"], args["global_batch_size"]) == (
        "multiworker", 2, 10)
    assert args["task"]["chief"] and args["task"]["workers"] == 2
    with open(folder / "outputs" / "results.csv") as f:
        assert len(list(csv.DictReader(f))) == 1
    assert not (folder / "outputs" / STUDY).exists()  # no second run folder
    # worker 1 wrote into a temporary folder (under TMPDIR), deleted when it ended
    assert not list((folder / "tmp").glob("pyimagesearch-*")), logs[1][-2000:]
    # the same global batches, the same training
    assert_same_training(out, single_process)


def test_mirrored_on_two_logical_cpus_trains_like_one_device(launched, single_process):
    folder, processes = launched["mirrored"]
    (log,) = finish(processes)
    out = folder / "run"
    _, _, args = outcome(out)
    assert (args["strategy"], args["replicas"], args["global_batch_size"]) == ("mirrored", 2, 10)
    assert len([d for d in args["devices"] if "CPU" in d]) == 2
    import keras

    assert keras.saving.load_model(out / "model.keras").output_shape == (None, 10)
    assert_same_training(out, single_process)
    # two compile + fit rounds of one model under the run's one strategy
    # (it failed with "Mixing different tf.distribute.Strategy objects")
    two = json.loads(log.split("TWO_FITS ", 1)[1].splitlines()[0])
    assert two["replicas"] == 2 and len(two["losses"]) == 2
