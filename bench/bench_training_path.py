"""Benchmark: the MiniVGGNet study's training path vs a bare `model.fit`.

Measures training images/second of experiments/2020-11-12-minivggnet/
train_monitor.py, run through its `main([...])` (what the study's scripts
run: the harness's Run, the tf.data input pipeline, `LearningRateLogger`,
the epoch timer, and the heaviest callback, `TrainingMonitor`, which
rewrites its JSON and redraws its PNG every epoch), against a bare
`model.fit` on the same images as in-memory NumPy arrays with the same
model, batch size and optimizer, in the same process. Each side trains a
fresh MiniVGGNet for `--epochs` epochs; an epoch's time is its training plus
its validation pass (the script's `timing.json`); the first epoch (tracing)
is left out. The reference runs before and after the script and is
averaged, so drift of the machine's speed cancels out.
Goal: ratio >= 0.95 (the harness and callbacks add no measurable cost).

Runs offline on random CIFAR-shaped data (speed does not depend on pixels),
written as the official python batches for the script to read.

    python bench/bench_training_path.py                    # 10,000 images, 3 epochs
    python bench/bench_training_path.py --images 2048 --epochs 3
"""

import argparse
import json
import os
import pickle
import runpy
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from pyimagesearch.harness import EpochTimer  # noqa: E402

SCRIPT = (Path(__file__).resolve().parents[1] / "experiments" / "2020-11-12-minivggnet"
          / "train_monitor.py")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`
GOAL = 0.95  # the harness and callbacks add no measurable cost


def write_batches(folder, images, labels, test_images, test_labels):
    """The images as CIFAR-10's python batches (five training batches and the test batch)."""
    folder.mkdir(parents=True)
    parts = zip(np.array_split(images, 5), np.array_split(labels, 5))
    for name, (x, y) in [*((f"data_batch_{i}", p) for i, p in enumerate(parts, 1)),
                         ("test_batch", (test_images, test_labels))]:
        planes = x.transpose(0, 3, 1, 2).reshape(len(x), 3072)  # R, G then B planes
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": planes, b"labels": [int(v) for v in y]}, f)
    return folder


def bare_fit(x, y, test_x, test_y, args):
    from pyimagesearch.nn.conv import MiniVGGNet

    keras.utils.set_random_seed(args.seed)
    model = MiniVGGNet.build(32, 32, 3, 10)
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                 nesterov=True))
    timer = EpochTimer()
    model.fit(x, y, validation_data=(test_x, test_y), batch_size=args.batch_size,
              epochs=args.epochs, verbose=0, callbacks=[timer])
    return [t + v for t, v in zip(timer.train_seconds, timer.val_seconds)][1:]


def script_fit(data_dir, args, folder):
    """train_monitor.py through its `main`; its epochs' training + validation seconds."""
    sys.path.insert(0, str(SCRIPT.parent))  # as `python train_monitor.py` does: its config.py
    main = runpy.run_path(str(SCRIPT), run_name="bench_train_monitor")["main"]
    assert main(["--dataset", str(data_dir), "--epochs", str(args.epochs), "--batch-size",
                 str(args.batch_size), "--seed", str(args.seed), "--verbose", "0",
                 "--output", str(folder)]) == 0
    timing = json.loads((folder / "timing.json").read_text())
    return [t + v for t, v in zip(timing["train_seconds"], timing["val_seconds"])][1:]


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

    rng = np.random.default_rng(args.seed)
    val = max(args.images // 5, args.batch_size)
    images = rng.integers(0, 256, (args.images + val, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, args.images + val)
    x = (images[:args.images] / np.float32(255)).astype("float32")
    test_x = (images[args.images:] / np.float32(255)).astype("float32")
    y = keras.utils.to_categorical(labels[:args.images], 10)
    test_y = keras.utils.to_categorical(labels[args.images:], 10)
    outputs = os.environ.get("PYIMAGESEARCH_OUTPUTS")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PYIMAGESEARCH_OUTPUTS"] = tmp  # keep results.csv out of outputs/
        data_dir = write_batches(Path(tmp) / "cifar-10-batches-py", images[:args.images],
                                 labels[:args.images], images[args.images:],
                                 labels[args.images:])
        try:
            print(f"[INFO] {args.images} images, batch {args.batch_size}, "
                  f"{args.epochs} epochs per side (first one not timed)")
            reference = bare_fit(x, y, test_x, test_y, args)
            measured = script_fit(data_dir, args, Path(tmp) / "run")
            reference += bare_fit(x, y, test_x, test_y, args)
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
