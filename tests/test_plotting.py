"""pyimagesearch.utils.plotting: the confusion matrix figure."""

import cv2
import numpy as np
import pytest

from pyimagesearch.utils.plotting import plot_confusion_matrix


def test_confusion_matrix_counts_true_classes_by_row(tmp_path):
    y_true = [0, 0, 1, 2, 2, 2]
    probabilities = np.eye(3)[[0, 1, 1, 2, 0, 2]]  # rows of one-hot "probabilities"
    path, matrix = plot_confusion_matrix(y_true, probabilities, ["a", "b", "c"],
                                         tmp_path / "cm.png")
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cv2.imread(str(path)) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["cm.png"]  # no temporary file left


def test_confusion_matrix_lists_classes_never_seen(tmp_path):
    _, matrix = plot_confusion_matrix([0, 0], [0, 1], ["a", "b", "c"], tmp_path / "cm.png")
    assert matrix.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]


def test_confusion_matrix_checks_lengths(tmp_path):
    with pytest.raises(ValueError, match="differ in length"):
        plot_confusion_matrix([0, 1], [0], ["a", "b"], tmp_path / "cm.png")
