"""Tests of rank-1 / rank-5 accuracy against scikit-learn."""

import numpy as np
import pytest

from pyimagesearch.utils.ranked import rank5_accuracy

metrics = pytest.importorskip("sklearn.metrics")


def _sklearn_ranks(preds, labels):
    classes = preds.shape[1]
    return tuple(
        metrics.top_k_accuracy_score(labels, preds, k=k, labels=range(classes))
        for k in (1, 5)
    )


def test_matches_sklearn_on_random_probabilities():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 10))
    preds = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 10, size=500)
    (rank1, rank5) = rank5_accuracy(preds, labels)
    assert isinstance(rank1, float) and isinstance(rank5, float)
    assert (rank1, rank5) == pytest.approx(_sklearn_ranks(preds, labels))
    # Sanity: with 10 random classes, around 10% and 50%.
    assert 0.05 < rank1 < 0.15 and 0.4 < rank5 < 0.6
    assert rank1 == pytest.approx(np.mean(preds.argmax(axis=1) == labels))


def test_matches_sklearn_with_ties():
    # Scores on a coarse grid tie a lot; the tie-breaking must agree.
    rng = np.random.default_rng(1)
    preds = rng.integers(0, 3, size=(300, 10)).astype(float)
    labels = rng.integers(0, 10, size=300)
    assert rank5_accuracy(preds, labels) == pytest.approx(_sklearn_ranks(preds, labels))


def test_one_hot_labels():
    rng = np.random.default_rng(2)
    preds = rng.random(size=(200, 12))
    labels = rng.integers(0, 12, size=200)
    one_hot = np.eye(12)[labels]
    assert rank5_accuracy(preds, one_hot) == rank5_accuracy(preds, labels)
    assert rank5_accuracy(preds, one_hot) == pytest.approx(
        _sklearn_ranks(preds, labels)
    )


def test_known_small_case():
    preds = np.array(
        [
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # label 5: rank 1
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # label 1: 5th best -> rank 5
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # label 0: 6th best -> miss
            [0.6, 0.5, 0.4, 0.3, 0.2, 0.1],  # label 1: 2nd best
        ]
    )
    assert rank5_accuracy(preds, [5, 1, 0, 1]) == (0.25, 0.75)


def test_fewer_than_five_classes():
    rng = np.random.default_rng(3)
    preds = rng.random(size=(50, 3))
    labels = rng.integers(0, 3, size=50)
    (rank1, rank5) = rank5_accuracy(preds, labels)
    assert rank5 == 1.0
    assert rank1 == pytest.approx(np.mean(preds.argmax(axis=1) == labels))
    with pytest.warns(UserWarning):
        assert _sklearn_ranks(preds, labels) == pytest.approx((rank1, rank5))


def test_validation():
    preds = np.full((4, 10), 0.1)
    with pytest.raises(ValueError, match=r"preds.shape=\(10,\)"):
        rank5_accuracy(preds[0], [1])
    with pytest.raises(ValueError, match=r"len\(preds\)=4, len\(labels\)=3"):
        rank5_accuracy(preds, [0, 1, 2])
    with pytest.raises(ValueError, match=r"\[0, 10\).*max=10"):
        rank5_accuracy(preds, [0, 1, 2, 10])
    with pytest.raises(ValueError, match=r"labels.shape=\(4, 9\)"):
        rank5_accuracy(preds, np.zeros((4, 9)))
    with pytest.raises(ValueError, match=r"integer class indices"):
        rank5_accuracy(preds, [0.5, 1, 2, 3])


def test_fewer_predictions_than_labels_score_the_rows_they_cover():
    # the book's crop_accuracy predicts numImages // batchSize full batches
    # and compares them with all the labels; its loop zipped the two
    rng = np.random.default_rng(3)
    preds, labels = rng.random((8, 10)), rng.integers(0, 10, 11)
    with pytest.warns(UserWarning, match="8 predictions for 11 labels"):
        ranks = rank5_accuracy(preds, labels)
    assert ranks == rank5_accuracy(preds, labels[:8])
    assert ranks == pytest.approx(_sklearn_ranks(preds, labels[:8]))
    # a list of score vectors (the book's ten-crop loop) and one-hot labels
    one_hot = np.eye(10)[labels]
    with pytest.warns(UserWarning):
        assert rank5_accuracy(list(preds), one_hot) == ranks
