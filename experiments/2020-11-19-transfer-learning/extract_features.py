"""Extract features with a pre-trained network into HDF5 (2020-11-19-transfer-learning, step 1).

Data: an image folder `<dataset>/<class>/<image>` (Flowers-17, animals...);
the paths are shuffled with the seed (the HDF5 rows keep that order, so the
first 75% of rows are a random training split) and labelled by their folder
(LabelEncoder: the class names are stored as `label_names`).
Model: a headless ImageNet network (`--model`, default vgg16) at its own
input size with its own `preprocess_input`; the last feature map is
flattened (VGG16: 7 x 7 x 512 = 25,088 features per image), or pooled with
`--pooling avg`.
Recipe (the diary's): VGG16 without top, batch 32, buffer 1000; images are
decoded and resized by a tf.data pipeline in parallel with the network.
Diary's result: these features + logistic regression gave 0.89 on
Flowers-17 (see train_model.py).

    python experiments/2020-11-19-transfer-learning/extract_features.py \
        --dataset flowers17 --output features/flowers17_vgg16.hdf5
    python experiments/2020-11-19-transfer-learning/train_model.py \
        --db features/flowers17_vgg16.hdf5 --model features/flowers17_vgg16.joblib
    python experiments/2020-11-19-transfer-learning/rank_accuracy.py \
        --db features/flowers17_vgg16.hdf5 --model features/flowers17_vgg16.joblib
"""

import argparse
import random
import sys

from pyimagesearch import harness

STUDY = "2020-11-19-transfer-learning"


def extract_features(model, paths, labels, writer, preprocess, size, batch_size=32,
                     resize="squash", verbose=1):
    """Run `paths` through `model` and add the flattened outputs to `writer`.

    Images are read, decoded and resized by a tf.data pipeline on its own
    threads while the network works on the previous batch
    (`image_path_dataset`); unreadable files are skipped.

    Returns:
        The number of images written.
    """
    import numpy as np

    from pyimagesearch.datasets import image_path_dataset
    from pyimagesearch.utils import progress_bar

    labels = np.asarray(labels)
    dataset = image_path_dataset(paths, size, preprocess, batch_size=batch_size, resize=resize)
    bar = progress_bar(len(paths), "[INFO] extracting features", verbose > 0)
    written = 0
    for (index, images) in dataset:
        # pass the batch through the network; the outputs are our features
        features = model.predict_on_batch(images)

        # flatten each feature map into one row and add the batch to the writer
        features = np.asarray(features).reshape((len(features), -1))
        writer.add(features, labels[index.numpy()])
        written += len(features)
        bar.update(min(int(index.numpy()[-1]) + 1, len(paths)))
    bar.finish()
    return written


@harness.entrypoint
def main(argv=None):
    from pyimagesearch.nn import backbones

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--dataset", required=True,
                        help="image folder (<class>/<image>), or a name under $DATASETS_DIR")
    parser.add_argument("-o", "--output", required=True,
                        help="the HDF5 file to write (refused if it exists, unless --force)")
    parser.add_argument("-m", "--model", default="vgg16",
                        help=f"network: {', '.join(backbones.backbone_names())}; default vgg16")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random weights: for tests) or a "
                        "weights file without top (.h5); default imagenet")
    parser.add_argument("--pooling", choices=("none", "avg", "max"), default="none",
                        help="none flattens the last feature map (the diary's); avg/max "
                        "pool it to one value per channel")
    parser.add_argument("--image-size", type=int, default=None,
                        help="input size (default: the network's own, 224 or 299); "
                        "smaller sizes run faster but the features are worse")
    parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                        help="squash to the input size ignoring the aspect ratio (the book's "
                        "load_img) or scale the shorter side and crop the centre")
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

    from pyimagesearch.datasets import list_images
    from pyimagesearch.errors import OutputExistsError
    from pyimagesearch.io import HDF5DatasetWriter

    output = Path(args.output)
    if output.exists() and not args.force:
        raise OutputExistsError(f"--output {output} already exists; pass --force to overwrite it")

    # grab the list of images, shuffle them (a random split is then simply
    # the first 75% of rows), and extract the class labels from the paths
    print("[INFO] loading images...")
    paths = list_images(dataset)
    random.Random(args.seed).shuffle(paths)
    labels = [Path(p).parent.name for p in paths]
    le = LabelEncoder()
    labels = le.fit_transform(labels)

    # load the network without its fully-connected head
    print(f"[INFO] loading network {spec.name} ({size}x{size})...")
    pooling = None if args.pooling == "none" else args.pooling
    model = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                     pooling=pooling, input_shape=_shape(size))
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
                           ("seed", args.seed)):
            writer.db.attrs[key] = value
        written = extract_features(model, paths, labels, writer,
                                   backbones.preprocess_input(spec.name), size,
                                   batch_size=args.batch_size, resize=args.resize,
                                   verbose=args.verbose)
    seconds = time.perf_counter() - started
    if written < len(paths):
        print(f"[WARN] skipped {len(paths) - written} unreadable image(s)")
    print(f"[INFO] wrote {written} x {dims} features to {output} in {seconds:.1f} s "
          f"({written / seconds:.1f} images/s)")
    return 0


def _shape(size):
    import keras

    if keras.config.image_data_format() == "channels_first":
        return (3, size, size)
    return (size, size, 3)


if __name__ == "__main__":
    sys.exit(main())
