"""Rank-1 and rank-5 accuracy."""

import warnings

import numpy as np


def rank5_accuracy(preds, labels) -> tuple:
    """Returns the rank-1 and rank-5 accuracy of a set of predictions.

    A prediction is correct at rank-k when the true label is among the k
    classes with the highest scores (Practitioner Bundle, chapter 3; the
    ImageNet challenge reports rank-5). Ties are broken like scikit-learn's
    `top_k_accuracy_score`: among equal scores, the class with the larger
    index ranks first. The computation is vectorised: the true label is in
    the top k when fewer than k classes rank before it.

    With 5 classes or fewer every label is always in the top 5, so rank-5
    is 1.0 (scikit-learn warns and returns 1.0 too when k >= n_classes).

    When `preds` has fewer rows than `labels` (the book's generator loop
    predicts ``numImages // batchSize`` full batches and compares them with
    all of ``gen.db["labels"]``), the first ``len(preds)`` labels are used,
    as the book's ``zip(preds, labels)`` did, with a warning.

    Args:
        preds: Scores or probabilities, shape `(n, classes)` (or a list of
            `n` score vectors).
        labels: True class indices, shape `(n,)`, or one-hot labels of shape
            `(n, classes)` (converted with `argmax`); an HDF5 dataset is read.

    Returns:
        A tuple `(rank1, rank5)` of Python floats in [0, 1].

    Example:

    ```python
    preds = model.predict(test_x)
    (rank1, rank5) = rank5_accuracy(preds, test_y)
    print(f"[INFO] rank-1: {rank1 * 100:.2f}%")
    print(f"[INFO] rank-5: {rank5 * 100:.2f}%")
    ```
    """
    preds, labels = _check_inputs(preds, labels)
    (n, classes) = preds.shape

    # Score of the true class of every sample, as a column.
    rows = np.arange(n)
    true_scores = preds[rows, labels][:, np.newaxis]
    # A class ranks before the true one if its score is higher, or equal
    # with a larger class index (scikit-learn's tie-breaking).
    class_index = np.arange(classes)[np.newaxis, :]
    ahead = (preds > true_scores) | (
        (preds == true_scores) & (class_index > labels[:, np.newaxis])
    )
    rank = ahead.sum(axis=1)  # 0 means the true label is the top prediction

    rank1 = float(np.mean(rank < 1))
    rank5 = float(np.mean(rank < 5))
    return (rank1, rank5)


def _check_inputs(preds, labels):
    """Validate `rank5_accuracy`'s inputs; return `(preds, labels)` as arrays of class indices.

    Labels longer than the predictions are cut to the rows the predictions
    cover (the book's ``zip``), with a warning.
    """
    preds = np.asarray(preds)
    labels = np.asarray(labels)
    if preds.ndim != 2 or preds.shape[0] == 0 or preds.shape[1] == 0:
        raise ValueError(
            "`preds` must be a non-empty 2-D array of shape (samples, classes). "
            f"Received: preds.shape={preds.shape}"
        )
    if not np.issubdtype(preds.dtype, np.number) or np.isnan(preds).any():
        raise ValueError(
            "`preds` must hold numeric scores without NaN. "
            f"Received: preds.dtype={preds.dtype}"
        )
    (n, classes) = preds.shape

    # One-hot labels become class indices.
    if labels.ndim == 2:
        if labels.shape[1] != classes:
            raise ValueError(
                "One-hot `labels` must have one column per class of `preds`. Received: "
                f"labels.shape={labels.shape}, preds.shape={preds.shape}"
            )
        labels = labels.argmax(axis=1)
    elif labels.ndim != 1:
        raise ValueError(
            "`labels` must be 1-D class indices or 2-D one-hot labels. "
            f"Received: labels.shape={labels.shape}"
        )
    if len(labels) < n:
        raise ValueError(
            "`labels` must hold a label for every row of `preds`. "
            f"Received: len(preds)={n}, len(labels)={len(labels)}"
        )
    if len(labels) > n:
        # the book's loop zipped the predictions with the labels
        warnings.warn(
            f"rank5_accuracy: {n} predictions for {len(labels)} labels; scoring the first "
            f"{n} labels (the rows the predictions cover)", stacklevel=3)
        labels = labels[:n]
    if not np.issubdtype(labels.dtype, np.number) or not np.all(
        np.mod(labels, 1) == 0
    ):
        raise ValueError(
            "`labels` must hold integer class indices. "
            f"Received: labels.dtype={labels.dtype}"
        )
    labels = labels.astype(np.int64)
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"`labels` must lie in [0, {classes}) for {classes} classes. "
            f"Received: min={labels.min()}, max={labels.max()}"
        )
    return preds, labels
