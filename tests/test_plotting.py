"""pyimagesearch.utils.plotting: the confusion matrix figure."""

import subprocess
import sys

import cv2
import numpy as np
import pytest
from matplotlib.figure import Figure

from pyimagesearch.utils.plotting import (plot_confusion_matrix, plot_history, plot_images,
                                          plot_predictions)


def test_confusion_matrix_counts_true_classes_by_row(tmp_path):
    y_true = [0, 0, 1, 2, 2, 2]
    probabilities = np.eye(3)[[0, 1, 1, 2, 0, 2]]  # rows of one-hot "probabilities"
    fig, matrix = plot_confusion_matrix(y_true, probabilities, ["a", "b", "c"],
                                        tmp_path / "cm.png")
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert isinstance(fig, Figure)
    assert cv2.imread(str(tmp_path / "cm.png")) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["cm.png"]  # no temporary file left


def test_confusion_matrix_lists_classes_never_seen(tmp_path):
    _, matrix = plot_confusion_matrix([0, 0], [0, 1], ["a", "b", "c"], tmp_path / "cm.png")
    assert matrix.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]


def test_confusion_matrix_checks_lengths(tmp_path):
    with pytest.raises(ValueError, match="differ in length"):
        plot_confusion_matrix([0, 1], [0], ["a", "b"], tmp_path / "cm.png")


def test_figures_are_returned_and_saved_only_when_a_path_is_given(tmp_path):
    fig = plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]})
    assert isinstance(fig, Figure) and [ax.get_ylabel() for ax in fig.axes] == ["loss", "metric"]
    grid = plot_predictions(np.zeros((3, 8, 8, 1)), [0, 1, 1], [0, 1, 0], ["a", "b"],
                            tmp_path / "grid.png")
    assert isinstance(grid, Figure) and cv2.imread(str(tmp_path / "grid.png")) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]


def test_an_image_grid_takes_gray_channels_first_and_255_images_and_checks_its_titles(tmp_path):
    gray = np.full((3, 1, 8, 8), 255, np.uint8)  # channels first, [0, 255]
    fig = plot_images(gray, ["a", "b", "c"], tmp_path / "g.png", "gray", ["red", "black", "red"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    assert fig.axes[0].title.get_color() == "red" and fig.axes[0].images[0].get_array().max() == 1
    assert cv2.imread(str(tmp_path / "g.png")) is not None
    with pytest.raises(ValueError, match="one entry per image. Received: 3 images, 2 titles"):
        plot_images(gray, ["a", "b"])
    with pytest.raises(ValueError, match="3 titles, 1 colors"):
        plot_images(gray, ["a", "b", "c"], colors=["red"])


def test_importing_and_plotting_keep_the_backend_and_pyplot_untouched():
    # a notebook's inline backend must survive: no matplotlib.use, no pyplot
    code = ("import matplotlib; matplotlib.use('svg'); "
            "from pyimagesearch.utils import plotting, schedules; "
            "plotting.plot_history({'loss': [1.0, 0.5]}, None); "
            "schedules.StepDecay().plot(None, 3); "
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", "import sys; " + code], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["svg", "False"]


def test_a_long_title_breaks_into_lines_that_fit_the_figure():
    recipe = " ".join(f"--option-{i} value-{i}" for i in range(12))  # ~250 characters
    fig = plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]}, title=f"Model\n{recipe}")
    lines = fig._suptitle.get_text().splitlines()
    assert lines[0] == "Model" and len(lines) >= 3
    assert " ".join(lines[1:]) == recipe and max(map(len, lines)) <= fig.get_figwidth() * 9
