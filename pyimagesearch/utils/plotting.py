"""Training curves as PNG files (matplotlib's Agg backend: no display needed)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pyimagesearch.utils.atomic import atomic_path  # noqa: E402


def plot_history(history, path: "str | Path", title: str = "Training loss and accuracy") -> Path:
    """Draw losses and metrics per epoch into one PNG file.

    The left panel holds every key ending in ``loss`` (``loss``,
    ``val_loss``...), the right one every other metric (``accuracy``,
    ``val_accuracy``...); a learning rate that changes gets a third panel.
    Drawn for diagnosis: the loss axis is logarithmic when the losses span
    more than 10x (one exploding epoch no longer flattens the rest), the
    learning rate's axis always is (a step decay stays visible), and the
    epochs are whole numbers. The file is written to a temporary name and
    then renamed, so a reader never sees a half-written plot (a callback
    redraws it each epoch).

    Args:
        history: a dict of lists (or a `keras.callbacks.History`).
        path: the PNG path.
        title: the figure's title (e.g. the study and its recipe).

    Example:

    >>> plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, "/tmp/p.png")
    PosixPath('/tmp/p.png')
    """
    from matplotlib.ticker import MaxNLocator

    history = getattr(history, "history", history)
    if not history or not any(len(v) for v in history.values()):
        raise ValueError(f"`history` has no values to plot. Received: {history!r}")
    losses = [k for k in history if k.endswith("loss")]
    lrs = [k for k in history if k in ("lr", "learning_rate")
           and len(set(history[k])) > 1]
    metrics = [k for k in history if k not in losses and k not in ("lr", "learning_rate")]
    panels = [p for p in (losses, metrics, lrs) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, keys in zip(axes[0], panels):
        for key in keys:
            values = history[key]
            ax.plot(range(1, len(values) + 1), values, label=key, marker="." if len(values) < 30
                    else None)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("learning rate" if keys is lrs else ("loss" if keys is losses else "metric"))
        if keys is lrs or (keys is losses and _spans_decades(history, keys)):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return save_figure(fig, path)


def _spans_decades(history, keys):
    """Whether the positive values of `keys` span more than a factor 10."""
    values = [v for k in keys for v in history[k] if v == v and v > 0]
    return bool(values) and max(values) > 10 * min(values)


def plot_predictions(images, y_true, y_pred, class_names, path, title="Test images", count=16):
    """A grid of the first `count` images with their true and predicted labels.

    A wrong prediction's label is red. `images` are `(N, H, W, C)` (or
    channels first) RGB or grayscale arrays, in [0, 1] or [0, 255].

    Example:

    >>> import numpy as np
    >>> plot_predictions(np.zeros((2, 8, 8, 3)), [0, 1], [0, 0], ["cat", "dog"], "/tmp/g.png")
    PosixPath('/tmp/g.png')
    """
    import numpy as np

    images = np.asarray(images)[:count]
    if images.ndim == 4 and images.shape[1] in (1, 3) and images.shape[-1] not in (1, 3):
        images = images.transpose(0, 2, 3, 1)  # channels first
    y_true, y_pred = np.asarray(y_true)[:count], np.asarray(y_pred)[:count]
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(f"`images`, `y_true` and `y_pred` differ in length. Received: "
                         f"{len(images)}, {len(y_true)}, {len(y_pred)}")
    cols = min(4, len(images)) or 1
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.6 * rows), squeeze=False)
    scale = 255.0 if images.max(initial=0) > 1.5 else 1.0
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, t, p in zip(axes.ravel(), images, y_true, y_pred):
        image = np.clip(image / scale, 0, 1)
        ax.imshow(image.squeeze(-1) if image.shape[-1] == 1 else image,
                  cmap="gray" if image.shape[-1] == 1 else None)
        ax.set_title(f"true {class_names[int(t)]}\npred {class_names[int(p)]}", fontsize=8,
                     color="black" if t == p else "red")
    fig.suptitle(title)
    return save_figure(fig, path)


def save_figure(fig, path):
    """Save `fig` as `path` atomically (temporary name, then rename); close it."""
    fig.tight_layout()
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=100)
    finally:
        plt.close(fig)
    return path


def plot_confusion_matrix(y_true, y_pred, class_names, path, title="Confusion matrix"):
    """Draw scikit-learn's confusion matrix (rows: true class) into a PNG file.

    Every cell shows its count; the colours are the counts divided by the
    row's total (the recall of each class), so classes of different sizes
    compare at a glance. The file is written atomically (`save_figure`).

    Args:
        y_true: integer labels, or one-hot rows (argmax taken).
        y_pred: integer predictions, or probability rows (argmax taken).
        class_names: the name of class 0, 1, ...
        path: the PNG path.
        title: the figure's title.

    Returns:
        `(path, matrix)`: the PNG's path and the `(classes, classes)` counts.

    Example:

    >>> path, matrix = plot_confusion_matrix([0, 1, 1], [0, 1, 0], ["cat", "dog"], "/tmp/cm.png")
    >>> matrix.tolist()
    [[1, 0], [1, 1]]
    """
    import numpy as np
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
    fig, ax = plt.subplots(figsize=(size + 1, size))
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
    ax.set_title(title)
    return save_figure(fig, path), matrix
