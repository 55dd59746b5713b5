"""MiniVGGNet on CIFAR-10: the body the five 2020-11-12-minivggnet scripts share.

The five scripts of that study differ only in their optimizer and callbacks;
loading, scaling, one-hot encoding, building, compiling, training,
evaluating and saving are the same and live here:

- `study_parser(doc, epochs)`: the harness arguments plus `--learning-rate`,
  `--momentum` and `--no-bn`, with the diary's defaults (SGD 0.01, momentum
  0.9, Nesterov, batch 64, 40 epochs, `--dataset cifar10`).
- `load_data(source)`: CIFAR-10 (`--dataset cifar10` reads
  $DATASETS_DIR/cifar10 when present and otherwise downloads through Keras;
  `--dataset PATH` reads a {train,test}/<class>/*.png folder or the official
  cifar-10-batches-py folder) scaled to [0, 1], one-hot labels, in the
  channel order of `keras.config.image_data_format()`.
- `train_minivggnet(run, args, data, make_optimizer, callbacks)`: build,
  compile, fit, evaluate and write the harness outputs. The arrays reach
  `fit` as tf.data pipelines of global batches (`run.dataset`: shuffled
  indices, whole batches gathered, prefetched; sharded by data across
  workers); `timing.json` keeps each epoch's training and validation
  seconds and its test accuracy.
- `fast_recipe_optimizer(...)`, `fast_recipe_augmentation(seed)`: the
  pieces of `train_decay.py --recipe fast` (linear warm-up then cosine
  decay, label smoothing, weight decay, flips).

Example:

```python
import minivggnet_cifar10 as study  # this folder is on sys.path

parser = study.study_parser(__doc__)
args = parser.parse_args(argv)
source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
with harness.Run(study.STUDY, args) as run:
    data = study.load_data(source, verbose=args.verbose)
    study.train_minivggnet(
        run, args, data,
        make_optimizer=lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                    nesterov=True),
    )
```
"""

import math
import time
from collections import namedtuple

from pyimagesearch import harness

STUDY = "2020-11-12-minivggnet"

#: the recipes of train_decay.py: the diary's, and a faster one (same network)
Recipe = namedtuple("Recipe", "epochs batch_size learning_rate label_smoothing "
                              "warmup_epochs weight_decay augment")
RECIPES = {
    # SGD 0.01, Nesterov 0.9, lr0 / (1 + decay * iteration), batch 64, 40 epochs
    "diary": Recipe(epochs=40, batch_size=64, learning_rate=0.01, label_smoothing=0.0,
                    warmup_epochs=0, weight_decay=0.0, augment=False),
    # linear warm-up to 0.02, cosine decay to 0, label smoothing 0.1, decoupled
    # weight decay 5e-4, random left-right flips; 15 epochs
    "fast": Recipe(epochs=15, batch_size=64, learning_rate=0.02, label_smoothing=0.1,
                   warmup_epochs=1, weight_decay=5e-4, augment=True),
}


def study_parser(description, epochs=40, batch_size=64):
    """The harness parser with the MiniVGGNet-on-CIFAR-10 training arguments."""
    parser = harness.study_parser(
        description, epochs=epochs, batch_size=batch_size, dataset="cifar10",
        dataset_help="cifar10 (a local copy under $DATASETS_DIR, else Keras' download), "
        "a {train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
        "(default: cifar10)",
    )
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.01,
                        help="SGD's initial learning rate (default 0.01)")
    parser.add_argument("--momentum", type=harness.momentum, default=0.9,
                        help="SGD momentum, Nesterov's (default 0.9)")
    parser.add_argument("--no-bn", action="store_true",
                        help="MiniVGGNet without batch normalisation")
    return parser


def recipe_defaults(parser):
    """Let `--epochs`, `--batch-size` and `--learning-rate` default to `--recipe`'s values.

    Call it after adding ``--recipe``; `apply_recipe(args)` fills in what the
    user did not give.
    """
    for action in parser._actions:
        if action.dest in ("epochs", "batch_size", "learning_rate"):
            values = ", ".join(f"{getattr(recipe, action.dest)} with --recipe {name}"
                               for name, recipe in RECIPES.items())
            action.default = None
            action.help = f"{action.help.split(' (default')[0]} (default: {values})"
    return parser


def apply_recipe(args):
    """The `Recipe` of `args.recipe`; unset epochs, batch size and rate take its values."""
    recipe = RECIPES[args.recipe]
    for name in ("epochs", "batch_size", "learning_rate"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(recipe, name))
    return recipe


def load_data(source, verbose=1):
    """CIFAR-10 ready for MiniVGGNet: float32 in [0, 1], one-hot labels.

    `source` is ``"cifar10"`` (Keras' download) or a folder; see
    `pyimagesearch.datasets.cifar10.load_cifar10_for_training`.
    """
    from pyimagesearch.datasets.cifar10 import load_cifar10_for_training

    return load_cifar10_for_training(source, scale=True, verbose=verbose)


def fast_recipe_optimizer(peak, steps_per_epoch, epochs, warmup_epochs, momentum,
                          weight_decay):
    """SGD (Nesterov) whose rate rises linearly to `peak`, then follows a cosine to 0.

    The warm-up lasts `warmup_epochs` (from `peak` / 25), the cosine the
    remaining epochs; the rate changes after every batch.
    """
    import keras

    total = max(1, steps_per_epoch * epochs)
    warmup = min(total - 1, steps_per_epoch * warmup_epochs)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 25, decay_steps=total - warmup, alpha=0.0,
        warmup_target=peak, warmup_steps=warmup)
    return keras.optimizers.SGD(learning_rate=schedule, momentum=momentum, nesterov=True,
                                weight_decay=weight_decay or None)


def fast_recipe_augmentation(seed):
    """Random left-right flips (a mirrored CIFAR image is still of its class)."""
    from pyimagesearch.preprocessing import build_augmentation

    return build_augmentation(rotation=0, shift=0, shear=0, zoom=0, horizontal_flip=True,
                              seed=seed)


def train_minivggnet(run, args, data, make_optimizer, callbacks=(), title=None,
                     loss="categorical_crossentropy", augmentation=None):
    """Build, compile, train and evaluate MiniVGGNet; write the harness outputs.

    Args:
        run: the `harness.Run` (outputs: `history.json`/`.csv`,
            `training_plot.png`, `classification_report.*`, `timing.json`,
            `model.keras` and a line in `results.csv`).
        args: the parsed arguments of `study_parser` (`epochs`,
            `batch_size` per replica, `verbose`, `no_bn`).
        data: a `CifarData` from `load_data`.
        make_optimizer: a function returning the optimizer; it is called
            inside the distribution strategy's scope.
        callbacks: Keras callbacks for `fit`. A `LearningRateLogger` runs
            first, so the history keeps the learning rate of every epoch.
        title: the training plot's title.
        loss: the loss (name or `keras.losses.Loss`).
        augmentation: a Keras model applied to each training batch in the
            input pipeline (`fast_recipe_augmentation`), or `None`.

    Returns:
        `(model, history, report)`; `report["accuracy"]` is the test accuracy.
    """
    from pyimagesearch.callbacks import LearningRateLogger
    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES
    from pyimagesearch.nn.conv import MiniVGGNet
    from pyimagesearch.utils import predict_all

    run.count_images(train=len(data.train_x), test=len(data.test_x))

    # build and compile MiniVGGNet on every replica
    print(f"[INFO] compiling model ({run.strategy_name} strategy, {run.replicas} "
          f"replica(s), global batch {run.global_batch_size}, {run.precision})...")
    with run.strategy.scope():
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES),
                                 batch_norm=not args.no_bn)
        model.compile(loss=loss, optimizer=make_optimizer(), metrics=["accuracy"])

    # the arrays as tf.data pipelines of global batches (reshuffled every epoch)
    train = run.dataset(data.train_x, data.train_y, shuffle=True, augmentation=augmentation)
    test = run.dataset(data.test_x, data.test_y)

    # train the network (the history is written after every epoch)
    print("[INFO] training network...")
    timer = epoch_timer()
    history = model.fit(train, validation_data=test, epochs=args.epochs, verbose=args.verbose,
                        shuffle=False,  # the pipeline shuffles
                        callbacks=[LearningRateLogger(), timer, *callbacks, *run.callbacks()])
    run.save_history(history, title=title or "MiniVGGNet on CIFAR-10")
    run.save_json("timing.json", timer.summary(history.history))
    run.save_model(model)

    # evaluate the network on every test image
    print("[INFO] evaluating network...")
    predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
    report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
    run.save_predictions(data.test_x, data.test_y, predictions, CIFAR10_CLASSES)
    run.record(run.data_name("cifar10"), "accuracy", report["accuracy"])
    return model, history, report


def steps_per_epoch(run, data):
    """Optimizer steps in one epoch: training images / global batch, rounded up."""
    return math.ceil(len(data.train_x) / run.global_batch_size)


def epoch_timer():
    """A Keras callback timing each epoch's training and its validation pass apart.

    ``summary(history)`` gives the per-epoch seconds (wall and CPU: the CPU
    seconds of every thread of the process, which other processes on the
    machine do not inflate), their running totals (validation excluded) and
    each epoch's test accuracy: what `timing.json` keeps and the
    time-to-accuracy benchmark reads.
    """
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.train_seconds, self.train_cpu_seconds, self.val_seconds = [], [], []

        def on_epoch_begin(self, epoch, logs=None):
            self._start, self._cpu, self._val, self._val_cpu = clocks() + (0.0, 0.0)

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
            return {"train_seconds": self.train_seconds, "val_seconds": self.val_seconds,
                    "train_cpu_seconds": self.train_cpu_seconds,
                    "train_seconds_total": running_total(self.train_seconds),
                    "train_cpu_seconds_total": running_total(self.train_cpu_seconds),
                    "val_accuracy": [float(v) for v in history.get("val_accuracy", [])]}

    return EpochTimer()


def clocks():
    """(wall seconds, CPU seconds of this process's threads)."""
    return time.perf_counter(), time.process_time()


def running_total(values):
    totals, total = [], 0.0
    for value in values:
        total += value
        totals.append(total)
    return totals
