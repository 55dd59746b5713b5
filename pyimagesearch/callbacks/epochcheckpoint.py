"""Save the whole model every few epochs, so a long training can be resumed."""

import numbers
import os
import re
from pathlib import Path

import keras

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute
from pyimagesearch.utils.atomic import atomic_path

# Keras chooses the format from the suffix: .keras (native) or .h5/.hdf5 (legacy)
_SUFFIXES = (".keras", ".h5", ".hdf5")


class EpochCheckpoint(keras.callbacks.Callback):
    """The book's EpochCheckpoint: ``epoch_{N}.keras`` every `every` epochs.

    Each file is the whole model (architecture, weights and optimizer
    state), so training resumes from it with `keras.saving.load_model` and
    ``fit(..., initial_epoch=N)``; the optimizer's step count and moments
    continue where they were. `N` is the absolute epoch number (1-based):
    after 25 epochs the file is ``epoch_25.keras``, also in a resumed run.

    A file is written under a temporary name and then renamed, so a crash
    while saving never leaves a damaged ``epoch_N.keras``.

    The book's resume scripts name ``epoch_N.hdf5``: pass
    ``file_format="epoch_{epoch}.hdf5"`` to write that name. Keras 3 then
    writes its legacy HDF5 format, which `keras.models.load_model` reads
    back compiled (same loss, metrics, optimizer and learning rate) but
    WITHOUT the optimizer's state (moments, step count): Keras 3's legacy
    loader cannot restore it (a model loaded with it cannot even be
    trained), so it is left out of the file and the optimizer starts afresh
    on resuming. Keep ``.keras`` to resume exactly.

    Args:
        output_dir: the folder of the checkpoints (created if needed); the
            book's `outputPath`.
        every: save after every `every`-th epoch (absolute count).
        start_at: the epoch a resumed run starts at (the book's `startAt`);
            only needed when `fit` is called without ``initial_epoch``.
        file_format: the file name, with ``{epoch}`` for the absolute epoch
            number, ending in ``.keras`` (default), ``.hdf5`` or ``.h5``.

    Example:

    ```python
    callbacks = [EpochCheckpoint("output/checkpoints", every=5, start_at=25)]
    model.fit(train_gen, epochs=75, initial_epoch=25, callbacks=callbacks)
    # writes epoch_30.keras, epoch_35.keras, ...
    ```
    """

    @book_aliases(outputPath="output_dir", startAt="start_at")
    def __init__(self, output_dir: "str | os.PathLike", every: int = 5, start_at: int = 0,
                 file_format: str = "epoch_{epoch}.keras"):
        super().__init__()
        if output_dir is None or str(output_dir).strip() == "":
            raise ValueError(
                f"`output_dir` must be a folder path. Received: output_dir={output_dir!r}"
            )
        for name, value, low in (("every", every, 1), ("start_at", start_at, 0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(
                    f"`{name}` must be an integer >= {low}. Received: {name}={value!r}"
                )
        self.output_dir = Path(output_dir)
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise ValueError(f"`output_dir` is a file. Received: output_dir={str(output_dir)!r}")
        self.every = int(every)
        self.start_at = int(start_at)
        self.file_format = _check_file_format(file_format)
        self.saved = []

    # the book's attribute names
    outputPath = book_attribute("output_dir")
    startAt = book_attribute("start_at")

    def on_train_begin(self, logs=None):
        self._finished = 0
        self.saved = []
        self.output_dir.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        # the absolute epoch number: Keras counts from `initial_epoch` when
        # one is given; the book's runs counted from `start_at` instead
        self._finished += 1
        absolute = max(epoch + 1, self.start_at + self._finished)
        if absolute % self.every != 0:
            return
        path = self.output_dir / self.file_format.format(epoch=absolute)
        with atomic_path(path) as tmp:
            self.model.save(tmp, overwrite=True)
            if path.suffix != ".keras":
                _drop_optimizer_weights(tmp)
        self.saved.append(path)


def epoch_from_checkpoint(path):
    """The epoch in an `EpochCheckpoint` file's name (``epoch_25.keras`` -> 25), else None.

    The book's ``epoch_25.hdf5`` (``file_format="epoch_{epoch}.hdf5"``) gives 25 too.

    Example:

    >>> epoch_from_checkpoint("checkpoints/epoch_25.keras")
    25
    """
    match = re.fullmatch(r"epoch_(\d+)\.(?:keras|hdf5|h5)", Path(path).name)
    return int(match.group(1)) if match else None


def _check_file_format(file_format):
    """A file name with ``{epoch}`` and a suffix Keras saves to."""
    try:
        name = file_format.format(epoch=1)
    except (AttributeError, KeyError, IndexError, ValueError):
        name = None
    if (name is None or "{epoch" not in file_format or Path(name).name != name
            or Path(name).suffix not in _SUFFIXES):
        raise ValueError(
            "`file_format` must be a file name with {epoch} ending in "
            f"{', '.join(_SUFFIXES)} (e.g. 'epoch_{{epoch}}.hdf5'). "
            f"Received: file_format={file_format!r}"
        )
    return file_format


def _drop_optimizer_weights(path):
    """Remove the optimizer's state from a legacy HDF5 model file.

    Keras 3's legacy loader builds the optimizer for no variables and then
    fails to set the saved state ("Unknown variable" at the next `fit`);
    without ``optimizer_weights`` it compiles the model with a fresh
    optimizer of the same configuration, which trains.
    """
    import h5py

    with h5py.File(path, "a") as f:
        if "optimizer_weights" in f:
            del f["optimizer_weights"]
