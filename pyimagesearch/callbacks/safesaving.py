"""Keras' saving callbacks, made safe against a kill at any moment.

- `SafeBackupAndRestore`: Keras' `BackupAndRestore` with its double
  checkpoint, whose every write is atomic and ordered so that one complete
  state always survives; it restores only a state that loads, refuses a
  backup of another model with a one-line error, and keeps the backup
  after `fit` until `release()` (call it once the model is saved: Keras
  deletes its backup when `fit` ends, and a kill before the model is
  saved then loses the whole training).
- `AtomicModelCheckpoint`: Keras' `ModelCheckpoint` writing each file under
  a temporary name first.

Example:

```python
backup = SafeBackupAndRestore("backup/state")
start = backup.restore(model)              # 0 without a backup
model.fit(x, y, epochs=75, initial_epoch=start, callbacks=[monitor, backup])
run.save_model(model)
backup.release()                           # only now is the backup deleted
```
"""

import json
import os
import shutil
from pathlib import Path

import keras

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line
from pyimagesearch.utils.atomic import atomic_path
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.atomic import remove_stale_temporaries
from pyimagesearch.utils.atomic import temporary_name
from pyimagesearch.utils.faults import fault_point

__all__ = ["AtomicModelCheckpoint", "SafeBackupAndRestore"]


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

    The state of the last epoch (``latest.weights.h5`` +
    ``training_metadata.json``) and of the one before (``.bkp``) use Keras'
    file names. Each epoch's save: the current state is copied to the
    previous one (atomically, its metadata last), the current metadata is
    removed, the weights are written to a temporary file and renamed, and
    the metadata is written last. A state counts only when its metadata
    reads and its weights open, so a kill at any point leaves at least one
    complete state, and the restored weights always match the restored
    epoch.

    Args:
        backup_dir: the folder of the state (used by nothing else).
        flag: how the folder is named in error messages.
    """

    def __init__(self, backup_dir: "str | os.PathLike", flag: str = "--backup"):
        super().__init__(str(backup_dir), save_freq="epoch", double_checkpoint=True,
                         delete_checkpoint=False)
        self.flag = flag
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
            return 0
        weights, epoch = state
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        try:
            self._load(weights)
        except (ValueError, KeyError, TypeError) as error:
            raise DatasetError(
                f"{self.flag} {self.backup_dir} holds the state of another model "
                f"({one_line(error, limit=120).rstrip(':')}); pass a new {self.flag} folder, "
                "or delete this one to start again") from None
        except OSError as error:
            raise DatasetError(f"{self.flag} {self.backup_dir}: {weights} is damaged "
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
            if self.restored:
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

    def on_train_end(self, logs=None):
        pass  # the backup is kept until release(): the model is not saved yet

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
