"""Extract ImageNet features of Dogs vs. Cats into HDF5 (2020-11-23-dogs-vs-cats, step 4).

Data: the Kaggle ``train`` folder, ``{cat,dog}.N.jpg``; the label is the file
name before the first dot (`--labels-from folder` reads ``<class>/<image>``
trees instead). The paths are shuffled with the seed, so the first 75% of
the HDF5 rows are a random training split (the diary: 18,750 train and
6,250 test of 25,000).
Model: a headless ImageNet network, `--model resnet50` as in the diary,
at its own input size with its own `preprocess_input`. The book's ResNet50
(Keras 2.0) ended with its 7x7 average pool and gave 2,048 features per
image; `--pooling avg` (the default here) gives the same vector.
`--pooling none` flattens the 7x7x2048 map instead (100,352 floats per
image: 10 GB for 25,000 images).
Recipe: the Flowers-17 study's `extract_features` (2020-11-19-transfer-
learning): images decoded and resized by a tf.data pipeline on its own
threads while the network works, batch 32, buffer 1000. Then
`train_model.py` fits the logistic regression.
Diary's result: 0.99 accuracy with ResNet50 features (6,250 test images).

    python experiments/2020-11-23-dogs-vs-cats/extract_features.py \
        --dataset ../shared/data/dogs_vs_cats/train \
        --output outputs/features/dogs_vs_cats_resnet50.hdf5
"""

import argparse
import random
import sys

from pyimagesearch import harness
from pyimagesearch.studies import dogsvscats

TRANSFER = "2020-11-19-transfer-learning"


@harness.entrypoint
def main(argv=None):
    from pyimagesearch.nn import backbones

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--dataset", required=True,
                        help="the Kaggle train folder ({cat,dog}.N.jpg), or a name under "
                        "$DATASETS_DIR")
    parser.add_argument("-o", "--output", required=True,
                        help="the HDF5 file to write (refused if it exists, unless --force)")
    parser.add_argument("--labels-from", choices=("filename", "folder"), default="filename",
                        help="label = file name before the first dot (Kaggle, the default) or "
                        "the parent folder's name")
    parser.add_argument("-m", "--model", default="resnet50",
                        help=f"network: {', '.join(backbones.backbone_names())}; "
                        "default resnet50 (the diary's)")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random weights: for tests) or a "
                        "weights file without top (.h5); default imagenet")
    parser.add_argument("--pooling", choices=("none", "avg", "max"), default="avg",
                        help="avg (default: the book's 2048-d ResNet50 vector), max, or none "
                        "(flatten the last feature map)")
    parser.add_argument("--image-size", type=int, default=None,
                        help="input size (default: the network's own, 224 or 299)")
    parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                        help="squash to the input size (the book's load_img) or scale the "
                        "shorter side and crop the centre")
    parser.add_argument("-b", "--batch-size", type=int, default=32,
                        help="images per forward pass (default 32)")
    parser.add_argument("-s", "--buffer-size", type=int, default=1000,
                        help="rows buffered in memory before they go to disk (default 1000)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the shuffle (default 42)")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 or 2 a progress bar")
    args = parser.parse_args(argv)
    for flag in ("batch_size", "buffer_size"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    if size < spec.min_size:
        parser.error(f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    dataset = harness.resolve_dataset(args.dataset)

    import time
    from pathlib import Path

    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    from pyimagesearch.errors import OutputExistsError
    from pyimagesearch.io import HDF5DatasetWriter

    # the Flowers-17 study's extraction loop, reused as it is
    transfer = dogsvscats.load_study_script(TRANSFER, "extract_features")

    output = Path(args.output)
    if output.exists() and not args.force:
        raise OutputExistsError(f"--output {output} already exists; pass --force to overwrite it")

    # grab the list of images, shuffle them (a random split is then simply
    # the first 75% of rows), and take the labels from the file names
    print("[INFO] loading images...")
    paths, labels = dogsvscats.list_labelled_images(dataset, labels_from=args.labels_from)
    order = list(range(len(paths)))
    random.Random(args.seed).shuffle(order)
    paths = [paths[i] for i in order]
    le = LabelEncoder()
    labels = le.fit_transform([labels[i] for i in order])

    # load the network without its fully-connected head
    print(f"[INFO] loading network {spec.name} ({size}x{size})...")
    pooling = None if args.pooling == "none" else args.pooling
    model = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                     pooling=pooling, input_shape=transfer._shape(size))
    dims = int(np.prod(model.output_shape[1:]))
    print(f"[INFO] {len(paths)} images, {len(le.classes_)} classes, {dims} features per image")

    # initialize the HDF5 dataset writer, then store the class label names
    started = time.perf_counter()
    with HDF5DatasetWriter((len(paths), dims), output, data_key="features",
                           buf_size=args.buffer_size, overwrite=args.force) as writer:
        writer.storeClassLabels(le.classes_)
        for key, value in (("model", spec.name), ("weights", str(args.weights)),
                           ("pooling", args.pooling), ("image_size", size),
                           ("resize", args.resize), ("dataset", str(dataset)),
                           ("labels_from", args.labels_from), ("seed", args.seed)):
            writer.db.attrs[key] = value
        written = transfer.extract_features(model, paths, labels, writer,
                                            backbones.preprocess_input(spec.name), size,
                                            batch_size=args.batch_size, resize=args.resize,
                                            verbose=args.verbose)
    seconds = time.perf_counter() - started
    if written < len(paths):
        print(f"[WARN] skipped {len(paths) - written} unreadable image(s)")
    print(f"[INFO] wrote {written} x {dims} features to {output} in {seconds:.1f} s "
          f"({written / seconds:.1f} images/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
