"""Benchmark: the Dogs vs. Cats HDF5 build on every core vs a single-process loop.

Both sides turn the same images into the same HDF5 file: decode (OpenCV),
aspect-aware resize to 256x256, BGR to RGB, write uint8 rows with
`HDF5DatasetWriter`, and sum the per-image mean R, G, B.

- single process: the 2020 loop, one image after the other in this process,
  through the writer's default 1,000-image buffer (the book's `bufSize`);
- the build: `pyimagesearch.io.hdf5build.write_images` (what
  `build_dataset.py` runs for each split), decoding chunks of 128 images on
  `--workers` threads (build_dataset.py's default) and then on as many
  processes, while the calling thread writes each chunk as it arrives.

The files are read once before timing (page cache), so neither side pays
for reading the disk; before each side runs, the files of the earlier one
are deleted and `os.sync()` waits until nothing is left to write back, so
no side is billed for another's writes. `--trials` rounds of (loop, builds)
are interleaved (after one untimed warm-up round) and the medians
compared; every file must hold the same pixels and the same means as the
loop's. The CPU seconds of each side
(with its workers) are printed too: on a machine whose cores are busy with
other work, no pool can be faster than its share of the cores.
Goal: ratio >= 1.8 on 2 idle cores (the thread pool, the default).

    python bench/bench_build_dataset.py --dataset $DATASETS_DIR/dogs_vs_cats/train
    python bench/bench_build_dataset.py --dataset $DATASETS_DIR/dogs_vs_cats/train --limit 300
    python bench/bench_build_dataset.py          # $DATASETS_DIR's copy, else synthetic JPEGs
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`
GOAL = 1.8  # the build on 2 idle cores vs the one-process loop


def synthetic_folder(folder, count, seed=0):
    """`count` JPEGs named like Kaggle's, 375x500 (a typical Kaggle photo)."""
    import cv2

    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 256, (47, 63, 3), dtype=np.uint8), (500, 375))
    for i in range(count):
        image = np.roll(base, 7 * i, axis=1)
        cv2.imwrite(str(folder / f"{('cat', 'dog')[i % 2]}.{i // 2}.jpg"), image)
    return folder


def cpu_seconds():
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def single_process(paths, targets, class_names, output, size):
    """The 2020 loop: one image after the other, in this process."""
    import cv2

    from pyimagesearch.io import HDF5DatasetWriter
    from pyimagesearch.preprocessing import AspectAwarePreprocessor

    aap = AspectAwarePreprocessor(size, size)
    totals = np.zeros(3)
    written = 0
    with HDF5DatasetWriter((len(paths), size, size, 3), output, data_key="images") as writer:
        writer.storeClassLabels(class_names)
        for (path, label) in zip(paths, targets):
            image = cv2.imread(path)
            if image is None:
                continue
            image = cv2.cvtColor(aap.preprocess(image), cv2.COLOR_BGR2RGB)
            totals += cv2.mean(image)[:3]
            writer.add(image, [label])
            written += 1
    return {"R": totals[0] / written, "G": totals[1] / written, "B": totals[2] / written}


def image_list(args, scratch):
    """The images to time: --dataset, $DATASETS_DIR's Kaggle folder, or synthetic JPEGs."""
    from pyimagesearch.datasets import list_labelled_images

    folder = args.dataset
    if folder is None:
        folder = Path(os.environ.get("DATASETS_DIR", "datasets")) / "dogs_vs_cats" / "train"
        if not folder.is_dir():
            print(f"[INFO] no {folder}: timing {args.synthetic} synthetic 375x500 JPEGs")
            folder = synthetic_folder(scratch / "train", args.synthetic)
    paths, labels = list_labelled_images(folder, label_from=lambda p: Path(p).name.split(".")[0])
    if args.limit:
        paths, labels = paths[:args.limit], labels[:args.limit]
    return paths * args.repeat, labels * args.repeat


def parse(argv=None):
    """The command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=None,
                        help="the Kaggle train folder (default: $DATASETS_DIR/dogs_vs_cats/train)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N images only")
    parser.add_argument("--repeat", type=int, default=1,
                        help="list every image this many times (a larger build from a small "
                        "folder: 5 gives 10,000 images from the shared 2,000; default 1)")
    parser.add_argument("--synthetic", type=int, default=2000,
                        help="images to generate when there is no data set (default 2000)")
    parser.add_argument("--workers", type=int, default=None,
                        help="decoders of the build (default: every core)")
    parser.add_argument("--pool", choices=("both", "thread", "process"), default="both",
                        help="which pools to time (default both; thread is the default of "
                        "build_dataset.py)")
    parser.add_argument("--image-size", type=int, default=256, help="stored size (default 256)")
    parser.add_argument("--trials", type=int, default=5,
                        help="timed rounds of loop + builds; the medians are compared "
                        "(default 5)")
    parser.add_argument("--tmp", default=None, help="folder for the two HDF5 files")
    args = parser.parse_args(argv)
    if args.trials < 1 or args.repeat < 1:
        parser.error(f"--trials and --repeat must be at least 1, got {args.trials} and "
                     f"{args.repeat}")
    return args


def settle(folder):
    """Start a side with no dirty pages of an earlier side's file still being
    written back (that would bill it for them)."""
    for old in Path(folder).glob("*.hdf5"):
        old.unlink()
    os.sync()
    time.sleep(0.2)


def timed(side, times, cpu, work):
    """Run `work()` after `settle`, adding its wall and CPU seconds to `side`."""
    started, cpu0 = time.perf_counter(), cpu_seconds()
    result = work()
    times[side].append(time.perf_counter() - started)
    cpu[side].append(cpu_seconds() - cpu0)  # this process and its workers
    return result


def same_build(reference, built, loop_mean, mean):
    """The same pixels, labels and means as the loop's file."""
    import h5py

    with h5py.File(reference, "r") as a, h5py.File(built, "r") as b:
        return (np.array_equal(a["images"][:], b["images"][:])
                and np.array_equal(a["labels"][:], b["labels"][:])
                and all(abs(loop_mean[c] - mean[c]) < 1e-6 for c in "RGB"))


def run_rounds(args, paths, labels, class_names, workers, kinds, tmp):
    """Rounds of the loop then each build, interleaved; `(times, cpu, checks)`.

    Drift of the machine's speed touches every side alike, and the medians
    are compared. A first, untimed round warms up what any first run pays:
    page faults of a fresh heap, h5py's and the pools' first use.
    """
    from pyimagesearch.io import hdf5build

    targets = [class_names.index(label) for label in labels]
    tmp = Path(tmp)
    times = {"loop": [], "thread": [], "process": []}
    cpu = {"loop": [], "thread": [], "process": []}
    checks = []
    for trial in range(args.trials + 1):
        settle(tmp)
        loop_mean = timed("loop", times, cpu, lambda: single_process(
            paths, targets, class_names, tmp / "loop.hdf5", args.image_size))
        os.replace(tmp / "loop.hdf5", tmp / "reference.h5")
        for kind in kinds:
            settle(tmp)
            summary = timed(kind, times, cpu, lambda: hdf5build.write_images(
                paths, labels, tmp / f"{kind}.hdf5", class_names, size=args.image_size,
                workers=workers, verbose=False, pool_kind=kind))
            checks.append(same_build(tmp / "reference.h5", tmp / f"{kind}.hdf5", loop_mean,
                                     summary["mean"]))
        (tmp / "reference.h5").unlink()
        if trial == 0:
            for side in (times, cpu):
                for runs in side.values():
                    runs.clear()
    return times, cpu, checks


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return its timings."""
    args = parse(argv)

    from pyimagesearch.io import hdf5build

    synthetic = tempfile.TemporaryDirectory(dir=args.tmp)
    paths, labels = image_list(args, Path(synthetic.name))
    class_names = sorted(set(labels))
    workers = args.workers or hdf5build.default_workers()
    kinds = ["thread", "process"] if args.pool == "both" else [args.pool]

    # read every file once: both sides then find them in the page cache;
    # and import what both sides use before the clock starts
    for path in paths:
        Path(path).read_bytes()
    import cv2  # noqa: F401

    from pyimagesearch.io import HDF5DatasetWriter  # noqa: F401
    from pyimagesearch.preprocessing import AspectAwarePreprocessor  # noqa: F401

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        times, cpu, checks = run_rounds(args, paths, labels, class_names, workers, kinds, tmp)
    synthetic.cleanup()
    return {"images": len(paths), "image_size": args.image_size, "workers": workers,
            "cores": hdf5build.default_workers(), "kinds": kinds, "times": times, "cpu": cpu,
            "identical": all(checks)}


def report(result):
    """Print the timings and the ratio; return the ratio of the default (first) pool."""
    n, size, times, cpu = result["images"], result["image_size"], result["times"], result["cpu"]
    loop_s = float(np.median(times["loop"]))
    print(f"images: {n} ({size}x{size}), cores: {result['cores']}, workers: {result['workers']}")
    print(f"single-process loop: {loop_s:.2f} s ({n / loop_s:.1f} images/s; runs "
          f"{', '.join(f'{t:.2f}' for t in times['loop'])} s; CPU {np.median(cpu['loop']):.2f} s)")
    for kind in result["kinds"]:
        seconds = float(np.median(times[kind]))
        print(f"build, {kind} pool: {seconds:.2f} s ({n / seconds:.1f} images/s; runs "
              f"{', '.join(f'{t:.2f}' for t in times[kind])} s; CPU "
              f"{np.median(cpu[kind]):.2f} s with its workers); ratio {loop_s / seconds:.2f}x")
    print(f"identical files and means: {result['identical']}")
    print("(CPU seconds say what each costs; on a busy machine the wall-time ratio cannot "
          "exceed the share of the cores it gets)")
    kind = result["kinds"][0]
    ratio = loop_s / float(np.median(times[kind]))
    print(f"ratio ({kind} pool, build_dataset.py's default): {ratio:.2f}x (goal >= {GOAL}x) "
          f"{'PASS' if ratio >= GOAL else 'FAIL'}")
    return ratio


def main(argv=None):
    result = measure(argv)
    report(result)
    return 0 if result["identical"] else 1


def suite(quick=False, tiny=False):
    """The suite's rows: the build (thread pool) vs the one-process loop."""
    from bench.common import ratio_row

    if tiny:
        argv = ["--limit", "16", "--synthetic", "16", "--image-size", "32", "--trials", "1",
                "--pool", "thread"]
    elif quick:
        argv = ["--limit", "300", "--synthetic", "300", "--trials", "1", "--pool", "thread"]
    else:
        argv = ["--pool", "thread"]
    result = measure(argv)
    ratio = report(result)
    loop_s, build_s = (float(np.median(result["times"][k])) for k in ("loop", "thread"))
    detail = (f"{result['images']} JPEGs to {result['image_size']}px HDF5: loop {loop_s:.2f} s, "
              f"{result['workers']} decoding threads {build_s:.2f} s; identical files: "
              f"{result['identical']}")
    return [ratio_row("HDF5 build (Dogs vs. Cats)", "build / one-process loop speed", ratio,
                      GOAL, detail)]


if __name__ == "__main__":
    sys.exit(main())
