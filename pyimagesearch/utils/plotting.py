"""Training curves, image and prediction grids and confusion matrices as matplotlib figures.

The figures are made without pyplot, so no backend is switched; given a
path, a figure is also saved, atomically.
"""

import sys
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pyimagesearch.utils.atomic import atomic_path

__all__ = ["plot_confusion_matrix", "plot_history", "plot_images", "plot_predictions",
           "save_figure"]


def plot_history(history, path=None, title="Training loss and accuracy"):
    """Draw losses and metrics per epoch; save the figure as `path` if given.

    Losses go left, other metrics right, a changing learning rate in a third
    panel. `history` is a dict of lists or a `keras.callbacks.History`.

    >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss']
    """
    history = getattr(history, "history", history)
    if not history or not any(len(v) for v in history.values()):
        raise ValueError(f"`history` has no values to plot. Received: history={history!r}")
    rates = ("lr", "learning_rate")
    losses = [k for k in history if k.endswith("loss")]
    lrs = [k for k in history if k in rates and len(set(history[k])) > 1]
    metrics = [k for k in history if k not in losses and k not in rates]
    panels = [p for p in (losses, metrics, lrs) if p]
    fig = Figure(figsize=(6 * len(panels), 4.5))
    for ax, keys in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for key in keys:
            values = history[key]
            ax.plot(range(1, len(values) + 1), values, label=key,
                    marker="." if len(values) < 30 else None)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("learning rate" if keys is lrs else ("loss" if keys is losses else "metric"))
        if keys is lrs or (keys is losses and _spans_decades(history, keys)):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(_wrapped(title, fig.get_figwidth()))
    return _saved(fig, path)


def _wrapped(title, inches):
    # a long title (a recipe's arguments) breaks into lines that fit the figure
    width = max(40, int(inches * 9))
    return "\n".join(textwrap.fill(line, width) for line in str(title).splitlines())


def _spans_decades(history, keys):
    values = [v for k in keys for v in history[k] if v == v and v > 0]
    return bool(values) and max(values) > 10 * min(values)


def plot_predictions(images, y_true, y_pred, class_names, path=None, title="Test images",
                     count=16):
    """A `plot_images` grid of the first `count` images, titled true and predicted (wrong: red).

    >>> plot_predictions(np.zeros((2, 8, 8, 3)), [0, 1], [0, 0], ["cat", "dog"]).axes[1].get_title()
    'true dog\\npred cat'
    """
    images = np.asarray(images)[:count]
    y_true, y_pred = np.asarray(y_true)[:count], np.asarray(y_pred)[:count]
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(f"`images`, `y_true` and `y_pred` differ in length. Received: "
                         f"{len(images)}, {len(y_true)}, {len(y_pred)}")
    titles = [f"true {class_names[int(t)]}\npred {class_names[int(p)]}"
              for t, p in zip(y_true, y_pred)]
    return plot_images(images, titles, path, title, np.where(y_true == y_pred, "black", "red"))


def plot_images(images, titles, path=None, title="", colors=None):
    """A grid of RGB or gray images ([0, 1] or [0, 255]), four to a row, under their titles.

    >>> [ax.get_title() for ax in plot_images(np.zeros((5, 8, 8, 3)), list("abcde")).axes[3:]]
    ['d', 'e']
    """
    images = np.asarray(images)
    colors = ["black"] * len(images) if colors is None else list(colors)
    if not len(images) == len(titles) == len(colors):
        raise ValueError(f"`titles` and `colors` need one entry per image. Received: {len(images)} "
                         f"images, {len(titles)} titles, {len(colors)} colors")
    if images.ndim == 4 and images.shape[1] in (1, 3) and images.shape[-1] not in (1, 3):
        images = images.transpose(0, 2, 3, 1)  # channels first
    gray = images.shape[-1] == 1
    images = np.clip(images / (255.0 if images.max(initial=0) > 1.5 else 1.0), 0, 1)
    cols, rows = min(4, len(images)) or 1, -(-len(images) // 4) or 1
    fig = Figure(figsize=(2.4 * cols, 2.6 * rows))
    for i, (image, name, color) in enumerate(zip(images, titles, colors)):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.axis("off")
        ax.imshow(image[..., 0] if gray else image, cmap="gray" if gray else None)
        ax.set_title(name, fontsize=8, color=color)
    fig.suptitle(_wrapped(title, fig.get_figwidth()))
    return _saved(fig, path)


def save_figure(fig, path):
    """Save `fig` as `path` atomically; return `path` (a pyplot figure is closed)."""
    fig.tight_layout()
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=100)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    return path


def _saved(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_confusion_matrix(y_true, y_pred, class_names, path=None, title="Confusion matrix"):
    """Draw scikit-learn's confusion matrix (rows: true class); save it as `path` if given.

    The colours are each row's recall. `y_true` and `y_pred` are labels or
    one-hot/probability rows. Returns `(figure, matrix)`.

    >>> fig, matrix = plot_confusion_matrix([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    >>> matrix.tolist()
    [[1, 0], [1, 1]]
    """
    from sklearn import metrics

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    y_true = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true.astype(int)
    y_pred = y_pred.argmax(axis=1) if y_pred.ndim == 2 else y_pred.astype(int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"`y_true` and `y_pred` differ in length. Received: {len(y_true)} "
                         f"and {len(y_pred)}")
    names = [str(n) for n in class_names]
    matrix = metrics.confusion_matrix(y_true, y_pred, labels=list(range(len(names))))
    totals = matrix.sum(axis=1, keepdims=True)
    rates = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    size = max(4.5, 0.6 * len(names) + 2)
    fig = Figure(figsize=(size + 1, size))
    ax = fig.subplots()
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    ticks = range(len(names))
    ax.set_xticks(ticks, names, rotation=45, ha="right")
    ax.set_yticks(ticks, names)
    for i in ticks:
        for j in ticks:
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(_wrapped(title, size))
    return _saved(fig, path), matrix

