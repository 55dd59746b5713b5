"""Watch a training run while it runs: curves and history after every epoch."""

import json
from pathlib import Path

import keras

from pyimagesearch import _checks
from pyimagesearch._compat import book_aliases, book_attribute
from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.plotting import plot_history


def current_learning_rate(model):
    """The optimizer's learning rate now (a schedule's current value), or `None`."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        return None
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class LearningRateLogger(keras.callbacks.Callback):
    """Adds ``learning_rate`` to each epoch's logs (so `History` keeps it).

    Also with a schedule such as `keras2_decay`; put it before the callbacks
    that should see the value.

    >>> import keras, numpy as np
    >>> from pyimagesearch.utils import keras2_decay
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(keras2_decay(0.01, 0.01)), loss="mse")
    >>> history = model.fit(np.zeros((4, 2)), np.zeros(4), epochs=2, verbose=0,
    ...                     callbacks=[LearningRateLogger()])
    >>> [round(rate, 4) for rate in history.history["learning_rate"]]  # one step per epoch
    [0.0099, 0.0098]
    """

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            self.add_to(self.model, logs)

    @staticmethod
    def add_to(model, logs):
        """Put `model`'s learning rate into the dict `logs` (unless it is there); `logs`."""
        if "learning_rate" not in logs:
            learning_rate = current_learning_rate(model)
            if learning_rate is not None:
                logs["learning_rate"] = learning_rate
        return logs


class TrainingMonitor(keras.callbacks.Callback):
    """The book's TrainingMonitor: redraw the curves and save the history each epoch.

    Args:
        fig_path: the PNG to (re)draw.
        json_path: where to write the history as JSON (optional).
        start_at: the epoch a resumed run starts at: the saved history is
            read back and cut to its first `start_at` epochs.

    >>> import keras, numpy as np, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> monitor = TrainingMonitor(out / "monitor.png", json_path=out / "monitor.json")
    >>> _ = model.fit(np.zeros((4, 2)), np.zeros(4), validation_data=(np.zeros((2, 2)),
    ...               np.zeros(2)), epochs=2, verbose=0, callbacks=[monitor])
    >>> sorted(monitor.history), sorted(p.name for p in out.iterdir())
    (['learning_rate', 'loss', 'val_loss'], ['monitor.json', 'monitor.png'])
    """

    @book_aliases(figPath="fig_path", jsonPath="json_path", startAt="start_at")
    def __init__(self, fig_path, json_path=None, start_at=0):
        super().__init__()
        if fig_path is None:
            raise ValueError(f"`fig_path` must be a file path. Received: fig_path={fig_path!r}")
        self.fig_path = Path(fig_path)
        self.json_path = None if json_path is None else Path(json_path)
        self.start_at = _checks.non_negative_int("start_at", start_at)
        self.history = {}

    figPath = book_attribute("fig_path")
    jsonPath = book_attribute("json_path")
    startAt = book_attribute("start_at")
    H = book_attribute("history")

    def on_train_begin(self, logs=None):
        self.history = {}
        if self.start_at > 0 and self.json_path is not None and self.json_path.exists():
            saved = json.loads(self.json_path.read_text())
            if not isinstance(saved, dict):
                raise DatasetError(f"{self.json_path} does not hold a TrainingMonitor history "
                                   f"(a dict of lists). Received: {type(saved).__name__}")
            # keep the epochs before the resumed one: later ones are redone
            self.history = {key: [float(v) for v in values][: self.start_at]
                            for key, values in saved.items()}

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        LearningRateLogger.add_to(self.model, logs)
        for key, value in logs.items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue  # not a number: nothing to plot
            self.history.setdefault(key, []).append(value)

        if self.json_path is not None:
            with atomic_write(self.json_path) as f:
                json.dump(self.history, f, indent=2)

        epochs = max(len(values) for values in self.history.values()) if self.history else 0
        if epochs:
            plot_history(self.history, self.fig_path,
                         title=f"Training loss and accuracy [epoch {epochs}]")
