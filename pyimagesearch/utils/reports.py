"""Classification reports with class names (scikit-learn)."""

import numpy as np
from sklearn import metrics


def classification_report(y_true, y_pred, class_names):
    """scikit-learn's report as text and as a dict, with every class listed.

    Args:
        y_true: integer labels, or one-hot / probability rows (argmax taken).
        y_pred: integer predictions, or probability rows (argmax taken).
        class_names: the name of class 0, 1, ...

    Returns:
        `(text, table)`: the printable report and its dict form (JSON-ready).

    Example:

    >>> text, table = classification_report([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    >>> round(table["accuracy"], 3)
    0.667
    """
    y_true = as_labels(y_true, "y_true")
    y_pred = as_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"`y_true` and `y_pred` differ in length. Received: {len(y_true)} and {len(y_pred)}"
        )
    names = [str(n) for n in class_names]
    labels = list(range(len(names)))
    kwargs = dict(labels=labels, target_names=names, zero_division=0)
    text = metrics.classification_report(y_true, y_pred, digits=4, **kwargs)
    table = metrics.classification_report(y_true, y_pred, output_dict=True, **kwargs)
    table["accuracy"] = float(metrics.accuracy_score(y_true, y_pred))
    return text, table


def as_labels(values, name="labels"):
    """Integer labels from labels, one-hot rows or probability rows (argmax)."""
    values = np.asarray(values)
    if values.ndim == 2:
        return values.argmax(axis=1)
    if values.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D labels or 2-D scores. Received shape {values.shape}")
    return values.astype(int)
