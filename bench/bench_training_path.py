"""Benchmark: the MiniVGGNet study's training path vs a bare `model.fit`.

Measures training images/second of `train_minivggnet` of
experiments/2020-11-12-minivggnet/minivggnet_cifar10.py (what the study's
scripts run: the harness's Run, the tf.data input pipeline,
`LearningRateLogger`, and here the heaviest callback, `TrainingMonitor`,
which rewrites its JSON and redraws its PNG every epoch) against a bare
`model.fit` on the same in-memory NumPy arrays with the same model, batch
size and optimizer, in the same run. Each side trains a fresh MiniVGGNet for
`--epochs` epochs (validation included); the first epoch (tracing) is left
out of the timing. The reference runs before and after the harness and is
averaged, so drift of the machine's speed cancels out.
Goal: ratio >= 0.95 (the harness and callbacks add no measurable cost).

Runs offline on random CIFAR-shaped data (speed does not depend on pixels).

    python bench/bench_training_path.py                    # 10,000 images, 3 epochs
    python bench/bench_training_path.py --images 2048 --epochs 3
"""

import argparse
import os
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

STUDY_DIR = Path(__file__).resolve().parents[1] / "experiments" / "2020-11-12-minivggnet"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`
GOAL = 0.95  # the harness and callbacks add no measurable cost


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch (training and validation)."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)


def bare_fit(data, args):
    from pyimagesearch.nn.conv import MiniVGGNet

    keras.utils.set_random_seed(args.seed)
    model = MiniVGGNet.build(32, 32, 3, 10)
    model.compile(loss="categorical_crossentropy", optimizer=make_optimizer(),
                  metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(data.train_x, data.train_y, validation_data=(data.test_x, data.test_y),
              batch_size=args.batch_size, epochs=args.epochs, verbose=0, callbacks=[timer])
    return timer.times[1:]


def harness_fit(data, args, folder):
    from pyimagesearch import harness
    from pyimagesearch.callbacks import TrainingMonitor
    import minivggnet_cifar10 as cifar  # the study's body (its folder is put on sys.path)

    run_args = Namespace(seed=args.seed, verbose=0, deterministic=False, mixed_precision=False,
                         output=str(folder), epochs=args.epochs, batch_size=args.batch_size,
                         no_bn=False)
    timer = EpochTimer()
    with harness.Run("bench-minivggnet", run_args) as run:
        monitor = TrainingMonitor(run.output_dir / "monitor.png",
                                  json_path=run.output_dir / "monitor.json")
        cifar.train_minivggnet(run, run_args, data, make_optimizer, callbacks=[monitor, timer])
    return timer.times[1:]


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return the epoch times."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10000, help="training images (10000)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per side (>= 2)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is not timed)")

    sys.path.insert(0, str(STUDY_DIR))
    from pyimagesearch.datasets.cifar10 import CifarData

    rng = np.random.default_rng(args.seed)
    val = max(args.images // 5, args.batch_size)
    data = CifarData(
        rng.uniform(0, 1, (args.images, 32, 32, 3)).astype("float32"),
        keras.utils.to_categorical(rng.integers(0, 10, args.images), 10),
        rng.uniform(0, 1, (val, 32, 32, 3)).astype("float32"),
        keras.utils.to_categorical(rng.integers(0, 10, val), 10),
    )
    outputs = os.environ.get("PYIMAGESEARCH_OUTPUTS")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PYIMAGESEARCH_OUTPUTS"] = tmp  # keep results.csv out of outputs/
        try:
            print(f"[INFO] {args.images} images, batch {args.batch_size}, "
                  f"{args.epochs} epochs per side (first one not timed)")
            reference = bare_fit(data, args)
            measured = harness_fit(data, args, Path(tmp) / "run")
            reference += bare_fit(data, args)
        finally:
            if outputs is None:
                del os.environ["PYIMAGESEARCH_OUTPUTS"]
            else:
                os.environ["PYIMAGESEARCH_OUTPUTS"] = outputs

    return {"images": args.images, "batch_size": args.batch_size, "epochs": args.epochs,
            "reference": reference, "measured": measured}


def report(result):
    ref_rate = result["images"] / float(np.mean(result["reference"]))
    our_rate = result["images"] / float(np.mean(result["measured"]))
    print(f"bare model.fit:            {ref_rate:8.1f} images/s (epochs "
          f"{np.round(result['reference'], 2)})")
    print(f"study path (harness+monitor): {our_rate:8.1f} images/s (epochs "
          f"{np.round(result['measured'], 2)})")
    ratio = our_rate / ref_rate
    print(f"ratio: {ratio:.3f} (goal >= {GOAL})")
    return ratio, our_rate, ref_rate


def main(argv=None):
    report(measure(argv))
    return 0


def suite(quick=False, tiny=False):
    """The suite's row: the study's training path vs a bare `fit`."""
    from bench.common import ratio_row

    if tiny:
        argv = ["--images", "64", "--epochs", "2", "--batch-size", "16"]
    elif quick:
        argv = ["--images", "2048", "--epochs", "2"]
    else:
        argv = []
    result = measure(argv)
    ratio, ours, bare = report(result)
    detail = (f"MiniVGGNet, {result['images']} images 32px, batch {result['batch_size']}, "
              f"{result['epochs'] - 1} timed epoch(s) per side: {ours:.0f} vs {bare:.0f} images/s")
    return [ratio_row("harness overhead (MiniVGGNet)", "study path / bare model.fit speed",
                      ratio, GOAL, detail)]


if __name__ == "__main__":
    sys.exit(main())
