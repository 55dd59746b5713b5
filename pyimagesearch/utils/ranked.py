"""Rank-1 and rank-5 accuracy."""

import warnings

import numpy as np


def rank5_accuracy(preds, labels):
    """Returns the rank-1 and rank-5 accuracy of a set of predictions.

    A prediction is correct at rank-k when the true label is among the k
    classes with the highest scores (Practitioner Bundle, chapter 3). Ties
    are broken like scikit-learn's `top_k_accuracy_score`: among equal
    scores, the larger class index ranks first. When `preds` has fewer rows
    than `labels` (the book's loop over ``numImages // batchSize`` batches),
    the first ``len(preds)`` labels are scored, with a warning.

    Args:
        preds: scores or probabilities, shape `(n, classes)`.
        labels: true class indices `(n,)`, or one-hot labels `(n, classes)`.

    Returns:
        A tuple `(rank1, rank5)` of floats in [0, 1].

    Raises:
        ValueError: `preds` is not a 2-D array of numbers, or `labels` are
            not class indices of `preds` (one per row).

    Example:

    >>> preds = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])
    >>> rank5_accuracy(preds, [1, 2])
    (0.5, 1.0)
    """
    preds, labels = np.asarray(preds), np.asarray(labels)
    if preds.ndim != 2 or preds.size == 0 or preds.dtype.kind not in "iuf" or np.isnan(
            preds).any():
        raise ValueError("`preds` must be a non-empty 2-D array of scores (samples, classes) "
                         f"without NaN. Received: preds.shape={preds.shape}, "
                         f"preds.dtype={preds.dtype}")
    (n, classes) = preds.shape
    if labels.ndim == 2 and labels.shape[1] == classes:
        labels = labels.argmax(axis=1)  # one-hot labels
    if labels.ndim != 1 or len(labels) < n:
        raise ValueError("`labels` must hold one class index (or one-hot row) per row of "
                         f"`preds`. Received: labels.shape={labels.shape}, "
                         f"len(preds)={n}, len(labels)={len(labels)}")
    if len(labels) > n:
        warnings.warn(f"rank5_accuracy: {n} predictions for {len(labels)} labels; scoring "
                      f"the first {n} labels", stacklevel=2)
        labels = labels[:n]
    if labels.dtype.kind not in "iuf" or np.any(labels % 1):
        raise ValueError("`labels` must hold integer class indices. "
                         f"Received: labels.dtype={labels.dtype}")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"`labels` must lie in [0, {classes}) for {classes} classes. "
                         f"Received: min={labels.min()}, max={labels.max()}")
    labels = labels.astype(np.int64)

    # a class ranks before the true one if its score is higher, or equal
    # with a larger class index (scikit-learn's tie-breaking)
    true_scores = preds[np.arange(n), labels][:, np.newaxis]
    ahead = (preds > true_scores) | (
        (preds == true_scores) & (np.arange(classes) > labels[:, np.newaxis]))
    rank = ahead.sum(axis=1)  # 0: the true label is the top prediction
    return (float(np.mean(rank < 1)), float(np.mean(rank < 5)))
