"""`Run`: one run of a study, from its output folder to its row in the ledger."""

import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from pyimagesearch.errors import OutputExistsError
from pyimagesearch.harness import cli
from pyimagesearch.harness import distribute
from pyimagesearch.harness import files
from pyimagesearch.harness import history as histories
from pyimagesearch.harness import ledger
from pyimagesearch.harness import models
from pyimagesearch.harness import reports
from pyimagesearch.harness.resume import RunFolder
from pyimagesearch.harness.resume import close
from pyimagesearch.io import imagefile
from pyimagesearch.utils.atomic import atomic_write

logger = logging.getLogger("pyimagesearch.harness")


class Run:
    """One run of a study: its strategy, seed, precision, output folder and files.

    On entry it starts the run's `tf.distribute` strategy (first of all: a
    multi-worker strategy must exist before any other TensorFlow op), seeds
    everything, sets the dtype policy, multiplies the learning rates the
    parser declared by the replicas with ``--scale-lr``, writes
    ``args.json`` and enters the strategy's scope for the whole ``with``
    block, so that every model built there is distributed. Each `fit` is
    backed up after every epoch (`callbacks`): the same command after a kill
    resumes it. On exit it restores the policy; after Ctrl-C or a crash it
    saves the model of the last finished epoch, the plot and a ledger row
    (``interrupted`` or ``failed``). Only the chief of a multi-worker run
    writes the run folder and the ledger (the others: a temporary folder).

    Args:
        study: the study's name: its folder under ``experiments/``.
        args: the parsed `argparse.Namespace` (from `study_parser`).
        resume: a non-empty ``--output`` without a rerun mark may be used
            (a script that resumes its own way).

    Example:

    ```python
    with harness.Run(STUDY, args) as run:    # STUDY: the study folder's name
        model = build(args.learning_rate)           # in the strategy's scope
        history = model.fit(run.dataset(x, y, shuffle=True), epochs=args.epochs,
                            callbacks=run.callbacks())
        run.save_history(history)
        run.save_model(model)
        report = run.evaluate(model, test_x, test_y, class_names)  # files and ledger row
    ```
    """

    def __init__(self, study: str, args, resume: bool = False):
        self.study, self.args, self.started = study, args, time.perf_counter()
        self.task = task = distribute.task_of(getattr(args, "strategy", None))
        self.is_chief = task.chief
        self.recipe = cli.recipe(args)  # before any learning rate is scaled
        self.data_path = files.data_path(args)
        self.data_name = files.data_name(self.data_path)
        if self.is_chief:
            self._folder = RunFolder(study, args, getattr(args, "output", None), resume)
            self.output_dir = self._folder.path
        else:  # another worker's files: nothing under outputs/, deleted on exit
            self._folder = None
            self.output_dir = Path(tempfile.mkdtemp(prefix=f"pyimagesearch-{self.task.index}-"))
        self.continued = bool(self._folder and self._folder.continued)
        self._backups = models.Backups(getattr(args, "backup", None) or self.output_dir / "backup",
                                       enabled=task.workers <= 1)  # a worker's folder is temporary
        self.images, self._own, self._history, self._saved_model = {}, set(), None, False
        self._policy = self._scope = self._git = None

    # -- entry and exit ----------------------------------------------------------------------
    def __enter__(self):
        try:
            return self._enter()
        except BaseException as error:  # __exit__ is not called when __enter__ raises
            self.__exit__(type(error), error, error.__traceback__)
            raise

    def _enter(self):
        import keras
        import tensorflow as tf

        args = self.args
        self.strategy_name, self.strategy = distribute.start(args, self.task)
        self.replicas = int(self.strategy.num_replicas_in_sync)
        batch = getattr(args, "batch_size", None)
        self.global_batch_size = None if batch is None else int(batch) * self.replicas
        keras.utils.set_random_seed(getattr(args, "seed", 42))
        if getattr(args, "deterministic", False):
            tf.config.experimental.enable_op_determinism()
        self._policy = keras.config.dtype_policy()
        self.precision = distribute.set_precision(args, self._policy.name)
        self.learning_rates = distribute.scale_learning_rates(self.args, self.replicas)
        if self.is_chief:
            ledger.check_writable(files.outputs_root() / "results.csv")
        self.save("args.json", files.describe(self))
        self._scope = self.strategy.scope()
        self._scope.__enter__()
        logger.info(f"{self.study}: outputs in {self.output_dir}" if self.is_chief else
                    f"{self.study}: {self.task.type} {self.task.index} of {self.task.workers} "
                    f"workers (not the chief): its files go to {self.output_dir}, deleted at the end")
        if self.replicas > 1 or self.precision != "float32":
            logger.info(f"{self.strategy_name} strategy, {self.replicas} replica(s), global "
                        f"batch {self.global_batch_size}, {self.precision}")
        return self

    def __exit__(self, exc_type, exc, tb):
        return close(self, exc_type, exc, tb)  # the crash save, the mark, the policy

    def _git_state(self):  # once per run
        self._git = files.git_state(files.project_root()) or {} if self._git is None else self._git
        return self._git

    # -- data and training ---------------------------------------------------------------------
    def count_images(self, note: "str | None" = None, **counts: int) -> None:
        """Record the images of each split (``train=1600, test=200``): data.json, the ledger;
        with a `note` ("" for none) log them too (``train 1600, test 200 images; <note>``)."""
        self.images.update({k: int(v) for k, v in counts.items()})
        if note is not None:
            logger.info(", ".join(f"{k} {v}" for k, v in counts.items()) + " images"
                        + (f"; {note}" if note else ""))
        self.save("data.json", {"data_path": str(self.data_path) if self.data_path else None,
                                "images": self.images})

    def dataset(self, x, y, shuffle: bool = False, augmentation=None, preprocess=None):
        """`(x, y)` as a `tf.data.Dataset` of global batches, for `fit` and `evaluate`.

        Reshuffled every epoch with the run's seed when `shuffle`, augmented
        and then preprocessed per batch, prefetched; on several replicas a
        shuffled set leaves out the last partial batch of each epoch (see
        `pyimagesearch.datasets.array_dataset`).
        """
        from pyimagesearch.datasets import array_dataset

        return self._backups.follow(array_dataset(  # a resumed fit continues its epoch order
            x, y, self.global_batch_size, augmentation=augmentation, shuffle=shuffle,
            seed=getattr(self.args, "seed", None), preprocess=preprocess,
            drop_remainder=shuffle and self.replicas > 1), shuffle)

    def sharded(self, make, rows=None):
        """Data each worker reads from its own part of the files (`distribute.worker_dataset`).

        ``make(index, count, batch)`` returns a `keras.utils.PyDataset` of
        part `index` of `count`, e.g. ``HDF5DatasetGenerator(path, batch,
        shard=(index, count))``; `rows`, a training set's size.
        """
        if not callable(make):
            raise ValueError(f"`make` must be callable. Received: make={make!r}")
        if self.replicas == 1:
            return make(0, 1, self.global_batch_size)
        return self.strategy.distribute_datasets_from_function(
            lambda context: distribute.worker_dataset(make, rows, context,
                                                      self.global_batch_size, self.replicas))

    def callbacks(self, tensorboard: bool = True, name: "str | None" = None) -> list:
        """The callbacks of one `fit`: the history and backup after every epoch, TensorBoard.

        After a kill the same command resumes the fit after its last finished epoch
        (``<run>/backup/``, ``--backup``); call n is fit n's (`name`: a named backup).
        """
        import keras

        if self._history is None:
            json_path, old = self.path("history.json", rewrite=True), self.continued
            self._history = histories.HistoryCheckpoint(json_path, self.path(
                "history.csv", rewrite=True), previous=old and histories.read_history(json_path))
        self._history.backup = self._backups.get(name, next_fit=True)
        self._history.datasets = self._backups.datasets
        callbacks = [self._history]
        if tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(
                log_dir=str(self.output_dir / "tensorboard"), write_graph=False, profile_batch=0))
        return callbacks

    def resume(self, model, name: "str | None" = None) -> int:
        """Restore the next fit's backup into `model` (compiled) now; the epochs it holds (0: none).

        `fit` restores by itself; this is for what must know the epoch first
        (``TrainingMonitor(start_at=run.resume(model))``).
        """
        backup = self._backups.get(name)
        return backup.restore(model) if backup is not None else 0

    # -- files -------------------------------------------------------------------------------
    def path(self, name: str, rewrite: bool = False) -> Path:
        """The path of `name` in the run folder; it must be new, unless the run continues."""
        path = self.output_dir / name
        mine = rewrite and path in self._own
        if path.exists() and not (self._folder and self._folder.resume) and not mine:
            raise OutputExistsError(f"{path} already exists; it is not overwritten")
        path.parent.mkdir(parents=True, exist_ok=True)
        if rewrite:
            self._own.add(path)
        return path

    def save(self, name: str, obj) -> Path:
        """Write `obj` to `name` atomically: a str as text, an image array by its suffix, else JSON."""
        path = self.path(name)
        if isinstance(obj, np.ndarray):
            return imagefile.write_image(path, obj)
        with atomic_write(path) as f:
            f.write(obj if isinstance(obj, str) else f"{json.dumps(files.jsonable(obj), indent=2)}\n")
        return path

    def save_history(self, history, title=None, plot_name="training_plot.png"):
        """Write ``history.json``, ``history.csv`` and the loss/metrics plot; the logs."""
        logs = getattr(history, "history", history)
        logs = {k: [float(v) for v in values] for k, values in logs.items()}
        histories.write_history(logs, self.path("history.json", rewrite=True),
                                self.path("history.csv", rewrite=True))
        self._plot(logs, title, plot_name)
        return logs

    def _plot(self, logs, title=None, plot_name="training_plot.png"):
        histories.plot(logs, self.path(plot_name, rewrite=True), self._title(title))

    def _title(self, title=None):
        base = title or self.study
        return f"{base}\n{self.recipe}" if self.recipe else base

    def save_report(self, y_true, y_pred, class_names, name: str = "classification_report") -> dict:
        """Write and print the classification report over every test sample and its confusion matrix."""
        return reports.write_report(self, y_true, y_pred, class_names, name)

    def evaluate(self, model, x, y, class_names, batch_size: int = 32, data=None,
                 bgr: bool = False) -> dict:
        """Predict every test sample: the report, confusion matrix, image grid and accuracy row.

        `bgr`: `x` holds OpenCV's BGR images (the grid shows them in RGB)."""
        return reports.evaluate(self, model, x, y, class_names, batch_size, data, bgr)

    def save_model(self, model, name="model.keras"):
        """Save `model` as `name` atomically (then it is complete); delete the backups."""
        path = models.save_model(model, self.path(name))
        self._saved_model = True
        self._backups.release()  # only now: the training is on disk
        return path

    def record(self, data: str, metric: str, value: float, status: str = "finished") -> dict:
        """Append one row to the ledger ``outputs/results.csv`` and the run's own copy."""
        row = ledger.run_row(self, data, metric, value, status)
        paths = [self.output_dir / "results.csv"]
        if self.is_chief:  # other workers keep no row under outputs/
            paths.insert(0, files.outputs_root() / "results.csv")
        for path in paths:
            ledger.append_row(path, row)
        logger.info(f"{metric} on {data}: {float(value):.4f}")
        return row

