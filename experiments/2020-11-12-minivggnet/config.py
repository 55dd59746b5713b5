"""What the MiniVGGNet study's scripts share: the diary's recipe, its flags, an epoch timer.

The book keeps such settings in `config/<x>_config.py`; here:

- the diary's recipe (SGD 0.01, Nesterov momentum 0.9, batch 64, 40 epochs)
  and `study_parser(doc, epochs)`, the harness parser with `--learning-rate`,
  `--momentum` and `--no-bn` (`--dataset cifar10` by default);
- `EpochTimer`, the callback behind each run's `timing.json`: every epoch's
  training and validation seconds apart, and its test accuracy (what
  `bench/bench_time_to_accuracy.py` reads).

Example:

```python
import config  # beside the scripts: their folder is on sys.path

parser = config.study_parser(__doc__, epochs=100)
timer = config.EpochTimer()   # model.fit(..., callbacks=[timer]); timer.summary(history)
```
"""

import time

import keras

from pyimagesearch import harness

STUDY = "2020-11-12-minivggnet"

# the diary's recipe
EPOCHS = 40
BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.9  # Nesterov's
DATASET_HELP = ("cifar10 (a local copy under $DATASETS_DIR, else Keras' download), a "
                "{train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
                "(default: cifar10)")


def study_parser(description, epochs=EPOCHS, batch_size=BATCH_SIZE):
    """The harness parser with MiniVGGNet's training flags and the diary's defaults."""
    parser = harness.study_parser(description, epochs=epochs, batch_size=batch_size,
                                  dataset="cifar10", dataset_help=DATASET_HELP,
                                  learning_rates=("learning_rate",))
    parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                        help=f"SGD's initial learning rate (default {LEARNING_RATE})")
    add_model_arguments(parser)
    return parser


def add_model_arguments(parser):
    """`--momentum` (SGD's, Nesterov) and `--no-bn` (MiniVGGNet without batch normalisation)."""
    parser.add_argument("--momentum", type=harness.momentum, default=MOMENTUM,
                        help=f"SGD momentum, Nesterov's (default {MOMENTUM})")
    parser.add_argument("--no-bn", action="store_true",
                        help="MiniVGGNet without batch normalisation")
    return parser


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
