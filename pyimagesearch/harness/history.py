"""The history of a run: written after every epoch, continued after a kill, and plotted.

`HistoryCheckpoint` (in every `Run.callbacks()`) rewrites ``history.json``
and ``history.csv`` after each epoch, with the learning rate of the epoch,
then saves the fit's backup (`SafeBackupAndRestore`): a run killed at any
moment resumes at the epoch after the last one both hold, and its history
continues the one already written, every epoch once; `write_history` is the
one writer of both files, `read_history` reads them back; `plot` draws them.
`EpochTimer` times each epoch's training apart from its validation pass
(``timing.json``: what the time-to-accuracy benchmark reads).
"""

import csv
import json
import math
import os
import time

import keras

from pyimagesearch.callbacks import LearningRateLogger
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.harness.faults import fault_point


class HistoryCheckpoint(keras.callbacks.Callback):
    """Rewrite ``history.json`` and ``history.csv`` (atomically) after every epoch.

    A run stopped at any moment (Ctrl-C, a crash in the evaluation, a kill)
    keeps the curves of every epoch it finished. With a `backup` (the
    current fit's, set by `Run.callbacks()`), the callback restores it when
    the fit begins, keeps the epochs of `previous` (the history a killed
    attempt wrote) that the backup holds, and saves the backup after writing
    each epoch's history (then the fault point ``epoch_end``); the `History`
    that `fit` returns holds the restored epochs too. Without one, and with
    `keep_weights`, it keeps a copy of the weights of the last finished
    epoch (`last_weights`) for the crash save of an interrupted run.

    Args:
        json_path: the JSON history (a dict of lists).
        csv_path: the same as CSV (``epoch,loss,...``), or None.
        keep_weights: without a backup, keep the last finished epoch's weights.
        previous: the history already written by an unfinished run (`read_history`).

    Example:

    ```python
    model.fit(x, y, epochs=10, callbacks=[HistoryCheckpoint("out/history.json",
                                                            "out/history.csv")])
    ```
    """

    def __init__(self, json_path: "str | os.PathLike", csv_path: "str | os.PathLike | None" = None,
                 keep_weights: bool = True, previous: "dict | None" = None):
        super().__init__()
        self.json_path = json_path
        self.csv_path = csv_path
        self.keep_weights = keep_weights
        self.previous = previous or {}
        self.history = {}
        self.backup = None
        self.datasets = []  # shuffled tf.data sets: a resumed fit continues their epoch order
        self.last_weights = None
        self.last_epoch = 0
        self._restored, self._ran = {}, 0

    def set_model(self, model):
        super().set_model(model)
        if self.backup is not None:
            self.backup.set_model(model)

    def on_train_begin(self, logs=None):
        # a second fit() in the same run (warm-up, then fine-tuning) continues the curves
        self.last_weights, self._restored, self._ran = None, {}, 0
        if self.backup is None:
            return
        self.backup.set_model(self.model)
        self.backup.on_train_begin()  # restores the fit's backup (once)
        held = self.backup.restored
        if held:  # the epochs the backup holds, from the history already written
            start = _rows(self.history)
            self._restored = {k: v[start:start + held] for k, v in self.previous.items()
                              if len(v) >= start + held}
            for key, values in self._restored.items():
                self.history.setdefault(key, []).extend(values)
            self.last_epoch = held
            self.write()
            for data in self.datasets:
                skip_epochs(data, held)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:  # the History that fit() returns keeps the rate too
            LearningRateLogger.add_to(self.model, logs)
        logs = LearningRateLogger.add_to(self.model, dict(logs or {}))
        for key, value in logs.items():
            try:
                self.history.setdefault(key, []).append(float(value))
            except (TypeError, ValueError):
                continue
        self.last_epoch, self._ran = epoch + 1, self._ran + 1
        if self.keep_weights and self.backup is None:
            self.last_weights = [w.copy() for w in self.model.get_weights()]
        self.write()
        if self.backup is not None:
            self.backup.on_epoch_end(epoch, logs)  # after the history: it never lacks an epoch
        fault_point("epoch_end")  # tests: a kill after the epoch's history and backup

    def on_train_end(self, logs=None):
        if self.backup is not None:
            self.backup.on_train_end(logs)
        held = self.backup.restored if self.backup is not None else 0
        if held:  # what fit() returns covers the restored epochs too
            history = getattr(self.model, "history", None)
            if not self._ran or not isinstance(history, keras.callbacks.History):
                history = keras.callbacks.History()  # no epoch was left to train
                history.set_model(self.model)
                history.on_train_begin()
                self.model.history = history
            history.epoch = [*range(held), *history.epoch]
            for key, values in self._restored.items():
                if key in history.history or not self._ran:  # the keys fit() logged
                    history.history[key] = [*values, *history.history.get(key, [])]

    def write(self):
        """Write the history so far to `json_path` (and `csv_path`)."""
        write_history(self.history, self.json_path, self.csv_path)


def clocks():
    """(wall seconds, CPU seconds of every thread of this process)."""
    return time.perf_counter(), time.process_time()


class EpochTimer(keras.callbacks.Callback):
    """Times each epoch's training and its validation pass apart.

    ``summary(history)`` gives the per-epoch seconds (wall and CPU: the CPU
    seconds of this process, which other processes on the machine do not
    inflate), their running totals (validation excluded) and each epoch's
    test accuracy: what `timing.json` keeps.
    """

    def on_train_begin(self, logs=None):
        self.train_seconds, self.train_cpu_seconds, self.val_seconds = [], [], []

    def on_epoch_begin(self, epoch, logs=None):
        (self._start, self._cpu), self._val, self._val_cpu = clocks(), 0.0, 0.0

    def on_test_begin(self, logs=None):
        self._val_start, self._val_cpu_start = clocks()

    def on_test_end(self, logs=None):
        wall, cpu = clocks()
        self._val += wall - self._val_start
        self._val_cpu += cpu - self._val_cpu_start

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = clocks()
        self.train_seconds.append(wall - self._start - self._val)
        self.train_cpu_seconds.append(cpu - self._cpu - self._val_cpu)
        self.val_seconds.append(self._val)

    def summary(self, history):
        """The timings and test accuracies of `history` (a `History.history` dict)."""
        totals = [sum(self.train_seconds[:i + 1]) for i in range(len(self.train_seconds))]
        cpu_totals = [sum(self.train_cpu_seconds[:i + 1])
                      for i in range(len(self.train_cpu_seconds))]
        return {"train_seconds": self.train_seconds, "val_seconds": self.val_seconds,
                "train_cpu_seconds": self.train_cpu_seconds,
                "train_seconds_total": totals, "train_cpu_seconds_total": cpu_totals,
                "val_accuracy": [float(v) for v in history.get("val_accuracy", [])]}


def skip_epochs(dataset, epochs):
    """Draw the shuffle orders of `epochs` epochs of the `tf.data` `dataset`, as `fit` would.

    Each iterator of a dataset shuffled with ``reshuffle_each_iteration``
    draws the next order. Keras 3's `EpochIterator` makes one when each
    epoch begins and, for a dataset of known size, one more when it ends
    (``keras/src/trainers/epoch_iterator.py``); tests/test_resume.py checks
    that a resumed run trains on the same batches as an uninterrupted one.
    """
    for _ in range(epochs * (2 if int(dataset.cardinality()) >= 0 else 1)):
        iter(dataset)


def _rows(history):
    return max((len(v) for v in history.values()), default=0)


def read_history(json_path):
    """The history `write_history` wrote (``null`` read back as NaN); ``{}`` without one."""
    try:
        saved = json.loads(open(json_path, encoding="utf-8").read())
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict):
        return {}
    return {k: [math.nan if v is None else float(v) for v in values]
            for k, values in saved.items() if isinstance(values, list)}


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


def plot(history, path, title):
    """Draw `history` (a dict of lists) into the PNG `path`, when it holds an epoch."""
    from pyimagesearch.utils.plotting import plot_history

    if history and any(len(v) for v in history.values()):
        plot_history(history, path, title=title)
