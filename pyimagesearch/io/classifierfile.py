"""Save a fitted `LogisticRegression` as plain arrays (``.npz``, no pickle) and load it back."""

import json
import zipfile
from pathlib import Path

import numpy as np

from pyimagesearch.errors import DatasetError, one_line
from pyimagesearch.utils.atomic import atomic_path

__all__ = ["load_classifier", "save_classifier"]

_FORMAT = "pyimagesearch.classifier/1"


def save_classifier(path, search, class_names, **extra):
    """Save the best `LogisticRegression` of `search` as plain arrays (``.npz``), atomically.

    `search` is a fitted `GridSearchCV` (``best_estimator_``, ``best_params_``);
    `extra` holds more JSON-serialisable values. Returns `path`.
    """
    model = search.best_estimator_
    meta = {"format": _FORMAT, "params": model.get_params(),
            "best_params": search.best_params_, "extra": extra}
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, coef=np.asarray(model.coef_, np.float64),
                 intercept=np.asarray(model.intercept_, np.float64),
                 classes=np.asarray(model.classes_),
                 label_names=np.array([str(c) for c in class_names]),
                 meta=np.array(json.dumps(meta, default=lambda o: o.tolist())))
    return path


def load_classifier(path, class_names=None):
    """The classifier `save_classifier` wrote: ``{"model", "label_names", "best_params", ...}``.

    Raises:
        DatasetError: no such file, not a classifier written by
            `save_classifier`, or trained on classes other than `class_names`.

    Example:

    >>> import argparse, tempfile, pathlib
    >>> from sklearn.linear_model import LogisticRegression
    >>> x, y = np.random.default_rng(0).normal(size=(12, 3)), np.arange(12) % 3
    >>> search = argparse.Namespace(best_estimator_=LogisticRegression().fit(x, y),
    ...                             best_params_={"C": 1.0})
    >>> path = save_classifier(pathlib.Path(tempfile.mkdtemp()) / "c.npz", search, "abc")
    >>> saved = load_classifier(path, ["a", "b", "c"])
    >>> bool((saved["model"].predict(x) == search.best_estimator_.predict(x)).all())
    True
    """
    from sklearn.linear_model import LogisticRegression

    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file (save_classifier writes it)")
    try:
        saved = np.load(path, allow_pickle=False)
        if not isinstance(saved, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
        with saved:
            arrays = {k: saved[k] for k in ("coef", "intercept", "classes", "label_names",
                                            "meta")}
        meta = json.loads(str(arrays["meta"]))
        _check_classifier(arrays, meta)
        model = LogisticRegression(**meta["params"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError,
            zipfile.BadZipFile) as error:
        why = "it holds pickled data" if "pickle" in str(error) else one_line(error, limit=100)
        raise DatasetError(f"{path}: not a classifier written by save_classifier ({why}); "
                           "classifier files are arrays, never pickles, which could run "
                           "code") from None
    names = arrays["label_names"].tolist()
    if class_names is not None and names != [str(c) for c in class_names]:
        raise DatasetError(f"{path} was trained on the classes {names}, not on "
                           f"{list(class_names)}")
    model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
    model.classes_, model.n_features_in_ = arrays["classes"], arrays["coef"].shape[1]
    return {"model": model, "label_names": names, "best_params": meta["best_params"],
            **meta["extra"]}


def _check_classifier(arrays, meta):
    coef, intercept, classes, names = (arrays[k] for k in ("coef", "intercept", "classes",
                                                           "label_names"))
    rows = 1 if len(classes) == 2 else len(classes)
    problems = [
        (not isinstance(meta, dict) or meta.get("format") != _FORMAT
         or not all(isinstance(meta.get(k), dict) for k in ("params", "best_params", "extra")),
         "no description of the classifier"),
        (names.dtype.kind != "U" or names.ndim != 1 or len(names) < 2, "label_names"),
        (classes.dtype.kind not in "iu" or classes.ndim != 1 or len(classes) < 2
         or len(np.unique(classes)) != len(classes) or classes.min() < 0
         or classes.max() >= len(names), "classes_ are not label indices"),
        (coef.dtype.kind != "f" or coef.ndim != 2 or coef.shape[0] != rows
         or not np.isfinite(coef).all(), f"coef_ of shape {coef.shape}"),
        (intercept.dtype.kind != "f" or intercept.shape != (rows,)
         or not np.isfinite(intercept).all(), f"intercept_ of shape {intercept.shape}"),
    ]
    wrong = [what for bad, what in problems if bad]
    if wrong:
        raise ValueError(f"wrong {', '.join(wrong)}")
