"""Benchmark: training throughput of every architecture, against the machine's matmul peak.

For each network at its study's input size (ShallowNet 32x32x3, LeNet
28x28x1, MiniVGGNet 32x32x3, MiniGoogLeNet 32x32x3, AlexNet 227x227x3
with a small batch) it
trains on random in-memory data through `pyimagesearch.datasets.array_dataset`
(the first steps, which trace the graph, are not timed) and reports:

- images/second of training;
- the training FLOPs per image, counted from the layers: every Conv2D and
  Dense does (multiply-adds x 2) FLOPs forward, and training costs 3 x the
  forward pass (the forward pass, the gradient with respect to the inputs
  and the one with respect to the weights); batch norm, activations,
  pooling and the optimizer are left out (they are memory-bound and small);
- the achieved FLOP/s (images/s x FLOPs per image) and its fraction of the
  peak of a large matmul (`tf.linalg.matmul`, 2048 x 2048, float32, or
  bfloat16 for the mixed_bfloat16 rows) measured on the same device in the
  same run, just before.

Goal: a fraction of the matmul peak of at least 0.25 for the convolutional
networks at their study sizes (small networks such as ShallowNet and LeNet
are bound by memory traffic and per-step overhead, not by arithmetic: they
are reported against the same goal and fall short for that reason).

    python bench/bench_throughput.py                    # every architecture
    python bench/bench_throughput.py --models minivggnet --steps 20
    python bench/bench_throughput.py --precision mixed_bfloat16
"""

import argparse
import os
import sys
import time
from collections import namedtuple
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`

import numpy as np  # noqa: E402

GOAL = 0.25  # achieved FLOP/s / matmul peak, for the conv nets at their study sizes

#: name, input (height, width, depth), classes, the study's batch, builder
Arch = namedtuple("Arch", "name shape classes batch build")


def architectures(tiny=False):
    """The networks of the studies, with their input sizes and batch sizes."""
    from pyimagesearch.nn import conv

    archs = [
        Arch("ShallowNet", (32, 32, 3), 3, 32, lambda: conv.ShallowNet.build(32, 32, 3, 3)),
        Arch("LeNet", (28, 28, 1), 10, 128, lambda: conv.LeNet.build(28, 28, 1, 10)),
        Arch("MiniVGGNet", (32, 32, 3), 10, 64, lambda: conv.MiniVGGNet.build(32, 32, 3, 10)),
        Arch("MiniGoogLeNet", (32, 32, 3), 10, 64,
             lambda: conv.MiniGoogLeNet.build(32, 32, 3, 10)),
    ]
    # AlexNet of the Dogs vs. Cats study (2 classes, 227x227 crops); a small
    # batch on a CPU; --tiny shrinks its input and its fully connected layers
    size, units = (64, 64) if tiny else (227, 4096)
    archs.append(Arch("AlexNet", (size, size, 3), 2, 8,
                      lambda: conv.AlexNet.build(size, size, 3, 2, fc_units=units)))
    return archs


def forward_flops(model):
    """FLOPs of one image's forward pass through the Conv2D and Dense layers (MACs x 2)."""
    import keras

    total = 0
    for layer in _layers(model):
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            cin = layer.kernel.shape[2]
            out = layer.output.shape  # (None, h, w, c) or (None, c, h, w)
            spatial = int(np.prod([d for d in out[1:]])) // layer.filters
            total += 2 * spatial * layer.filters * kh * kw * cin // layer.groups
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * int(layer.kernel.shape[0]) * int(layer.kernel.shape[1])
    return total


def _layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _layers(layer)
        else:
            yield layer


def matmul_peak(dtype="float32", n=2048, seconds=2.0):
    """FLOP/s of a large square matmul on this device (best of repeated runs)."""
    import tensorflow as tf

    a = tf.random.uniform((n, n), dtype="float32")
    a, b = tf.cast(a, dtype), tf.cast(tf.transpose(a), dtype)
    step = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.linalg.matmul(a, b)[0, :1],
                                                          "float32")))
    step(a, b).numpy()  # trace, warm up
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline or best == 0.0:
        started = time.perf_counter()
        step(a, b).numpy()
        best = max(best, 2 * n ** 3 / (time.perf_counter() - started))
    return best


def train_throughput(arch, steps, warmup, batch=None):
    """Training images/second of `arch` (random data; the warm-up steps are not timed)."""
    import keras

    from pyimagesearch.datasets import array_dataset
    from pyimagesearch.nn.conv.common import image_shape

    batch = batch or arch.batch
    keras.utils.set_random_seed(0)
    model = arch.build()
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                  loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    h, w, d = arch.shape
    x = rng.uniform(0, 1, (batch * 4, *image_shape(h, w, d))).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, arch.classes, len(x)), arch.classes)
    data = array_dataset(x, y, batch).repeat()
    model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0)
    started = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - started
    return batch * steps / seconds, model


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return one dict per architecture."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=None,
                        help="comma-separated names (default: every architecture)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per network")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--precision", choices=("float32", "mixed_bfloat16"), default="float32",
                        help="the Keras dtype policy (default float32)")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    dtype = "bfloat16" if args.precision == "mixed_bfloat16" else "float32"
    peak = matmul_peak(dtype, n=256 if args.tiny else 2048, seconds=0.2 if args.tiny else 2.0)
    wanted = None if args.models is None else {m.lower() for m in args.models.split(",")}
    previous = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy(args.precision)
    results = []
    try:
        for arch in architectures(args.tiny):
            if wanted is not None and arch.name.lower() not in wanted:
                continue
            batch = min(arch.batch, 4) if args.tiny else None
            rate, model = train_throughput(arch, args.steps, args.warmup, batch)
            flops = 3 * forward_flops(model)
            results.append({"name": arch.name, "shape": arch.shape, "batch": batch or arch.batch,
                            "images_per_s": rate, "train_flops": flops,
                            "flops_per_s": rate * flops, "peak": peak,
                            "fraction": rate * flops / peak, "precision": args.precision,
                            "device": device})
    finally:
        keras.mixed_precision.set_global_policy(previous)
    return results


def report(results):
    for r in results:
        print(f"{r['name']:>13} {r['shape']} batch {r['batch']:>3} {r['precision']}: "
              f"{r['images_per_s']:8.1f} images/s, {r['train_flops'] / 1e6:9.1f} MFLOP/image, "
              f"{r['flops_per_s'] / 1e9:7.2f} GFLOP/s = {r['fraction']:.2f} of the "
              f"{r['peak'] / 1e9:.1f} GFLOP/s matmul peak (goal >= {GOAL})")


def main(argv=None):
    report(measure(argv))
    return 0


def suite(quick=False, tiny=False):
    """One row per architecture (float32), plus MiniVGGNet in mixed_bfloat16 on CPUs."""
    from bench.common import ratio_row

    steps = ["--steps", "1", "--warmup", "1", "--tiny"] if tiny else (
        ["--steps", "8", "--warmup", "2"] if quick else ["--steps", "30", "--warmup", "3"])
    results = measure(steps)
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        results += measure(steps + ["--models", "minivggnet", "--precision", "mixed_bfloat16"])
    report(results)
    rows = []
    for r in results:
        h, w, d = r["shape"]
        detail = (f"{h}x{w}x{d}, batch {r['batch']}, {r['precision']} on {r['device']}: "
                  f"{r['images_per_s']:.1f} images/s x {r['train_flops'] / 1e6:.1f} MFLOP = "
                  f"{r['flops_per_s'] / 1e9:.2f} GFLOP/s; matmul peak "
                  f"{r['peak'] / 1e9:.1f} GFLOP/s")
        rows.append(ratio_row("training throughput", f"{r['name']}: fraction of matmul peak",
                              r["fraction"], GOAL, detail, unit=""))
    return rows


if __name__ == "__main__":
    sys.exit(main())
