"""Save the whole model every few epochs, so a long training can be resumed."""

import numbers
import re
from pathlib import Path

import keras

from pyimagesearch.utils.atomic import atomic_path


class EpochCheckpoint(keras.callbacks.Callback):
    """The book's EpochCheckpoint: ``epoch_{N}.keras`` every `every` epochs.

    Each file is the whole model (architecture, weights and optimizer
    state), so training resumes from it with `keras.saving.load_model` and
    ``fit(..., initial_epoch=N)``; the optimizer's step count and moments
    continue where they were. `N` is the absolute epoch number (1-based):
    after 25 epochs the file is ``epoch_25.keras``, also in a resumed run.

    A file is written under a temporary name and then renamed, so a crash
    while saving never leaves a damaged ``epoch_N.keras``.

    Args:
        output_dir: the folder of the checkpoints (created if needed).
        every: save after every `every`-th epoch (absolute count).
        start_at: the epoch a resumed run starts at (the book's `startAt`);
            only needed when `fit` is called without ``initial_epoch``.

    Example:

    ```python
    callbacks = [EpochCheckpoint("output/checkpoints", every=5, start_at=25)]
    model.fit(train_gen, epochs=75, initial_epoch=25, callbacks=callbacks)
    # writes epoch_30.keras, epoch_35.keras, ...
    ```
    """

    def __init__(self, output_dir, every=5, start_at=0):
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
        self.saved = []

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
        path = self.output_dir / f"epoch_{absolute}.keras"
        with atomic_path(path) as tmp:
            self.model.save(tmp, overwrite=True)
        self.saved.append(path)


def epoch_from_checkpoint(path):
    """The epoch in an `EpochCheckpoint` file's name (``epoch_25.keras`` -> 25), else None.

    Example:

    >>> epoch_from_checkpoint("checkpoints/epoch_25.keras")
    25
    """
    match = re.fullmatch(r"epoch_(\d+)\.keras", Path(path).name)
    return int(match.group(1)) if match else None
