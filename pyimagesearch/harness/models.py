"""A run's models: saved so that a kill never leaves half a file, and backed up every epoch.

`save_model` writes the final model atomically; `Backups` keeps one
`SafeBackupAndRestore` state per `fit` of a run (``<run>/backup/state``,
``state-2`` for a second fit...), so that the same command after a kill
resumes every fit at the epoch after the last one it finished.
"""

import contextlib
from pathlib import Path

from pyimagesearch.utils.atomic import atomic_path
from pyimagesearch.harness.faults import fault_point


def save_model(model, path):
    """Save `model` to `path` (``.keras``): a temporary file in the same folder, then a rename.

    The file's presence means the model is complete. The fault points
    ``before_model_save`` and ``model_save`` let the reliability tests kill
    the process just before and in the middle of the write.
    """
    fault_point("before_model_save")
    with atomic_path(path) as tmp:
        model.save(tmp)
        fault_point("model_save", partial=tmp)
    return path


class Backups:
    """The backup-and-restore states of a run's fits, one folder each under `root`.

    The n-th fit of a run (the n-th `Run.callbacks()`) uses ``state`` (n = 1)
    or ``state-n``, unless it is given a name: the same script run again
    finds each fit's own state. `release` deletes them all once the model is
    saved.

    Args:
        root: ``--backup``, or ``<run folder>/backup``.
        enabled: False: no backup (the workers of a multi-worker run,
            whose folders do not outlive the run).
    """

    def __init__(self, root, enabled=True):
        self.root, self.enabled = Path(root), enabled
        self.states, self.fits, self.datasets = {}, 0, []

    def follow(self, dataset, shuffle=True):
        """`dataset`; a shuffled one is advanced past the restored epochs (`HistoryCheckpoint`)."""
        if shuffle:
            self.datasets.append(dataset)
        return dataset

    def get(self, name=None, next_fit=False):
        """The backup of the fit `name` (default: the next fit's); None when disabled."""
        if not self.enabled:
            return None
        name = name or ("state" if self.fits == 0 else f"state-{self.fits + 1}")
        self.fits += bool(next_fit)
        if name not in self.states:
            from pyimagesearch.harness.keras_fixes import SafeBackupAndRestore

            self.states[name] = SafeBackupAndRestore(self.root / name)
        return self.states[name]

    def release(self):
        """Delete every state (the model is saved); the root too when nothing else is there."""
        for backup in self.states.values():
            backup.release()
        with contextlib.suppress(OSError):
            self.root.rmdir()
