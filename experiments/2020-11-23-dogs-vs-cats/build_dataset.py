"""HDF5 build: DL4CV Practitioner Bundle ch. 9, `build_dogs_vs_cats.py` (2020-11-23-dogs-vs-cats).

Step 1: the HDF5 files and the mean. Data: the Kaggle ``train`` folder,
``{cat,dog}.N.jpg``; the label is the name before the first dot (``cat.12.jpg``).
Recipe (the book's): a stratified, seeded split into
train / validation / test (the diary: 2,500 + 2,500 of 25,000, i.e. the
default 10% + 10%; `--val-count`/`--test-count` give absolute numbers);
every image resized to 256x256 keeping its aspect ratio
(AspectAwarePreprocessor) and stored as uint8 **RGB** (OpenCV decodes BGR:
the channels are swapped here, once) in ``train.hdf5``, ``val.hdf5`` and
``test.hdf5``; the mean R, G, B of the training images (0-255) goes to
``mean.json``. Decoding and resizing run on every core (`--workers`; threads,
since OpenCV releases Python's GIL, or `--pool process`).

Nothing is overwritten unless `--force`, and even then the old build stays
whole until the new one is complete (temporary names, renamed at the end,
``mean.json``, the mark of a finished build, last); the new input is checked
first. An interrupted build leaves nothing that looks finished: run it again.

    python experiments/2020-11-23-dogs-vs-cats/build_dataset.py --dataset dogs_vs_cats --hdf5-dir outputs/dogs_vs_cats/hdf5
"""

import json
import sys
import time

import config  # the study's settings, beside this script (the book's config pattern)
from pyimagesearch import harness
from pyimagesearch.datasets import split_counts, split_dataset
from pyimagesearch.errors import DatasetError, OutputExistsError
from pyimagesearch.harness.faults import fault_point
from pyimagesearch.io import hdf5build
from pyimagesearch.utils.atomic import atomic_paths, atomic_write

parser = harness.argument_parser(__doc__)
parser.add_argument("-d", "--dataset", required=True,
                    help="the Kaggle train folder ({cat,dog}.N.jpg), or a name under $DATASETS_DIR")
parser.add_argument("--hdf5-dir", required=True,
                    help="folder of train.hdf5, val.hdf5, test.hdf5 and mean.json")
parser.add_argument("--val-fraction", type=harness.fraction, default=config.VAL_FRACTION,
                    help="share of the images for validation")
parser.add_argument("--test-fraction", type=harness.fraction, default=config.TEST_FRACTION,
                    help="share of the images for testing")
parser.add_argument("--val-count", type=harness.positive_int, default=None,
                    help="number of validation images (overrides --val-fraction; the diary's 2500)")
parser.add_argument("--test-count", type=harness.positive_int, default=None,
                    help="number of test images (overrides --test-fraction; the diary's 2500)")
parser.add_argument("--image-size", type=harness.positive_int, default=config.IMAGE_SIZE,
                    help="stored image size, square")
parser.add_argument("--workers", type=harness.positive_int, default=None,
                    help="decoders working in parallel (default: every core; 1 = none)")
parser.add_argument("--pool", choices=hdf5build.POOL_KINDS, default="thread",
                    help="threads (OpenCV releases the GIL, nothing is copied) or processes")
parser.add_argument("--buffer-size", type=harness.positive_int, default=hdf5build.CHUNK_SIZE,
                    help="images buffered before each write (default: one decoded chunk)")
parser.add_argument("--force", action="store_true", help="overwrite the files of an earlier build")
parser.add_argument("--seed", type=int, default=config.SEED, help="seed of the split")
parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                    help="0 silent, 1 or 2 a progress bar per split")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)
    paths = config.hdf5_paths(args.hdf5_dir)
    # the files of a build; mean.json, written last, marks it finished
    finals = [paths[split] for split in config.SPLITS]
    finals += [paths["mean"].with_name("build.json"), paths["mean"]]

    # refuse to overwrite an earlier build (before any work is done)
    existing = [p for p in finals if p.exists()]
    if existing and not args.force:
        raise OutputExistsError(
            f"--hdf5-dir {args.hdf5_dir} already holds {', '.join(p.name for p in existing)}; "
            "pass --force to overwrite them"
        )

    # grab the paths to the images and take the labels from the file names;
    # every check of the new input comes before anything is written
    print("[INFO] loading image paths...")
    image_paths, labels = config.list_kaggle_images(dataset)
    class_names = sorted(set(labels))
    n_val, n_test = split_counts(len(image_paths), args.val_fraction,
                                 args.test_fraction, args.val_count, args.test_count)

    # stratified split: test images first, then validation images
    splits = split_dataset(image_paths, labels, n_val, n_test, seed=args.seed)
    workers = args.workers or hdf5build.default_workers()
    print(f"[INFO] {len(image_paths)} images of {len(class_names)} classes "
          f"({', '.join(class_names)}): {len(splits['train'][0])} train, {n_val} val, "
          f"{n_test} test; {workers} decoding {args.pool}(s)")

    # the new files are written under temporary names; the old build stays
    # whole until every new file is complete, then all are renamed at once
    started = time.perf_counter()
    with atomic_paths(finals, exist_ok=args.force) as temps:  # one build at a time
        outputs = dict(zip(config.SPLITS, temps))
        summary = write_splits(args, dataset, splits, class_names, outputs, workers)
        seconds = time.perf_counter() - started
        mean = summary["train"]["mean"]
        build = {"dataset": str(dataset), "image_size": args.image_size, "seed": args.seed,
                 "channel_order": "RGB", "class_names": class_names, "workers": workers,
                 "pool": args.pool, "seconds": round(seconds, 2), "splits": summary}
        with atomic_write(temps[-2]) as f:
            f.write(json.dumps(build, indent=2) + "\n")
        # the training set's mean R, G, B: the build's completion mark
        print("[INFO] serializing means...")
        hdf5build.write_mean_json(temps[-1], mean)
    images = sum(s["written"] for s in summary.values())
    print(f"[INFO] mean R {mean['R']:.2f}, G {mean['G']:.2f}, B {mean['B']:.2f}")
    print(f"[INFO] wrote {images} images in {seconds:.1f} s ({images / seconds:.1f} images/s) "
          f"to {args.hdf5_dir}")
    return 0


def write_splits(args, dataset, splits, class_names, outputs, workers):
    """Write each split to its HDF5 file (one pool of decoders serves the three)."""
    summary = {}
    with hdf5build.decoding_pool(workers, args.pool) as pool:
        for split in config.SPLITS:
            split_paths, split_labels = splits[split]
            print(f"[INFO] building {split}.hdf5...")
            try:
                summary[split] = hdf5build.write_images(
                    split_paths, split_labels, outputs[split], class_names, size=args.image_size,
                    buf_size=args.buffer_size, verbose=args.verbose > 0,
                    label=f"[INFO] {split}", pool=pool,
                    on_chunk=lambda done: fault_point("hdf5_chunk"),  # tests: a kill here
                    attrs={"split": split, "seed": args.seed, "dataset": str(dataset)},
                )
            except DatasetError as error:
                raise DatasetError(f"--dataset {dataset}: {split} split: {error}; nothing was "
                                   "changed in --hdf5-dir") from None
            if summary[split]["skipped"]:
                print(f"[WARN] {split}: skipped {summary[split]['skipped']} unreadable image(s)")
            # the counts are of what was written (unreadable files skipped)
            lost = [name for name, n in summary[split]["classes"].items() if n == 0]
            if lost:
                raise DatasetError(
                    f"--dataset {dataset}: no readable image of {', '.join(lost)} in the "
                    f"{split} split; remove the unreadable files or add images; nothing "
                    "was changed in --hdf5-dir")
    return summary


if __name__ == "__main__":
    sys.exit(main())
