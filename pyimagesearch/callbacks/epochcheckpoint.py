"""Save the whole model every few epochs, so a long training can be resumed."""

import re
from pathlib import Path

import keras

from pyimagesearch import _checks
from pyimagesearch._compat import book_aliases, book_attribute
from pyimagesearch.utils.atomic import atomic_path

# Keras chooses the format from the suffix: .keras (native) or .h5/.hdf5 (legacy)
_SUFFIXES = (".keras", ".h5", ".hdf5")


class EpochCheckpoint(keras.callbacks.Callback):
    """The book's EpochCheckpoint: the whole model as ``epoch_{N}.keras`` every `every` epochs.

    `N` is the absolute epoch number (1-based). An ``.hdf5``/``.h5``
    `file_format` is saved without the optimizer's state.

    Args:
        output_dir: the folder of the checkpoints (created if needed).
        every: save after every `every`-th epoch (absolute count).
        start_at: the epoch a resumed run starts at, when `fit` gets no
            ``initial_epoch``.
        file_format: the file name, with ``{epoch}``.

    ```python
    callbacks = [EpochCheckpoint("output/checkpoints", every=5, start_at=25)]
    model.fit(train_gen, epochs=75, initial_epoch=25, callbacks=callbacks)
    # writes epoch_30.keras, epoch_35.keras, ...
    ```
    """

    @book_aliases(outputPath="output_dir", startAt="start_at")
    def __init__(self, output_dir, every=5, start_at=0, file_format="epoch_{epoch}.keras"):
        super().__init__()
        self.output_dir = Path(output_dir)
        if self.output_dir.is_file():
            raise ValueError(f"`output_dir` must be a folder. Received: output_dir={output_dir!r}")
        self.every = _checks.positive_int("every", every)
        self.start_at = _checks.non_negative_int("start_at", start_at)
        try:
            name = file_format.format(epoch=1)
        except (AttributeError, KeyError, IndexError, ValueError):
            name = ""
        if "{epoch" not in str(file_format) or Path(name).name != name or not name.endswith(
                _SUFFIXES):
            raise ValueError("`file_format` must be a file name with {epoch} ending in "
                             f"{', '.join(_SUFFIXES)}. Received: file_format={file_format!r}")
        self.file_format = file_format
        self.saved = []

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

    >>> epoch_from_checkpoint("checkpoints/epoch_25.keras")
    25
    """
    match = re.fullmatch(r"epoch_(\d+)\.(?:keras|hdf5|h5)", Path(path).name)
    return int(match.group(1)) if match else None


def _drop_optimizer_weights(path):
    """Remove the optimizer's state from a legacy HDF5 model file (Keras 3 cannot load it)."""
    import h5py

    with h5py.File(path, "a") as f:
        if "optimizer_weights" in f:
            del f["optimizer_weights"]
