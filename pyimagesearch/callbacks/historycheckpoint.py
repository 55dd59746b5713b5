"""Write the history after every epoch, and keep the weights of the last finished one."""

import csv
import json
import math
import os

import keras

from pyimagesearch.utils.atomic import atomic_write


class HistoryCheckpoint(keras.callbacks.Callback):
    """Rewrite ``history.json`` and ``history.csv`` (atomically) after every epoch.

    A run stopped at any moment (Ctrl-C, a crash in the evaluation, a kill)
    keeps the curves of every epoch it finished. With `keep_weights`, the
    callback also keeps a copy of the weights at the end of the last
    finished epoch (`last_weights`, `last_epoch`), so that an interrupted
    run can save the model of that epoch rather than of a half-done one;
    `harness.Run` does that when a run is interrupted.

    The learning rate of each epoch is recorded too (``learning_rate``).

    Args:
        json_path: the JSON history (a dict of lists).
        csv_path: the same as CSV (``epoch,loss,...``), or None.
        keep_weights: keep the weights of the last finished epoch in memory.

    Example:

    ```python
    model.fit(x, y, epochs=10, callbacks=[HistoryCheckpoint("out/history.json",
                                                            "out/history.csv")])
    ```
    """

    def __init__(self, json_path: "str | os.PathLike", csv_path: "str | os.PathLike | None" = None,
                 keep_weights: bool = True):
        super().__init__()
        self.json_path = json_path
        self.csv_path = csv_path
        self.keep_weights = keep_weights
        self.history = {}
        self.last_weights = None
        self.last_epoch = 0

    def on_train_begin(self, logs=None):
        # a second fit() in the same run (warm-up, then fine-tuning) continues the curves
        self.last_weights = None

    def on_epoch_end(self, epoch, logs=None):
        from pyimagesearch.callbacks.trainingmonitor import current_learning_rate

        logs = dict(logs or {})
        if "learning_rate" not in logs:
            rate = current_learning_rate(self.model)
            if rate is not None:
                logs["learning_rate"] = rate
        for key, value in logs.items():
            try:
                self.history.setdefault(key, []).append(float(value))
            except (TypeError, ValueError):
                continue
        self.last_epoch = epoch + 1
        if self.keep_weights:
            self.last_weights = [w.copy() for w in self.model.get_weights()]
        self.write()

    def write(self):
        """Write the history so far to `json_path` (and `csv_path`)."""
        write_history(self.history, self.json_path, self.csv_path)


def write_history(history, json_path, csv_path=None):
    """Write a dict of per-epoch lists as JSON (and CSV: ``epoch,<key>,...``), atomically.

    Non-finite values (a diverged loss) are written as JSON ``null``.
    """
    clean = {k: [float(v) if math.isfinite(float(v)) else None for v in values]
             for k, values in history.items()}
    with atomic_write(json_path) as f:
        json.dump(clean, f, indent=2)
    if csv_path is not None:
        keys = list(history)
        rows = max((len(v) for v in history.values()), default=0)
        with atomic_write(csv_path, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["epoch", *keys])
            for i in range(rows):
                writer.writerow([i + 1, *(history[k][i] if i < len(history[k]) else ""
                                          for k in keys)])
