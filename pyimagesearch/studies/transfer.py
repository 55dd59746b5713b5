"""Transfer learning by feature extraction: the bodies two studies share.

The Flowers-17 study (2020-11-19-transfer-learning) and the Dogs vs. Cats
study (2020-11-23-dogs-vs-cats) both run images through a headless ImageNet
network into an HDF5 file of features, then fit a grid-searched logistic
regression on the first 75% of its rows. Their scripts differ only in how
they find the images and labels and in their names, so they keep that and
call these functions.

Example (a folder of `<class>/<image>` files, random weights, tiny input):

>>> from pyimagesearch.studies import transfer
>>> written = transfer.write_features(paths, labels, "features.hdf5",  # doctest: +SKIP
...                                   "mobilenet_v2", weights="none", image_size=32)
"""

import time
from pathlib import Path

from pyimagesearch import harness

TRAIN_FRACTION = 0.75
C_GRID = [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


# -- step 1: features into HDF5 ------------------------------------------------------------------
def add_extraction_arguments(parser, default_model, default_pooling):
    """The flags of both `extract_features.py` scripts (but `--dataset`)."""
    from pyimagesearch.nn import backbones

    parser.add_argument("-o", "--output", required=True,
                        help="the HDF5 file to write (refused if it exists, unless --force)")
    parser.add_argument("-m", "--model", default=default_model,
                        help=f"network: {', '.join(backbones.backbone_names())}; "
                        f"default {default_model}")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random weights: for tests) or a "
                        "weights file without top (.h5); default imagenet")
    parser.add_argument("--pooling", choices=("none", "avg", "max"), default=default_pooling,
                        help="none flattens the last feature map; avg/max pool it to one "
                        f"value per channel (default {default_pooling})")
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


def check_extraction_arguments(parser, args):
    """Validate the flags of `add_extraction_arguments`; returns the input size.

    Errors go through `parser.error` (one line, exit status 2); an existing
    `--output` without `--force` raises `OutputExistsError`.
    """
    from pyimagesearch.errors import OutputExistsError
    from pyimagesearch.nn import backbones

    for flag in ("batch_size", "buffer_size"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    if size < spec.min_size:
        parser.error(f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    if Path(args.output).exists() and not args.force:
        raise OutputExistsError(
            f"--output {args.output} already exists; pass --force to overwrite it"
        )
    return size


def extract_features(model, paths, labels, writer, preprocess, size, batch_size=32,
                     resize="squash", verbose=1):
    """Run `paths` through `model` and add the flattened outputs to `writer`.

    Images are read, decoded and resized by a tf.data pipeline on its own
    threads while the network works on the previous batch
    (`image_path_dataset`); unreadable files are skipped.

    Args:
        model: a Keras model (a headless backbone).
        paths: image files, in the order the rows are written.
        labels: one integer label per path.
        writer: an open `HDF5DatasetWriter` (or anything with `add(rows, labels)`).
        preprocess: the network's `preprocess_input`.
        size: the square input size.
        batch_size: images per forward pass.
        resize: `"squash"` or `"crop"` (see `image_path_dataset`).
        verbose: 0 for no progress bar.

    Returns:
        The number of images written.
    """
    import numpy as np

    from pyimagesearch.datasets import image_path_dataset
    from pyimagesearch.utils import progress_bar

    labels = np.asarray(labels)
    if len(labels) != len(paths):
        raise ValueError(f"one label per path is needed. Received: {len(paths)} paths and "
                         f"{len(labels)} labels")
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


def input_shape(size):
    """`(size, size, 3)`, or `(3, size, size)` with channels-first data."""
    import keras

    if keras.config.image_data_format() == "channels_first":
        return (3, size, size)
    return (size, size, 3)


def write_features(paths, labels, output, model_name, weights="imagenet", pooling="none",
                   image_size=None, resize="squash", batch_size=32, buffer_size=1000,
                   overwrite=False, attrs=None, verbose=1):
    """Extract the features of `paths` with a headless backbone into an HDF5 file.

    The file holds `features` (float32, one flattened row per image, in the
    order of `paths`), integer `labels`, the `label_names` (sorted, as
    `LabelEncoder` numbers them) and, as attributes, how it was made.

    Args:
        paths: image files, already in the order wanted (shuffle first for
            a random 75/25 split by rows).
        labels: one class name per path.
        output: the HDF5 file to write.
        model_name: a backbone name (`pyimagesearch.nn.backbones`).
        weights: `"imagenet"`, `"none"` or a weights file without top.
        pooling: `"none"` (flatten), `"avg"` or `"max"`.
        image_size: square input size (default: the network's own).
        resize, batch_size, verbose: see `extract_features`.
        buffer_size: rows buffered before they go to disk.
        overwrite: replace an existing `output`.
        attrs: more attributes to store (e.g. the data set's folder).

    Returns:
        The number of images written (unreadable files are skipped).
    """
    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    from pyimagesearch.io import HDF5DatasetWriter
    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(model_name)
    size = image_size or spec.size
    le = LabelEncoder()
    targets = le.fit_transform(list(labels))

    # load the network without its fully-connected head
    print(f"[INFO] loading network {spec.name} ({size}x{size})...")
    model = backbones.build_backbone(spec.name, weights=weights, include_top=False,
                                     pooling=None if pooling == "none" else pooling,
                                     input_shape=input_shape(size))
    dims = int(np.prod(model.output_shape[1:]))
    print(f"[INFO] {len(paths)} images, {len(le.classes_)} classes, {dims} features per image")

    # initialize the HDF5 dataset writer, then store the class label names
    started = time.perf_counter()
    with HDF5DatasetWriter((len(paths), dims), output, data_key="features",
                           buf_size=buffer_size, overwrite=overwrite) as writer:
        writer.storeClassLabels(le.classes_)
        made_with = {"model": spec.name, "weights": str(weights), "pooling": pooling,
                     "image_size": size, "resize": resize, **(attrs or {})}
        for key, value in made_with.items():
            writer.db.attrs[key] = value
        written = extract_features(model, paths, targets, writer,
                                   backbones.preprocess_input(spec.name), size,
                                   batch_size=batch_size, resize=resize, verbose=verbose)
    seconds = time.perf_counter() - started
    if written < len(paths):
        print(f"[WARN] skipped {len(paths) - written} unreadable image(s)")
    print(f"[INFO] wrote {written} x {dims} features to {output} in {seconds:.1f} s "
          f"({written / seconds:.1f} images/s)")
    return written


# -- step 2: logistic regression on the features ---------------------------------------------
def split_index(db):
    """The first test row: 75% of the rows train (the diary's split)."""
    return int(db["labels"].shape[0] * TRAIN_FRACTION)


def flowers_data_name(db_path, attrs):
    """The data column of `outputs/results.csv`, e.g. ``flowers17 (vgg16 features)``."""
    dataset = Path(str(attrs.get("dataset", db_path))).name
    network = attrs.get("model")
    return f"{dataset} ({network} features)" if network else dataset


def train_model_main(argv, *, study, description, data_name=flowers_data_name):
    """`train_model.py`: grid-searched logistic regression on an HDF5 features file.

    Args:
        argv: the command line (without the program name), or None.
        study: the study whose run folder and results line this is.
        description: the script's `--help` text (its docstring).
        data_name: `f(db_path, attrs) -> str`, the data column of results.csv.
    """
    parser = harness.study_parser(description, dataset=False)
    parser.add_argument("--db", required=True, help="HDF5 features file (extract_features.py)")
    parser.add_argument("-m", "--model", required=True,
                        help="where to save the trained classifier (.joblib); refused if it "
                        "exists, unless --force")
    parser.add_argument("-j", "--jobs", type=int, default=-1,
                        help="parallel jobs of the grid search (default -1: every core)")
    parser.add_argument("--max-iter", type=int, default=1000,
                        help="LogisticRegression's max_iter (default 1000)")
    parser.add_argument("--force", action="store_true", help="overwrite --model if it exists")
    args = parser.parse_args(argv)
    if args.jobs == 0:
        parser.error("--jobs must not be 0 (use -1 for every core)")
    if args.max_iter < 1:
        parser.error("--max-iter must be at least 1")

    import warnings

    import joblib
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from pyimagesearch.errors import DatasetError, OutputExistsError
    from pyimagesearch.io import open_hdf5_dataset, read_label_names

    model_path = Path(args.model)
    if model_path.exists() and not args.force:
        raise OutputExistsError(
            f"--model {model_path} already exists; pass --force to overwrite it"
        )

    with open_hdf5_dataset(args.db, data_key="features") as db:
        i = split_index(db)
        class_names = read_label_names(db)
        if i < 3 or i == db["labels"].shape[0]:
            raise DatasetError(f"--db {args.db}: {db['labels'].shape[0]} rows are too few to split")
        # open the database and read the training rows, then the test rows
        train_x, train_y = db["features"][:i], db["labels"][:i]
        test_x, test_y = db["features"][i:], db["labels"][i:]
        extracted_with = {k: (v.item() if hasattr(v, "item") else v) for k, v in db.attrs.items()}

    with harness.Run(study, args) as run:
        print(f"[INFO] {len(train_x)} training rows, {len(test_x)} test rows, "
              f"{train_x.shape[1]} features, {len(class_names)} classes")

        # define the set of parameters that we want to tune then start a
        # grid search where we evaluate our model for each value of C
        print("[INFO] tuning hyperparameters...")
        model = GridSearchCV(LogisticRegression(max_iter=args.max_iter), {"C": C_GRID}, cv=3,
                             n_jobs=args.jobs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(train_x, train_y)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            print(f"[WARN] some fits did not converge in {args.max_iter} iterations "
                  "(raise --max-iter)")
        print(f"[INFO] best hyperparameters: {model.best_params_}")
        run.save_json("grid_search.json", {
            "best_params": model.best_params_,
            "best_cv_accuracy": float(model.best_score_),
            "mean_cv_accuracy": {str(c): float(s) for c, s in
                                 zip(C_GRID, model.cv_results_["mean_test_score"])},
            "features": extracted_with,
        })

        # evaluate the model
        print("[INFO] evaluating...")
        preds = model.predict(test_x)
        report = run.save_report(test_y, preds, class_names)

        # serialize the model to disk, with the class names
        print("[INFO] saving model...")
        model_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"model": model.best_estimator_, "label_names": class_names,
                     "db": str(args.db), "best_params": model.best_params_}, model_path)
        run.record(data_name(args.db, extracted_with), "accuracy", report["accuracy"])
    return 0
