"""Benchmark: peak memory while streaming an HDF5 file larger than memory.

The point of the HDF5 pipeline (Dogs vs. Cats: 20,000 training images of
256x256x3 are 3.9 GB as uint8, 15.7 GB as float32, 31 GB as the 2020
code's float64) is that training never holds the data set in memory. This
benchmark writes a synthetic file of `--gigabytes` of 256x256x3 uint8
images (in chunks; a repeated pattern with a little noise, since random
bytes are slow to make), streams it once through `HDF5DatasetGenerator`
as train_alexnet.py does (random 227x227 crop, random flips, one-hot
labels, batch 128), prints the peak resident memory of this process
(`VmHWM`, or `ru_maxrss` where there is no /proc: it includes Python,
NumPy, h5py and TensorFlow themselves) and deletes the file.
Goal: peak RSS <= 2 GB for the default 8 GB file.

    python bench/bench_hdf5_memory.py                    # 8 GB in a temporary folder
    python bench/bench_hdf5_memory.py --gigabytes 0.1    # a quick check
    python bench/bench_hdf5_memory.py --dir /scratch     # where the file goes
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`

SIZE = 256


def peak_rss_mb():
    """This process's peak resident memory in MB.

    Linux: ``VmHWM`` of /proc/self/status, the peak of this program's own
    memory (``ru_maxrss`` would count the parent's memory at the fork too,
    when the suite starts this benchmark as a subprocess); elsewhere
    ``ru_maxrss`` (kilobytes on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
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


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return the peak memory."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gigabytes", type=float, default=8.0,
                        help="size of the synthetic file in GB (default 8)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    parser.add_argument("--crop", type=int, default=227, help="crop size (default 227)")
    parser.add_argument("--dir", default=None, help="folder for the file (default: the temp dir)")
    parser.add_argument("--goal-gb", type=float, default=2.0, help="the goal (default 2 GB)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
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
            raise SystemExit(f"not enough disk space in {folder}: {free / 1e9:.1f} GB free")
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

    result = {"images": images, "gigabytes": images * SIZE * SIZE * 3 / 1e9, "seen": seen,
              "written_s": written_s, "after_write_mb": after_write, "stream_s": stream_s,
              "peak_mb": peak, "goal_gb": args.goal_gb, "path": str(path)}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return result


def report(result):
    print(f"file: {result['images']} images, {result['gigabytes']:.2f} GB, written in "
          f"{result['written_s']:.1f} s (peak RSS then {result['after_write_mb']:.0f} MB)")
    print(f"streamed {result['seen']} images in {result['stream_s']:.1f} s "
          f"({result['seen'] / result['stream_s']:.0f} images/s)")
    goal_mb = result["goal_gb"] * 1024
    print(f"peak RSS: {result['peak_mb']:.0f} MB (goal <= {goal_mb:.0f} MB) "
          f"{'PASS' if result['peak_mb'] <= goal_mb else 'FAIL'}")
    print(f"[INFO] deleted {result['path']}")


def main(argv=None):
    result = measure(argv)
    report(result)
    return 0 if result["seen"] == result["images"] else 1


def suite(quick=False, tiny=False):
    """The suite's row: peak memory while streaming the file (8 GB; 0.5 GB in --quick)."""
    from bench.common import Row

    # in a process of its own: the peak RSS of the suite's process holds the
    # other benchmarks' memory too
    gigabytes = 0.01 if tiny else (0.5 if quick else 8.0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "memory.json"
        subprocess.run([sys.executable, __file__, "--gigabytes", str(gigabytes),
                        "--json", str(out)], check=True)
        result = json.loads(out.read_text())
    peak_gb = result["peak_mb"] / 1024
    detail = (f"{result['gigabytes']:.2f} GB file streamed in batches of 128 (227px crops, "
              f"flips), {result['seen'] / result['stream_s']:.0f} images/s; peak RSS of the "
              "whole process (Python, TensorFlow, h5py)")
    if gigabytes < 8:
        detail += "; the 8 GB file of the goal only without --quick"
    return [Row("HDF5 memory", "peak RSS while streaming", f"{peak_gb:.2f} GB",
                f"<= {result['goal_gb']:g} GB", peak_gb <= result["goal_gb"], detail)]


if __name__ == "__main__":
    sys.exit(main())
