"""Watch a training run while it runs: curves and history after every epoch."""

import json
import numbers
import os
from pathlib import Path

import keras

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.plotting import plot_history


def current_learning_rate(model):
    """The optimizer's learning rate now, as a float (a schedule's current value).

    With a `keras.optimizers.schedules.LearningRateSchedule`,
    ``optimizer.learning_rate`` is the schedule's value at the optimizer's
    current iteration. Returns `None` when the model has no optimizer.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        return None
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class LearningRateLogger(keras.callbacks.Callback):
    """Adds ``learning_rate`` to each epoch's logs (so `History` keeps it).

    Keras 3 logs the learning rate only with some callbacks
    (`LearningRateScheduler`, `ReduceLROnPlateau`); this one logs it always,
    also when the optimizer follows a schedule such as `keras2_decay`. Put it
    before the callbacks that should see the value.

    Example:

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
        if logs is not None and "learning_rate" not in logs:
            learning_rate = current_learning_rate(self.model)
            if learning_rate is not None:
                logs["learning_rate"] = learning_rate


class TrainingMonitor(keras.callbacks.Callback):
    """The book's TrainingMonitor: redraw the curves and save the history each epoch.

    After every epoch it appends every logged value (losses, metrics and the
    learning rate) to its history, writes the history as JSON (a dict of
    lists) and redraws ONE PNG of the curves, so a long run can be watched
    and stopped early. Both files are written under a temporary name and
    renamed, so a reader never sees half a file.

    Args:
        fig_path: the PNG to (re)draw.
        json_path: where to write the history as JSON (optional).
        start_at: the epoch a resumed run starts at. When it is > 0 and
            `json_path` exists, the saved history is read back and cut to its
            first `start_at` epochs, so the curves continue where the
            checkpoint was taken. At 0 a fresh history is started (the
            book's kept appending to an existing JSON file).

    The book's names work too: ``TrainingMonitor(figPath, jsonPath=...,
    startAt=...)`` and the attributes ``figPath``, ``jsonPath``, ``startAt``
    and ``H`` (the history).

    Example:

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
    def __init__(self, fig_path: "str | os.PathLike", json_path: "str | os.PathLike | None" = None,
                 start_at: int = 0):
        super().__init__()
        if fig_path is None or str(fig_path).strip() == "":
            raise ValueError(f"`fig_path` must be a file path. Received: fig_path={fig_path!r}")
        if (isinstance(start_at, bool) or not isinstance(start_at, numbers.Integral)
                or start_at < 0):
            raise ValueError(
                f"`start_at` must be an integer >= 0. Received: start_at={start_at!r}"
            )
        self.fig_path = Path(fig_path)
        self.json_path = None if json_path is None else Path(json_path)
        self.start_at = int(start_at)
        self.history = {}

    # the book's attribute names (`H` is its history dict)
    figPath = book_attribute("fig_path")
    jsonPath = book_attribute("json_path")
    startAt = book_attribute("start_at")
    H = book_attribute("history")

    def on_train_begin(self, logs=None):
        self.history = {}
        if self.start_at > 0 and self.json_path is not None and self.json_path.exists():
            saved = json.loads(self.json_path.read_text())
            if not isinstance(saved, dict):
                raise ValueError(
                    f"{self.json_path} does not hold a TrainingMonitor history (a dict of "
                    f"lists). Received: {type(saved).__name__}"
                )
            # keep the epochs before the resumed one: later ones are redone
            self.history = {key: [float(v) for v in values][: self.start_at]
                            for key, values in saved.items()}

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if "learning_rate" not in logs:
            learning_rate = current_learning_rate(self.model)
            if learning_rate is not None:
                logs["learning_rate"] = learning_rate
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
