"""Benchmark: feature extraction from image files vs the network alone.

Measures images/second of the 2020-11-19 feature-extraction path
(`pyimagesearch.features.extract_features`, what both studies'
`extract_features.py` run: a tf.data pipeline that reads, decodes and resizes
the JPEGs in parallel with the network, `predict_on_batch`, flattening and
the buffered HDF5 writer) against a bare `model.predict` on the same images
already decoded, resized and preprocessed in memory, in the same run. The
ratio says how much of the network's speed the input pipeline keeps
(goal: >= 0.9).

Runs offline: random weights by default (speed does not depend on them) on
generated JPEGs, or on `--dataset DIR`.

    python bench/bench_feature_extraction.py                     # mobilenet_v2, 256 images
    python bench/bench_feature_extraction.py --model vgg16 --images 64
    python bench/bench_feature_extraction.py --dataset /path/to/flowers17 --images 512
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.common`, `pyimagesearch`
GOAL = 0.9  # the input pipeline keeps >= 90% of the network's speed


def make_jpegs(folder, count, size, seed=0):
    """`count` JPEGs of `size` x `size`: smooth colour fields plus noise (photo-like sizes)."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        image = cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC)
        image = np.clip(image + rng.normal(0, 12, image.shape), 0, 255).astype("uint8")
        path = Path(folder) / f"class_{i % 4}" / f"image_{i:04d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        paths.append(str(path))
    return paths


def parse(argv=None):
    """The command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mobilenet_v2", help="network (default mobilenet_v2)")
    parser.add_argument("--weights", default="none", help="none (default), imagenet or a path")
    parser.add_argument("--images", type=int, default=256, help="images to process (default 256)")
    parser.add_argument("--jpeg-size", type=int, default=256,
                        help="side of the generated JPEGs (default 256)")
    parser.add_argument("--dataset", default=None, help="use this image folder instead")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=None,
                        help="network input size (default: the network's own)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed passes of each path, in turn; the best counts (default 5: "
                        "a single pass of either side varies by up to 1.5x on 2 cores)")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    return parser.parse_args(argv)


def measure(argv=None):
    """Run the benchmark with command-line `argv`; return its rates."""
    args = parse(argv)

    import numpy as np

    from pyimagesearch.datasets import image_path_dataset, list_images
    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    with tempfile.TemporaryDirectory() as tmp:
        if args.dataset:
            paths = list_images(args.dataset)[: args.images]
        else:
            paths = make_jpegs(Path(tmp) / "images", args.images, args.jpeg_size)
        labels = np.arange(len(paths)) % 4
        preprocess = backbones.preprocess_input(spec.name)
        model = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                         input_shape=(size, size, 3))
        dims = int(np.prod(model.output_shape[1:]))

        # the same images, decoded, resized and preprocessed ahead of time
        preloaded = np.concatenate([images.numpy() for (_, images) in
                                    image_path_dataset(paths, size, preprocess, args.batch_size)])

        times = time_both_paths(model, paths, labels, preloaded, preprocess, size, dims,
                                args, Path(tmp))

    bare_rate = len(paths) / min(times["bare"])
    files_rate = len(paths) / min(times["files"])
    result = {"model": spec.name, "size": size, "images": len(paths),
              "batch_size": args.batch_size, "bare_images_per_s": bare_rate,
              "files_images_per_s": files_rate, "ratio": files_rate / bare_rate,
              "seconds": times}
    if args.json:
        from pyimagesearch.utils.atomic import atomic_write

        with atomic_write(args.json) as f:
            f.write(json.dumps(result, indent=2) + "\n")
    return result


def time_both_paths(model, paths, labels, preloaded, preprocess, size, dims, args, tmp):
    """Seconds of each timed pass: `predict` on preloaded images, and the study's extraction.

    Both paths are warmed up first (graph tracing, thread pools), then timed
    in turn, `args.repeats` times each.
    """
    from pyimagesearch.features import extract_features  # the loop the study scripts run
    from pyimagesearch.io import HDF5DatasetWriter

    def bare():
        out = model.predict(preloaded, batch_size=args.batch_size, verbose=0)
        return out.reshape((len(out), -1))

    def from_files(index):
        path = tmp / f"features_{index}.hdf5"
        with HDF5DatasetWriter((len(paths), dims), path, data_key="features",
                               buf_size=1000) as writer:
            n = extract_features(model, paths, labels, writer, preprocess, size,
                                 batch_size=args.batch_size, verbose=0)
        path.unlink()
        return n

    model.predict(preloaded[: args.batch_size], batch_size=args.batch_size, verbose=0)
    extract_features(model, paths[: args.batch_size], labels[: args.batch_size], _NullWriter(),
                     preprocess, size, batch_size=args.batch_size, verbose=0)
    times = {"bare": [], "files": []}
    for index in range(args.repeats):
        for name, work in (("bare", bare), ("files", lambda: from_files(index))):
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return times


def report(result):
    print(f"[INFO] {result['model']} at {result['size']}x{result['size']}, {result['images']} "
          f"images, batch {result['batch_size']}, {os.cpu_count()} CPU cores")
    print(f"[INFO] bare model.predict (preloaded): {result['bare_images_per_s']:7.1f} images/s")
    print(f"[INFO] extract_features (from files):  {result['files_images_per_s']:7.1f} images/s")
    print(f"[INFO] ratio: {result['ratio']:.2f} (goal >= {GOAL})")


def main(argv=None):
    report(measure(argv))
    return 0


def suite(quick=False, tiny=False):
    """The suite's row: extraction from files vs predict on preloaded images."""
    from bench.common import ratio_row

    if tiny:
        argv = ["--images", "8", "--jpeg-size", "48", "--image-size", "32", "--batch-size", "4",
                "--repeats", "1"]
    elif quick:
        argv = ["--images", "64", "--repeats", "2"]
    else:
        argv = []
    result = measure(argv)
    report(result)
    detail = (f"{result['model']} {result['size']}px, {result['images']} JPEGs, batch "
              f"{result['batch_size']}: {result['files_images_per_s']:.1f} vs "
              f"{result['bare_images_per_s']:.1f} images/s")
    return [ratio_row("feature extraction", "from files / predict on preloaded images",
                      result["ratio"], GOAL, detail)]


class _NullWriter:
    """Accepts rows and drops them (for the warm-up pass)."""

    def add(self, rows, labels):
        pass


if __name__ == "__main__":
    sys.exit(main())
