"""Training curves as PNG files (matplotlib's Agg backend: no display needed)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pyimagesearch.utils.atomic import atomic_path  # noqa: E402


def plot_history(history, path, title="Training loss and accuracy"):
    """Draw losses and metrics per epoch into one PNG file.

    The left panel holds every key ending in ``loss`` (``loss``,
    ``val_loss``...), the right one every other metric (``accuracy``,
    ``val_accuracy``...); a learning rate that changes gets a third panel.
    The file is written to a temporary name and then renamed, so a reader
    never sees a half-written plot (a callback redraws it each epoch).

    Args:
        history: a dict of lists (or a `keras.callbacks.History`).
        path: the PNG path.
        title: the figure's title.

    Example:

    >>> plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, "/tmp/p.png")
    PosixPath('/tmp/p.png')
    """
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
            ax.plot(range(1, len(values) + 1), values, label=key)
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning rate" if keys is lrs else ("loss" if keys is losses else "metric"))
        ax.grid(alpha=0.3)
        ax.legend()
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
