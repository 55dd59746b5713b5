"""Every use of private Keras (and argparse) API in the project, tied to the versions.

Written for Keras 3.15 (`KERAS_WRITTEN_FOR`); `private_api_in_use()` lists
what is used, and ``tests/test_keras_fixes.py`` fails loudly when a Keras
upgrade removes any of it.

- `SafeBackupAndRestore`: `keras.callbacks.BackupAndRestore` (its
  ``_save_model``, ``_weights_path``, ``_training_metadata_path``,
  ``_prev_*`` paths and ``model._initial_epoch``) made safe against a kill
  at any moment, restoring only a state that loads, keeping the backup after
  `fit` until `release()`.
- `AtomicModelCheckpoint`: `keras.callbacks.ModelCheckpoint` (its
  ``_save_model``, ``_get_file_path``, ``_should_save_model``) writing each
  file under a temporary name first.
- `patch_keras_multiworker()`: two Keras 3 bugs that stop `fit` under a
  `MultiWorkerMirroredStrategy` (``keras.Model._maybe_symbolic_build``,
  the trainer's ``reduce_per_replica``; keras-team/keras#20585).

- `parser_actions(parser)`, `group_actions(group)`: argparse's ``_actions``
  and ``_group_actions`` (Python 3.11-3.13), for `--config` replays.
"""

import json
import os
import shutil
from pathlib import Path

import keras

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line
from pyimagesearch.utils.atomic import atomic_path, atomic_write
from pyimagesearch.utils.atomic import remove_stale_temporaries, temporary_name
from pyimagesearch.harness.faults import fault_point

KERAS_WRITTEN_FOR = "3.15"

__all__ = ["AtomicModelCheckpoint", "SafeBackupAndRestore", "patch_keras_multiworker",
           "private_api_in_use"]


def _read_epoch(metadata_path):
    """The epoch of a ``training_metadata.json``, or None (missing, empty, damaged)."""
    try:
        epoch = json.loads(Path(metadata_path).read_text()).get("epoch")
    except (OSError, ValueError, AttributeError):
        return None
    return epoch if isinstance(epoch, int) and epoch >= 0 else None


def _opens_as_hdf5(path):
    import h5py

    try:
        with h5py.File(path, "r"):
            return True
    except (OSError, ValueError):
        return False


class SafeBackupAndRestore(keras.callbacks.BackupAndRestore):
    """`BackupAndRestore(double_checkpoint=True)` that survives a kill at any moment.

    Each epoch's save copies the current state (Keras' ``latest.weights.h5``
    + ``training_metadata.json``) to the previous one (``.bkp``), then
    writes the weights under a temporary name, renames them, and writes the
    metadata last. A state counts only when its metadata reads and its
    weights open, so a kill at any point leaves one complete state.

    Args:
        backup_dir: the folder of the state (used by nothing else).
    """

    def __init__(self, backup_dir: "str | os.PathLike"):
        super().__init__(str(backup_dir), save_freq="epoch", double_checkpoint=True,
                         delete_checkpoint=False)
        self.restored = 0

    # -- which state ----------------------------------------------------------------------------
    def _states(self):
        return ((self._weights_path, self._training_metadata_path),
                (self._prev_weights_path, self._prev_training_metadata_path))

    def _usable_state(self):
        """`(weights_path, epoch)` of the newest complete state, or None."""
        for weights, metadata in self._states():
            epoch = _read_epoch(metadata)
            if epoch is not None and os.path.isfile(weights) and _opens_as_hdf5(weights):
                return weights, epoch
        return None

    def restorable_epoch(self) -> int:
        """The epochs the backup holds (0: none): training resumes after them."""
        state = self._usable_state()
        return 0 if state is None else state[1]

    # -- restore --------------------------------------------------------------------------------
    def restore(self, model=None):
        """Load the newest complete state into `model` now; the epochs it holds (0: none).

        `fit` restores by itself (`on_train_begin`); calling this first, on
        the built and compiled model, refuses a foreign backup before
        anything else of the run starts (TensorBoard's logs, the history).

        Raises:
            DatasetError: the backup is of another model, or damaged.
        """
        if model is not None:
            self.set_model(model)
        state = self._usable_state()
        self._restored_into = self.model
        if state is None:
            self.model._initial_epoch = 0  # not what an earlier fit's backup restored
            return 0
        weights, epoch = state
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        try:
            self._load(weights)
        except (ValueError, KeyError, TypeError) as error:
            raise DatasetError(
                f"--backup {self.backup_dir} holds the state of another model "
                f"({one_line(error, limit=120).rstrip(':')}); pass a new --backup folder, "
                "or delete this one to start again") from None
        except OSError as error:
            raise DatasetError(f"--backup {self.backup_dir}: {weights} is damaged "
                               f"({one_line(error, limit=120)}); delete the folder to start "
                               "again") from None
        self.restored = epoch
        self.model._initial_epoch = epoch  # what Keras' own callback sets
        return epoch

    def _load(self, weights):
        """Load `weights`; the previous state becomes the current one once it has loaded."""
        current, previous = self._states()
        if weights != previous[0]:
            self.model.load_weights(weights)
            return
        # Keras loads only *.weights.h5 names: a copy, then (it loaded: the
        # backup is this model's) the previous state replaces the void current one
        copy = temporary_name(current[0])
        try:
            shutil.copyfile(weights, copy)
            self.model.load_weights(str(copy))
        finally:
            Path(copy).unlink(missing_ok=True)
        for source, target in zip(previous, current):
            with atomic_path(target) as tmp:
                shutil.copyfile(source, tmp)

    def on_train_begin(self, logs=None):
        if getattr(self, "_restored_into", None) is self.model:
            self.model._initial_epoch = self.restored
            return
        self.restore()

    # -- save -----------------------------------------------------------------------------------
    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        remove_stale_temporaries(self.backup_dir)  # half-written by a killed run
        current, previous = self._states()
        # keep the last complete state as the previous one (its metadata last)
        if _read_epoch(current[1]) is not None and os.path.isfile(current[0]):
            Path(previous[1]).unlink(missing_ok=True)
            for source, target in zip(current, previous):
                with atomic_path(target) as tmp:
                    shutil.copyfile(source, tmp)
        # from here until the new metadata is written, only the previous state counts
        Path(current[1]).unlink(missing_ok=True)
        with atomic_path(current[0]) as tmp:
            self.model.save_weights(str(tmp), overwrite=True)
            fault_point("backup_write", partial=tmp)  # tests: a kill during the write
        with atomic_write(current[1]) as f:
            f.write(json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}))

    def on_train_end(self, logs=None):  # the backup is kept until release(): no model yet
        self.model._initial_epoch = 0  # a next fit starts at its own initial_epoch

    def release(self):
        """Delete the backup (call it once the trained model is saved)."""
        shutil.rmtree(self.backup_dir, ignore_errors=True)


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """`keras.callbacks.ModelCheckpoint` whose files appear only when complete.

    Same arguments and behaviour; each model (or weights) file is written
    under a temporary name in the same folder and then renamed over the
    final name, so a kill during a save never leaves a truncated
    ``best.keras``: the previous best stays until the new one is whole.
    """

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, batch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"ModelCheckpoint's filepath is a folder: {filepath}")
        with atomic_path(filepath) as tmp:
            if self.save_weights_only:
                self.model.save_weights(str(tmp), overwrite=True)
            else:
                self.model.save(str(tmp), overwrite=True)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")


def is_multi_worker(strategy):
    """Whether `strategy` spans several workers (processes)."""
    import tensorflow as tf

    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


_PATCHED = []


def patch_keras_multiworker():
    """Make Keras 3's `fit`/`evaluate` work under `MultiWorkerMirroredStrategy`.

    Keras 3 (3.0 to at least 3.15) fails there in two places
    (keras-team/keras#20585, tensorflow/tensorflow#72388):

    1. before the first step it averages the first batch over the replicas
       with ``strategy.reduce`` on the whole ``(x, y)`` tuple, which the
       collective strategy cannot reduce ("Attempt to convert a value
       (PerReplica...)"); the fix takes this worker's own first batch (it
       only needs the shapes);
    2. it averages each step's scalar logs with ``reduce("MEAN", v,
       axis=0)``, an error on a scalar ("Invalid reduction dimension 0");
       the fix averages them over the replicas with ``axis=None``.

    Only multi-worker runs take the new paths. Installed once per process.
    """
    if _PATCHED:
        return
    import sys

    import tensorflow as tf

    trainer = sys.modules[keras.Model.make_train_function.__module__]
    original_reduce = trainer.reduce_per_replica
    original_build = keras.Model._maybe_symbolic_build

    def reduce_per_replica(values, strategy, reduction):
        if reduction == "auto" and is_multi_worker(strategy):
            return tf.nest.map_structure(
                lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original_reduce(values, strategy, reduction)

    def local_value(strategy, value):
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self.distribute_strategy
        if iterator is not None and is_multi_worker(strategy):
            for _, _, it in iterator:
                data_batch = tf.nest.map_structure(
                    lambda v: local_value(strategy, v), next(it))
                break
            iterator = None
        return original_build(self, iterator=iterator, data_batch=data_batch)

    trainer.reduce_per_replica = reduce_per_replica
    keras.Model._maybe_symbolic_build = _maybe_symbolic_build
    _PATCHED.append(True)


def private_api_in_use():
    """`{what: present}` for every private Keras name this module relies on."""
    import sys

    trainer = sys.modules[keras.Model.make_train_function.__module__]
    backup = keras.callbacks.BackupAndRestore(os.path.join(os.sep, "nonexistent-backup"))
    checkpoint = keras.callbacks.ModelCheckpoint("model.keras")
    return {
        "keras.Model._maybe_symbolic_build": hasattr(keras.Model, "_maybe_symbolic_build"),
        "trainer.reduce_per_replica": hasattr(trainer, "reduce_per_replica"),
        "BackupAndRestore._save_model": hasattr(backup, "_save_model"),
        **{f"BackupAndRestore.{name}": hasattr(backup, name) for name in (
            "_weights_path", "_training_metadata_path", "_prev_weights_path",
            "_prev_training_metadata_path", "_current_epoch", "_last_batch_seen")},
        "ModelCheckpoint._save_model": hasattr(checkpoint, "_save_model"),
        "ModelCheckpoint._get_file_path": hasattr(checkpoint, "_get_file_path"),
        "ModelCheckpoint._should_save_model": hasattr(checkpoint, "_should_save_model"),
    }


def parser_actions(parser):
    """Every `argparse.Action` of `parser` (its private ``_actions``)."""
    return list(parser._actions)


def group_actions(group):
    """The actions of an argparse (mutually exclusive) group (``_group_actions``)."""
    return list(group._group_actions)
