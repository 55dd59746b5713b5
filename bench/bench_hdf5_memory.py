"""Benchmark: peak memory while streaming an HDF5 file larger than memory.

The point of the HDF5 pipeline (Dogs vs. Cats: 20,000 training images of
256x256x3 are 3.9 GB as uint8, 15.7 GB as float32, 31 GB as the 2020
code's float64) is that training never holds the data set in memory. This
benchmark writes a synthetic file of `--gigabytes` of 256x256x3 uint8
images (in chunks; a repeated pattern with a little noise, since random
bytes are slow to make), streams it once through `HDF5DatasetGenerator`
as train_alexnet.py does (random 227x227 crop, random flips, one-hot
labels, batch 128), prints the peak resident memory of this process
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`: it includes Python, NumPy,
h5py and TensorFlow themselves) and deletes the file.
Goal: peak RSS <= 2 GB for the default 8 GB file.

    python bench/bench_hdf5_memory.py                    # 8 GB in a temporary folder
    python bench/bench_hdf5_memory.py --gigabytes 0.1    # a quick check
    python bench/bench_hdf5_memory.py --dir /scratch     # where the file goes
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

SIZE = 256


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def write_file(path, images, seed=0):
    from pyimagesearch.io import HDF5DatasetWriter

    rng = np.random.default_rng(seed)
    # one textured pattern, shifted and lightly noised per chunk
    pattern = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    chunk = 256
    with HDF5DatasetWriter((images, SIZE, SIZE, 3), path, data_key="images",
                           buf_size=chunk) as writer:
        writer.storeClassLabels(["cat", "dog"])
        for start in range(0, images, chunk):
            n = min(chunk, images - start)
            batch = np.broadcast_to(np.roll(pattern, start % SIZE, axis=1),
                                    (n, SIZE, SIZE, 3)).copy()
            batch[:, 0, :8] = rng.integers(0, 256, (n, 8, 3), dtype=np.uint8)
            writer.add(batch, np.arange(start, start + n) % 2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gigabytes", type=float, default=8.0,
                        help="size of the synthetic file in GB (default 8)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    parser.add_argument("--crop", type=int, default=227, help="crop size (default 227)")
    parser.add_argument("--dir", default=None, help="folder for the file (default: the temp dir)")
    parser.add_argument("--goal-gb", type=float, default=2.0, help="the goal (default 2 GB)")
    args = parser.parse_args(argv)
    if args.gigabytes <= 0:
        parser.error("--gigabytes must be > 0")

    from pyimagesearch.io import HDF5DatasetGenerator

    images = max(1, int(args.gigabytes * 1e9 / (SIZE * SIZE * 3)))
    folder = Path(tempfile.mkdtemp(prefix="bench_hdf5_memory_", dir=args.dir))
    path = folder / "stream.hdf5"
    try:
        free = shutil.disk_usage(folder).free
        if free < images * SIZE * SIZE * 3 * 1.05:
            print(f"not enough disk space in {folder}: {free / 1e9:.1f} GB free", file=sys.stderr)
            return 2
        print(f"[INFO] writing {images} images ({images * SIZE * SIZE * 3 / 1e9:.2f} GB) "
              f"to {path}...")
        started = time.perf_counter()
        write_file(path, images)
        written_s = time.perf_counter() - started
        after_write = peak_rss_mb()

        # stream it once, as train_alexnet.py does
        print("[INFO] streaming it through HDF5DatasetGenerator...")
        started = time.perf_counter()
        seen = 0
        with HDF5DatasetGenerator(path, args.batch_size, crop=args.crop, flip=True,
                                  seed=0) as gen:
            for (batch, labels) in gen.generator(passes=1):
                seen += len(batch)
        stream_s = time.perf_counter() - started
        peak = peak_rss_mb()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"file: {images} images, {images * SIZE * SIZE * 3 / 1e9:.2f} GB, written in "
          f"{written_s:.1f} s (peak RSS then {after_write:.0f} MB)")
    print(f"streamed {seen} images in {stream_s:.1f} s ({seen / stream_s:.0f} images/s)")
    print(f"peak RSS: {peak:.0f} MB (goal <= {args.goal_gb * 1024:.0f} MB) "
          f"{'PASS' if peak <= args.goal_gb * 1024 else 'FAIL'}")
    print(f"[INFO] deleted {path}")
    return 0 if seen == images else 1


if __name__ == "__main__":
    sys.exit(main())
