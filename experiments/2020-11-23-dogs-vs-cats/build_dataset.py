"""Build the Dogs vs. Cats HDF5 files and the mean (2020-11-23-dogs-vs-cats, step 1).

Data: the Kaggle ``train`` folder, ``{cat,dog}.N.jpg``; the label is the file
name before the first dot (``cat.12.jpg`` is a cat).
Recipe (the book's `build_dogs_vs_cats.py`): a stratified, seeded split into
train / validation / test (the diary: 2,500 + 2,500 of 25,000, i.e. the
default 10% + 10%; `--val-count`/`--test-count` give absolute numbers);
every image resized to 256x256 keeping its aspect ratio
(AspectAwarePreprocessor) and stored as uint8 **RGB** (OpenCV decodes BGR:
the channels are swapped here, once) in ``train.hdf5``, ``val.hdf5`` and
``test.hdf5``; the mean R, G, B of the training images (0-255) goes to
``mean.json``. Decoding and resizing run on every core (`--workers`; a
pool of threads, since OpenCV releases Python's GIL, or `--pool process`;
the 2020 code used one core).

Nothing is overwritten unless `--force`. Each HDF5 file is marked complete
only when all its images are written, and ``mean.json`` is written last
(atomically): an interrupted build leaves nothing that looks finished.

    python experiments/2020-11-23-dogs-vs-cats/build_dataset.py \
        --dataset ../shared/data/dogs_vs_cats/train --hdf5-dir outputs/dogs_vs_cats/hdf5
"""

import argparse
import sys

from pyimagesearch import harness
from pyimagesearch.studies import dogsvscats


@harness.entrypoint
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--dataset", required=True,
                        help="the Kaggle train folder ({cat,dog}.N.jpg), or a name under "
                        "$DATASETS_DIR")
    parser.add_argument("--hdf5-dir", required=True,
                        help="folder of train.hdf5, val.hdf5, test.hdf5 and mean.json")
    parser.add_argument("--val-fraction", type=float, default=dogsvscats.VAL_FRACTION,
                        help=f"share of the images for validation (default "
                        f"{dogsvscats.VAL_FRACTION})")
    parser.add_argument("--test-fraction", type=float, default=dogsvscats.TEST_FRACTION,
                        help=f"share of the images for testing (default "
                        f"{dogsvscats.TEST_FRACTION})")
    parser.add_argument("--val-count", type=int, default=None,
                        help="number of validation images (overrides --val-fraction; "
                        "the diary's 2500)")
    parser.add_argument("--test-count", type=int, default=None,
                        help="number of test images (overrides --test-fraction; the diary's 2500)")
    parser.add_argument("--image-size", type=int, default=dogsvscats.IMAGE_SIZE,
                        help=f"stored image size, square (default {dogsvscats.IMAGE_SIZE})")
    parser.add_argument("-w", "--workers", type=int, default=None,
                        help="decoders working in parallel (default: every core; 1 = none)")
    parser.add_argument("--pool", choices=dogsvscats.POOL_KINDS, default="thread",
                        help="threads (default: OpenCV releases the GIL, nothing is copied) or "
                        "processes")
    parser.add_argument("--buffer-size", type=int, default=dogsvscats.CHUNK_SIZE,
                        help="images buffered before each write to disk (default "
                        f"{dogsvscats.CHUNK_SIZE}: each decoded chunk is written as it is)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite the files of an earlier build")
    parser.add_argument("--seed", type=int, default=dogsvscats.SEED,
                        help=f"seed of the split (default {dogsvscats.SEED})")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 or 2 a progress bar per split")
    args = parser.parse_args(argv)
    for flag in ("val_count", "test_count"):
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    for flag in ("val_fraction", "test_fraction"):
        if not 0 < getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must lie between 0 and 1")
    for flag in ("image_size", "buffer_size"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")

    import time

    from pyimagesearch.errors import OutputExistsError

    dataset = harness.resolve_dataset(args.dataset)
    paths = dogsvscats.hdf5_paths(args.hdf5_dir)
    build_json = paths["mean"].with_name("build.json")

    # refuse to overwrite an earlier build (before any work is done)
    existing = [p for p in (*paths.values(), build_json) if p.exists()]
    if existing and not args.force:
        raise OutputExistsError(
            f"--hdf5-dir {args.hdf5_dir} already holds {', '.join(p.name for p in existing)}; "
            "pass --force to overwrite them"
        )
    # the mean goes first when overwriting: it marks a finished build
    for p in (paths["mean"], build_json):
        if p.exists():
            p.unlink()

    # grab the paths to the images and take the labels from the file names
    print("[INFO] loading image paths...")
    image_paths, labels = dogsvscats.list_labelled_images(dataset, labels_from="filename")
    class_names = sorted(set(labels))
    n_val, n_test = dogsvscats.split_counts(len(image_paths), args.val_fraction,
                                            args.test_fraction, args.val_count, args.test_count)

    # stratified split: test images first, then validation images
    splits = dogsvscats.split_dataset(image_paths, labels, n_val, n_test, seed=args.seed)
    workers = args.workers or dogsvscats.default_workers()
    print(f"[INFO] {len(image_paths)} images of {len(class_names)} classes "
          f"({', '.join(class_names)}): {len(splits['train'][0])} train, {n_val} val, "
          f"{n_test} test; {workers} decoding {args.pool}(s)")

    # loop over the splits, writing each one to its own HDF5 file
    # (one pool of decoding processes serves the three splits)
    started = time.perf_counter()
    summary = {}
    with dogsvscats.decoding_pool(workers, args.pool) as pool:
        for split in dogsvscats.SPLITS:
            split_paths, split_labels = splits[split]
            print(f"[INFO] building {paths[split]}...")
            summary[split] = dogsvscats.write_split(
                split_paths, split_labels, paths[split], class_names, size=args.image_size,
                buf_size=args.buffer_size, overwrite=args.force, verbose=args.verbose > 0,
                label=f"[INFO] {split}", pool=pool,
                attrs={"split": split, "seed": args.seed, "dataset": str(dataset)},
            )
            if summary[split]["skipped"]:
                print(f"[WARN] {split}: skipped {summary[split]['skipped']} unreadable image(s)")
            summary[split]["classes"] = {name: split_labels.count(name) for name in class_names}
    seconds = time.perf_counter() - started
    images = sum(s["written"] for s in summary.values())

    # the training set's mean R, G, B, written last (and atomically)
    mean = summary["train"]["mean"]
    build = {"dataset": str(dataset), "image_size": args.image_size, "seed": args.seed,
             "channel_order": "RGB", "class_names": class_names, "workers": workers,
             "pool": args.pool, "seconds": round(seconds, 2), "splits": summary}
    _write_json(build_json, build)
    print("[INFO] serializing means...")
    dogsvscats.write_mean_json(paths["mean"], mean)
    print(f"[INFO] mean R {mean['R']:.2f}, G {mean['G']:.2f}, B {mean['B']:.2f}")
    print(f"[INFO] wrote {images} images in {seconds:.1f} s ({images / seconds:.1f} images/s) "
          f"to {args.hdf5_dir}")
    return 0


def _write_json(path, obj):
    import json
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2) + "\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
