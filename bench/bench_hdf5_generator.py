"""Benchmark: HDF5DatasetGenerator's batches vs a raw read and vs a 2020-style generator.

Three ways to get every training batch of an HDF5 file of 256x256x3 uint8
images, timed over the same file and batch size:

- raw read: ``images[i:i + bs]`` for every batch, nothing else (the
  ceiling: what h5py alone costs);
- the generator (`pyimagesearch.io.HDF5DatasetGenerator`) with a random
  227x227 crop (one hyperslab per batch), random horizontal flips and the
  mean subtracted in NumPy (float32 out), and once more without the mean
  (uint8 out: what train_alexnet.py feeds a model that subtracts the mean
  itself), plus one-hot labels;
- a 2020-style generator: every image read on its own (``images[j]``),
  then the book's per-image Python preprocessors (PatchPreprocessor,
  MeanPreprocessor, a random flip, ImageToArrayPreprocessor).

Goals: the generator as train_alexnet.py runs it (crop + flip in the
generator, uint8 batches, the mean subtracted by the model's first layer)
>= 0.3x the raw read's images/second, and >= 10x the 2020-style
generator's. The NumPy-mean variant is reported beside it: writing float32
batches (4x the bytes) is what the mean-in-the-model design avoids.

The file is `--db PATH` (e.g. build_dataset.py's train.hdf5), or a
synthetic file of `--images` images written to a temporary folder first.
Every file is read once before timing (page cache).

    python bench/bench_hdf5_generator.py --db outputs/dogs_vs_cats/hdf5/train.hdf5
    python bench/bench_hdf5_generator.py --images 500         # ~100 MB synthetic file
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`

MEAN = {"R": 124.96, "G": 115.97, "B": 106.13}
GOAL_RAW, GOAL_OLD = 0.3, 10  # vs the raw read; vs the 2020-style generator


def synthetic_file(path, images, size=256, seed=0):
    """`images` textured 256x256x3 uint8 images with alternating labels."""
    from pyimagesearch.io import HDF5DatasetWriter

    rng = np.random.default_rng(seed)
    # a few random tiles reused (random bytes for every image are slow)
    tiles = rng.integers(0, 256, (8, size, size, 3), dtype=np.uint8)
    with HDF5DatasetWriter((images, size, size, 3), path, data_key="images") as writer:
        writer.storeClassLabels(["cat", "dog"])
        for start in range(0, images, 64):
            n = min(64, images - start)
            batch = tiles[np.arange(start, start + n) % len(tiles)].copy()
            batch[:, 0, 0, 0] = np.arange(start, start + n) % 256  # every image differs
            writer.add(batch, np.arange(start, start + n) % 2)
    return path


def raw_read(path, batch_size):
    import h5py

    with h5py.File(path, "r") as db:
        images = db["images"]
        n = images.shape[0]
        for i in range(0, n, batch_size):
            batch = images[i:i + batch_size]
            labels = db["labels"][i:i + batch_size]
    return n, batch.shape, labels.shape


def generator_pass(path, batch_size, crop, mean):
    from pyimagesearch.io import HDF5DatasetGenerator

    with HDF5DatasetGenerator(path, batch_size, crop=crop, flip=True, mean=mean,
                              seed=0) as gen:
        for (images, labels) in gen.generator(passes=1):
            pass
        return gen.num_images, images.shape, images.dtype


def style_2020_pass(path, batch_size, crop):
    """The 2020 way: one image at a time, Python preprocessors per image."""
    import h5py
    import keras

    from pyimagesearch.preprocessing import (ImageToArrayPreprocessor, MeanPreprocessor,
                                             PatchPreprocessor)

    pp = PatchPreprocessor(crop, crop, seed=0)
    mp = MeanPreprocessor(MEAN["R"], MEAN["G"], MEAN["B"])
    iap = ImageToArrayPreprocessor()
    rng = np.random.default_rng(0)
    with h5py.File(path, "r") as db:
        n = db["labels"].shape[0]
        for i in range(0, n, batch_size):
            processed, labels = [], []
            for j in range(i, min(i + batch_size, n)):
                image = db["images"][j]
                label = db["labels"][j]
                image = pp.preprocess(image)
                image = mp.preprocess(image)
                if rng.random() < 0.5:
                    image = image[:, ::-1]
                processed.append(iap.preprocess(image))
                labels.append(label)
            images = np.array(processed)
            labels = keras.utils.to_categorical(labels, 2)
    return n, images.shape, images.dtype


def timed(fn, *args, repeats=1):
    best = None
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn(*args)
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, out


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return the rates."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=None, help="an HDF5 file of images (default: synthetic)")
    parser.add_argument("--images", type=int, default=2000,
                        help="images of the synthetic file (default 2000: 393 MB)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    parser.add_argument("--crop", type=int, default=227, help="crop size (default 227)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="passes per method; the fastest counts (default 2)")
    parser.add_argument("--tmp", default=None, help="folder for the synthetic file")
    args = parser.parse_args(argv)

    import keras  # noqa: F401  (imported before the clock starts)

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        path = Path(args.db) if args.db else synthetic_file(Path(tmp) / "bench.hdf5", args.images)
        Path(path).read_bytes()  # into the page cache
        size_mb = Path(path).stat().st_size / 2**20

        raw_s, (n, _, _) = timed(raw_read, path, args.batch_size, repeats=args.repeats)
        gen_s, (_, shape, dtype) = timed(generator_pass, path, args.batch_size, args.crop, MEAN,
                                         repeats=args.repeats)
        gen8_s, (_, shape8, dtype8) = timed(generator_pass, path, args.batch_size, args.crop,
                                            None, repeats=args.repeats)
        old_s, (_, old_shape, _) = timed(style_2020_pass, path, args.batch_size, args.crop)

    rate = {name: n / s for name, s in (("raw", raw_s), ("gen", gen8_s), ("mean", gen_s),
                                        ("old", old_s))}
    return {"source": str(path) if args.db else "synthetic", "images": n, "size_mb": size_mb,
            "batch_size": args.batch_size, "crop": args.crop, "rate": rate,
            "shapes": {"gen": shape8, "mean": shape, "old": old_shape},
            "dtypes": {"gen": dtype8, "mean": dtype}}


def report(result):
    rate, shapes, dtypes = result["rate"], result["shapes"], result["dtypes"]
    vs_raw = rate["gen"] / rate["raw"]
    vs_old = rate["gen"] / rate["old"]
    print(f"file: {result['source']} ({result['images']} images, {result['size_mb']:.0f} MB), "
          f"batch {result['batch_size']}, crop {result['crop']}")
    print(f"raw contiguous read:                     {rate['raw']:9.1f} images/s")
    print(f"generator, crop+flip, {dtypes['gen']} (mean in model): {rate['gen']:9.1f} images/s "
          f"{shapes['gen']}")
    print(f"generator, crop+flip+mean in NumPy, {dtypes['mean']}: {rate['mean']:9.1f} images/s "
          f"{shapes['mean']}")
    print(f"2020-style per-image generator, float32: {rate['old']:9.1f} images/s {shapes['old']}")
    print(f"generator / raw read: {vs_raw:.2f}x (goal >= {GOAL_RAW}x) "
          f"{'PASS' if vs_raw >= GOAL_RAW else 'FAIL'}")
    print(f"generator / 2020-style: {vs_old:.1f}x (goal >= {GOAL_OLD}x) "
          f"{'PASS' if vs_old >= GOAL_OLD else 'FAIL'}")
    print(f"(with the mean subtracted in NumPy instead of the model: "
          f"{rate['mean'] / rate['raw']:.2f}x the raw read, {rate['mean'] / rate['old']:.1f}x "
          f"the 2020-style generator)")
    return vs_raw, vs_old


def main(argv=None):
    report(measure(argv))
    return 0


def suite(quick=False, tiny=False):
    """The suite's rows: the generator vs the raw read and vs the 2020-style generator."""
    from bench.common import ratio_row

    if tiny:
        argv = ["--images", "16", "--batch-size", "8", "--repeats", "1"]
    elif quick:
        argv = ["--images", "500", "--repeats", "1"]
    else:
        argv = []
    result = measure(argv)
    vs_raw, vs_old = report(result)
    rate = result["rate"]
    detail = (f"{result['images']} images 256px uint8 ({result['size_mb']:.0f} MB), batch "
              f"{result['batch_size']}, crop {result['crop']}: generator {rate['gen']:.0f}, raw "
              f"{rate['raw']:.0f}, 2020-style {rate['old']:.0f} images/s")
    return [ratio_row("HDF5 generator", "generator / raw h5py read", vs_raw, GOAL_RAW, detail),
            ratio_row("HDF5 generator", "generator / 2020-style per-image generator", vs_old,
                      GOAL_OLD, detail)]


if __name__ == "__main__":
    sys.exit(main())
