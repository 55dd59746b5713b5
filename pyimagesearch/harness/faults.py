"""A test-only hook: kill the process at a named point (``PYIMAGESEARCH_FAULT``).

The reliability tests (``tests/test_reliability_faults.py``) prove that a
kill at the worst moments loses nothing: they run a script as a subprocess
with ``PYIMAGESEARCH_FAULT=<point>`` (or ``<point>@<n>``: the n-th time the
point is reached), and the process SIGKILLs itself there; then they run the
same command again. Without the variable, `fault_point` does nothing.

The points (each a `fault_point` call):

- ``hdf5_chunk``: an HDF5 build, after a chunk of images is written
  (`pyimagesearch.io.hdf5build.write_images(on_chunk=)`, from the build script);
- ``backup_write``: `SafeBackupAndRestore`, in the middle of writing the
  backup's weights (the temporary file half written);
- ``epoch_end``: `HistoryCheckpoint` (every `Run.callbacks()`), once an
  epoch's history and backup are written (``epoch_end@2``: after epoch 2);
- ``before_model_save``: `harness.Run.save_model`, before anything is written
  (for a training script: between the last epoch and the model save);
- ``model_save``: `harness.Run.save_model`, in the middle of writing the
  model (its temporary file half written).

Example (a shell):

```
PYIMAGESEARCH_FAULT=epoch_end@2 python train.py ... --output RUN   # killed after epoch 2
python train.py ... --output RUN                                   # resumes at epoch 3
```
"""

import collections
import os
import signal

ENV = "PYIMAGESEARCH_FAULT"
_reached = collections.Counter()


def fault_point(name, partial=None):
    """SIGKILL this process if ``$PYIMAGESEARCH_FAULT`` names this point.

    Args:
        name: the point's name.
        partial: a file being written at this point; it is cut to half its
            size first, as a kill in the middle of writing it would leave it.
    """
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] != (int(nth) if nth else 1):
        return
    if partial is not None and os.path.isfile(partial):
        with open(partial, "r+b") as f:
            f.truncate(os.path.getsize(partial) // 2)
    os.kill(os.getpid(), signal.SIGKILL)
