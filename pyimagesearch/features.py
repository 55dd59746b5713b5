"""Transfer learning by feature extraction: features into HDF5, then a linear classifier.

Example:

```python
write_features(paths, labels, "features.hdf5", "mobilenet_v2", weights="none", image_size=32)
data = read_features("features.hdf5", train_fraction=0.75)
search = grid_search_logistic_regression(data.train_x, data.train_y, [0.1, 1.0])
```
"""

import logging
import time
import warnings
from collections import namedtuple
from pathlib import Path

import numpy as np

from pyimagesearch import _checks
from pyimagesearch.errors import DatasetError, OutputExistsError
from pyimagesearch.io.classifierfile import load_classifier, save_classifier
from pyimagesearch.utils.atomic import atomic_path

__all__ = ["BOOK_C_GRID", "FeatureSplit", "extract_features", "grid_search_logistic_regression",
           "grid_search_summary", "load_classifier", "read_features", "save_classifier",
           "write_features"]

logger = logging.getLogger(__name__)

#: the book's grid of inverse regularisation strengths
BOOK_C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)

FeatureSplit = namedtuple("FeatureSplit", "train_x train_y test_x test_y class_names attrs")


def extract_features(model, paths, labels, writer, preprocess, size, batch_size=32,
                     resize="squash", verbose=1):
    """Run `paths` through `model` and add the flattened outputs to `writer`.

    Unreadable files are skipped. `writer` needs `add(rows, labels)`;
    `resize` is `"squash"` or `"crop"` (see `image_path_dataset`).

    Returns:
        The number of images written.

    Raises:
        DatasetError: the network gave NaN or infinite features.
    """
    from pyimagesearch.datasets import image_path_dataset
    from pyimagesearch.utils import progress_bar

    labels = np.asarray(labels)
    if len(labels) != len(paths):
        raise ValueError(f"one label per path is needed. Received: {len(paths)} paths and "
                         f"{len(labels)} labels")
    dataset = image_path_dataset(paths, size, preprocess, batch_size=batch_size, resize=resize)
    bar = progress_bar(len(paths), "extracting features", verbose > 0)
    written = 0
    for (index, images) in dataset:
        features = np.asarray(model.predict_on_batch(images))
        features = features.reshape((len(features), -1))
        if not np.isfinite(features).all():
            raise DatasetError(f"the network gave NaN or infinite features for the batch of "
                               f"{paths[int(index.numpy()[0])]}; nothing is marked complete")
        writer.add(features, labels[index.numpy()])
        written += len(features)
        bar.update(min(int(index.numpy()[-1]) + 1, len(paths)))
    bar.finish()
    return written


def write_features(paths, labels, output, model_name, weights="imagenet", pooling="none",
                   image_size=None, resize="squash", batch_size=32, buffer_size=1000,
                   overwrite=False, attrs=None, verbose=1):
    """Extract the features of `paths` with a headless backbone into an HDF5 file.

    The file holds float32 `features` (one row per image, in the order of
    `paths`), integer `labels`, sorted `label_names`, and how it was made
    as attributes (plus `attrs`).

    Args:
        paths, labels: image files (shuffle first) and one class name each.
        output: the HDF5 file to write.
        model_name: a backbone name (`pyimagesearch.nn.backbones`).
        weights: `"imagenet"`, `"none"` or a weights file without top.
        pooling: `"none"` (flatten), `"avg"` or `"max"`.
        image_size: square input size (default: the network's own).
        buffer_size: rows buffered before they go to disk.

    Returns:
        The number of images written (unreadable files are skipped).

    Raises:
        OutputExistsError: `output` exists and `overwrite` is False.
        DatasetError: fewer than two classes, or no image could be read.
    """
    from sklearn.preprocessing import LabelEncoder

    from pyimagesearch.nn import backbones
    from pyimagesearch.nn.conv.common import image_shape

    spec = backbones.get_backbone(model_name)
    size = image_size or spec.size
    if Path(output).exists() and not overwrite:
        raise OutputExistsError(f"{output} already exists; it is not overwritten unless "
                                "overwrite=True")
    le = LabelEncoder()
    targets = le.fit_transform(list(labels))
    if len(le.classes_) < 2:
        raise DatasetError(f"the images hold {len(le.classes_)} class(es) "
                           f"({', '.join(map(str, le.classes_))}); a classifier needs two or more")

    logger.info(f"loading network {spec.name} ({size}x{size})...")
    model = backbones.build_backbone(spec.name, weights=weights, include_top=False,
                                     pooling=None if pooling == "none" else pooling,
                                     input_shape=image_shape(size, size, 3))
    dims = int(np.prod(model.output_shape[1:]))
    logger.info(f"{len(paths)} images, {len(le.classes_)} classes, {dims} features per image")

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
        logger.warning(f"skipped {len(paths) - written} unreadable image(s) of {len(paths)}")
    logger.info(f"wrote {written} x {dims} features to {output} in {seconds:.1f} s "
                f"({written / seconds:.1f} images/s)")
    return written


def _write_feature_file(model, paths, targets, path, class_names, attrs, preprocess, size,
                        batch_size, buffer_size, resize, verbose):
    from pyimagesearch.io import HDF5DatasetWriter

    dims = int(np.prod(model.output_shape[1:]))
    with HDF5DatasetWriter((len(paths), dims), path, data_key="features",
                           buf_size=buffer_size, overwrite=True) as writer:
        writer.storeClassLabels(class_names)
        for key, value in attrs.items():
            writer.db.attrs[key] = value
        written = extract_features(model, paths, targets, writer, preprocess, size,
                                   batch_size=batch_size, resize=resize, verbose=verbose)
        writer.db.attrs["images_skipped"] = len(paths) - written
        return written


def read_features(db_path, train_fraction) -> FeatureSplit:
    """The training and test rows of a features file: the first `train_fraction` train.

    Returns:
        A `FeatureSplit`; `attrs` is how the file was made.

    Raises:
        DatasetError: an incomplete file, features not finite or not 2-D,
            labels outside `label_names`, or too few rows or classes.
    """
    from pyimagesearch.io import open_hdf5_dataset, read_label_names

    _checks.number_in("train_fraction", train_fraction, 0, 1, low_open=True, high_open=True)
    with open_hdf5_dataset(db_path, data_key="features") as db:
        names = read_label_names(db)
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in db.attrs.items()}
        if db["features"].ndim != 2:
            raise DatasetError(f"{db_path}: features must be 2-D (rows, values). Received "
                               f"shape {db['features'].shape}")
        x, y = db["features"][:], db["labels"][:]
    if not np.isfinite(x).all():
        raise DatasetError(f"{db_path}: its features hold NaN or infinite values")
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise DatasetError(f"{db_path}: labels lie in [{y.min()}, {y.max()}] but it names "
                           f"{len(names)} classes")
    i = int(len(y) * train_fraction)
    if i < 3 or i == len(y):
        raise DatasetError(f"{db_path}: {len(y)} rows are too few to split")
    if len(set(y[:i].tolist())) < 2:
        raise DatasetError(f"{db_path}: its training rows hold one class; a classifier needs "
                           "at least two")
    return FeatureSplit(x[:i], y[:i], x[i:], y[i:], names, attrs)


def grid_search_logistic_regression(train_x, train_y, c_grid=BOOK_C_GRID, cv=3, jobs=-1,
                                    max_iter=1000):
    """Fit `LogisticRegression` for each `C` of `c_grid`, keep the best (cross-validated).

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
