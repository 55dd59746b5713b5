"""Transfer learning by feature extraction: features into HDF5, then a linear classifier.

The book's recipe (Practitioner Bundle, chapters 3 and 4): run every image
through a headless ImageNet network once, store the flattened outputs in an
HDF5 file (``features``, ``labels``, ``label_names``), then fit a
grid-searched logistic regression on the first rows and test it on the
rest. Everything here works from a notebook; a study chooses the network,
the pooling, the split and the grid.

- `extract_features(model, paths, labels, writer, preprocess, size)`: one
  pass over the images (decoded by tf.data while the network works).
- `write_features(paths, labels, output, model_name, ...)`: a backbone by
  name, into a new HDF5 file.
- `read_features(db_path, train_fraction)`: the train and test rows.
- `grid_search_logistic_regression(train_x, train_y, c_grid)`: scikit-learn's
  `GridSearchCV` over `C`.
- `save_classifier(path, search, class_names)`: the best estimator and the
  class names, by joblib, atomically, with a signed sidecar;
  `load_classifier(path)` refuses files not written by `save_classifier`
  (a joblib file runs code when loaded).

Example (random weights, tiny input):

```python
written = write_features(paths, labels, "features.hdf5", "mobilenet_v2",
                         weights="none", image_size=32)
data = read_features("features.hdf5", train_fraction=0.75)
search = grid_search_logistic_regression(data.train_x, data.train_y, [0.1, 1.0])
accuracy = search.score(data.test_x, data.test_y)
```
"""

import time
import warnings
from collections import namedtuple

from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.atomic import atomic_path

__all__ = ["BOOK_C_GRID", "FeatureSplit", "extract_features", "grid_search_logistic_regression",
           "grid_search_summary",
           "load_classifier", "read_features", "save_classifier", "write_features"]

#: the book's grid of inverse regularisation strengths
BOOK_C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)

FeatureSplit = namedtuple("FeatureSplit", "train_x train_y test_x test_y class_names attrs")


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

    Raises:
        OutputExistsError: `output` exists and `overwrite` is False.
        DatasetError: fewer than two classes, or no image could be read
            (then nothing is written: the file appears, complete, only
            when every image has gone through the network).
    """
    from pathlib import Path

    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    from pyimagesearch.errors import OutputExistsError
    from pyimagesearch.nn import backbones
    from pyimagesearch.nn.conv.common import image_shape

    spec = backbones.get_backbone(model_name)
    size = image_size or spec.size
    if Path(output).exists() and not overwrite:
        raise OutputExistsError(f"{output} already exists; it is not overwritten (pass --force)")
    le = LabelEncoder()
    targets = le.fit_transform(list(labels))
    if len(le.classes_) < 2:
        raise DatasetError(f"the images hold {len(le.classes_)} class(es) "
                           f"({', '.join(map(str, le.classes_))}); a classifier needs two or more")

    # load the network without its fully-connected head
    print(f"[INFO] loading network {spec.name} ({size}x{size})...")
    model = backbones.build_backbone(spec.name, weights=weights, include_top=False,
                                     pooling=None if pooling == "none" else pooling,
                                     input_shape=image_shape(size, size, 3))
    dims = int(np.prod(model.output_shape[1:]))
    print(f"[INFO] {len(paths)} images, {len(le.classes_)} classes, {dims} features per image")

    # the file is written under a temporary name, renamed once complete
    started = time.perf_counter()
    made_with = {"model": spec.name, "weights": str(weights), "pooling": pooling,
                 "image_size": size, "resize": resize, **(attrs or {})}
    with atomic_path(output) as tmp:
        written = _write_feature_file(model, paths, targets, tmp, le.classes_, made_with,
                                      backbones.preprocess_input(spec.name), size,
                                      batch_size, buffer_size, resize, verbose)
        if written == 0:
            raise DatasetError(f"none of the {len(paths)} images could be read (first: "
                               f"{paths[0]}); {output} was not written")
    seconds = time.perf_counter() - started
    if written < len(paths):
        print(f"[WARN] skipped {len(paths) - written} unreadable image(s) of {len(paths)}")
    print(f"[INFO] wrote {written} x {dims} features to {output} in {seconds:.1f} s "
          f"({written / seconds:.1f} images/s)")
    return written


def _write_feature_file(model, paths, targets, path, class_names, attrs, preprocess, size,
                        batch_size, buffer_size, resize, verbose):
    """One features file: the writer, the class names, how it was made, the rows."""
    import numpy as np

    from pyimagesearch.io import HDF5DatasetWriter

    dims = int(np.prod(model.output_shape[1:]))
    # initialize the HDF5 dataset writer, then store the class label names
    with HDF5DatasetWriter((len(paths), dims), path, data_key="features",
                           buf_size=buffer_size, overwrite=True) as writer:
        writer.storeClassLabels(class_names)
        for key, value in attrs.items():
            writer.db.attrs[key] = value
        written = extract_features(model, paths, targets, writer, preprocess, size,
                                   batch_size=batch_size, resize=resize, verbose=verbose)
        writer.db.attrs["images_skipped"] = len(paths) - written
        return written


def read_features(db_path, train_fraction: float) -> FeatureSplit:
    """The training and test rows of a features file, split by row order.

    `write_features` stores the rows in the order of the paths it is given;
    shuffle the paths first, and the first `train_fraction` of the rows is a
    random training set (the book's split).

    Args:
        db_path: the HDF5 file (``features``, ``labels``, ``label_names``).
        train_fraction: the share of rows that train, in (0, 1).

    Returns:
        A `FeatureSplit(train_x, train_y, test_x, test_y, class_names, attrs)`;
        `attrs` is how the file was made (network, pooling, data set...).

    Raises:
        DatasetError: an incomplete file, or too few rows to split.
    """
    from pyimagesearch.io import open_hdf5_dataset, read_label_names

    if not 0 < train_fraction < 1:
        raise ValueError(f"`train_fraction` must lie in (0, 1). Received: {train_fraction!r}")
    with open_hdf5_dataset(db_path, data_key="features") as db:
        rows = db["labels"].shape[0]
        i = int(rows * train_fraction)
        if i < 3 or i == rows:
            raise DatasetError(f"--db {db_path}: {rows} rows are too few to split")
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in db.attrs.items()}
        classes = len(set(db["labels"][:i].tolist()))
        if classes < 2:
            raise DatasetError(f"--db {db_path}: its training rows hold {classes} class; a "
                               "classifier needs at least two")
        return FeatureSplit(db["features"][:i], db["labels"][:i], db["features"][i:],
                            db["labels"][i:], read_label_names(db), attrs)


def grid_search_logistic_regression(train_x, train_y, c_grid=BOOK_C_GRID, cv=3, jobs=-1,
                                    max_iter=1000):
    """Fit `LogisticRegression` for each `C` of `c_grid`, keep the best (cross-validated).

    Multinomial for more than two classes (scikit-learn's default; the
    book's ``multi_class=`` no longer exists).

    Args:
        train_x, train_y: the training features and integer labels.
        c_grid: the values of `C` to try.
        cv: cross-validation folds.
        jobs: parallel fits (``-1``: every core).
        max_iter: the solver's iterations.

    Returns:
        The fitted `GridSearchCV`; `search.converged` says whether every
        fit converged within `max_iter`.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(LogisticRegression(max_iter=max_iter), {"C": list(c_grid)}, cv=cv,
                          n_jobs=jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        search.fit(train_x, train_y)
    search.converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return search


def grid_search_summary(search, attrs=None):
    """What a grid search found, as JSON-able values (the best `C`, every fold score)."""
    grid = search.param_grid["C"]
    return {
        "best_params": search.best_params_,
        "best_cv_accuracy": float(search.best_score_),
        "mean_cv_accuracy": {str(c): float(s) for c, s in
                             zip(grid, search.cv_results_["mean_test_score"])},
        "converged": bool(getattr(search, "converged", True)),
        "features": dict(attrs or {}),
    }


def _signing_key():
    """This user's key for classifier files (made on first use, readable by the user only).

    `$PYIMAGESEARCH_CLASSIFIER_KEY` names the key file, else
    ``~/.config/pyimagesearch/classifier.key``.
    """
    import os
    import secrets
    from pathlib import Path

    from pyimagesearch.utils.atomic import atomic_write

    path = Path(os.environ.get("PYIMAGESEARCH_CLASSIFIER_KEY")
                or Path.home() / ".config" / "pyimagesearch" / "classifier.key")
    if not path.is_file():
        with atomic_write(path) as f:
            f.write(secrets.token_hex(32) + "\n")
            os.chmod(f.name, 0o600)
    return path, path.read_text().strip().encode()


def _signature(path):
    import hashlib
    import hmac

    key_path, key = _signing_key()
    mac = hmac.new(key, digestmod=hashlib.sha256)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            mac.update(block)
    return mac.hexdigest(), key_path


def _sidecar(path):
    from pathlib import Path

    path = Path(path)
    return path.with_name(path.name + ".json")


def save_classifier(path, search, class_names, **extra):
    """Save the best estimator of `search` with the class names (joblib, atomically).

    A joblib file is a pickle: loading one runs whatever code it holds. So
    beside it goes ``<path>.json``: the class names and an HMAC-SHA256 of
    the file under this user's key (`_signing_key`), which `load_classifier`
    checks before unpickling anything; a file not written here (or changed
    since) is refused. Load only classifiers you trained yourself.
    """
    import json

    import joblib

    from pyimagesearch.utils.atomic import atomic_write

    with atomic_path(path) as tmp:
        joblib.dump({"model": search.best_estimator_, "label_names": list(class_names),
                     "best_params": search.best_params_, **extra}, tmp)
        signature, _ = _signature(tmp)
        with atomic_write(_sidecar(path)) as f:
            f.write(json.dumps({"format": "pyimagesearch.features.save_classifier",
                                "hmac_sha256": signature,
                                "label_names": [str(c) for c in class_names]}, indent=2))
    return path


def load_classifier(path, class_names=None, flag="--model"):
    """The classifier `save_classifier` wrote: ``{"model", "label_names", ...}``.

    Its ``.json`` sidecar is checked before the pickle is opened: its
    signature (this user's key) must match the file, and its class names
    `class_names` when given.

    Raises:
        DatasetError: no such file, no or a bad sidecar (not written by
            this package, changed since, or signed with another key),
            other classes, or not a classifier.
    """
    import hmac
    import json
    from pathlib import Path

    import joblib

    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{flag} {path}: no such file (train_model.py writes it)")
    try:
        sidecar = json.loads(_sidecar(path).read_text())
        expected, names = sidecar["hmac_sha256"], sidecar["label_names"]
    except (OSError, ValueError, KeyError, TypeError):
        raise DatasetError(
            f"{flag} {path}: not a classifier written by this package (no valid "
            f"{_sidecar(path).name} beside it); joblib files run code when loaded, so only "
            "files train_model.py wrote are opened: train it again") from None
    actual, key_path = _signature(path)
    if not hmac.compare_digest(actual, str(expected)):
        raise DatasetError(
            f"{flag} {path}: its signature does not match (changed since it was written, or "
            f"written with another key than {key_path}); joblib files run code when loaded, "
            "so it is not opened: train it again")
    if class_names is not None and list(names) != list(class_names):
        raise DatasetError(f"{flag} {path} was trained on the classes {names}, not on "
                           f"{list(class_names)}")
    saved = joblib.load(path)
    if not isinstance(saved, dict) or "model" not in saved or "label_names" not in saved:
        raise DatasetError(f"{flag} {path}: not a classifier saved by train_model.py")
    return saved
