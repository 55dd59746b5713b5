"""MiniGoogLeNet on CIFAR-10: DL4CV Practitioner Bundle ch. 11, `googlenet_cifar10.py` (2020-12-06-minigooglenet).

Data: CIFAR-10, 32x32x3 RGB, 10 classes, one-hot labels. The pixels stay
raw (0-255): the model's first layer subtracts the per-pixel mean image of
the training images (computed on the training split only, saved with the
model, so the saved model predicts on raw pixels). `--dataset cifar10` reads
$DATASETS_DIR/cifar10 when present and otherwise downloads through Keras;
`--dataset PATH` reads a {train,test}/<class>/*.png folder or the official
cifar-10-batches-py folder.
Model: MiniGoogLeNet (conv 96; inception (32,32), (32,48); downsample 80;
inception (112,48), (96,64), (80,80), (48,96); downsample 96; inception
(176,160) x 2; 7x7 average pool; dropout 0.5; softmax): 1,656,250 weights.
Recipe (the diary's): augmentation shift 0.1 and horizontal flip (in the
tf.data pipeline; test images never augmented), SGD momentum 0.9, batch 64,
70 epochs, polynomial decay per epoch lr = lr0 * (1 - epoch / epochs) ** power.
The diary's three experiments: --learning-rate 5e-3 --power 2;
--learning-rate 1e-2 --power 2; --learning-rate 1e-2 --power 1 (linear
decay). `--recipe fast` trains the same network in 16 epochs: a one-epoch
linear warm-up to 0.05 then a cosine to 0 (per iteration), label smoothing
0.1, weight decay 5e-4, the same shifts and flips;
bench/bench_time_to_accuracy.py compares it with the 70-epoch recipe.
`timing.json` keeps each epoch's training seconds. A TrainingMonitor redraws `monitor.png` (and `monitor.json`) in the
run folder after every epoch; `report.py` reloads the saved model and writes
its classification report.
Diary's result: 0.90, 0.91, 0.91 test accuracy (full CIFAR-10).
Measured here: see this folder's README.md.

    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 5e-3 --power 2
    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 1e-2 --power 1
    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --recipe fast
    python experiments/2020-12-06-minigooglenet/report.py --dataset PATH/cifar10 --model-path outputs/2020-12-06-minigooglenet/<run>/model.keras
"""

import collections
import os
import sys

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger, TrainingMonitor
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import PolynomialDecay

import config

# the recipes: the diary's first setting, and a faster one for the same network
Recipe = collections.namedtuple("Recipe", "epochs batch_size learning_rate label_smoothing "
                                          "warmup_epochs weight_decay")
RECIPES = {
    "diary": Recipe(epochs=70, batch_size=64, learning_rate=5e-3, label_smoothing=0.0,
                    warmup_epochs=0, weight_decay=0.0),
    "fast": Recipe(epochs=16, batch_size=64, learning_rate=0.05, label_smoothing=0.1,
                   warmup_epochs=1, weight_decay=5e-4),
}
POWER = 2.0
MOMENTUM = 0.9

parser = harness.study_parser(__doc__, dataset="cifar10", dataset_help=config.DATASET_HELP,
                              recipes=RECIPES, recipe_help="diary: polynomial decay per epoch; "
                              "fast: warm-up + cosine to 0, label smoothing, weight decay, 16 "
                              "epochs")
parser.add_argument("--power", type=harness.positive_float, default=POWER,
                    help="power p of the diary's polynomial decay lr0 * (1 - epoch / epochs) "
                    f"** p (default {POWER:g}; 1 is a linear decay)")


def make_optimizer(args, recipe, steps_per_epoch):
    """SGD with the recipe's rate: the diary's per-epoch decay (its callback), or warm-up + cosine."""
    if args.recipe == "diary":
        schedule = PolynomialDecay(max_epochs=args.epochs, init_alpha=args.learning_rate,
                                   power=args.power)
        print(f"[INFO] {schedule}; process ID {os.getpid()}")
        return (keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=MOMENTUM),
                keras.callbacks.LearningRateScheduler(schedule))
    rate = harness.warmup_cosine(args.learning_rate, steps_per_epoch, args.epochs,
                                 recipe.warmup_epochs)
    print(f"[INFO] fast recipe: peak learning rate {args.learning_rate:g}, "
          f"{recipe.warmup_epochs} warm-up epoch(s), label smoothing {recipe.label_smoothing}; "
          f"process ID {os.getpid()}")
    return keras.optimizers.SGD(learning_rate=rate, momentum=MOMENTUM, nesterov=True,
                                weight_decay=recipe.weight_decay), None


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    recipe = RECIPES[args.recipe]
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    with harness.Run(config.STUDY, args) as run:
        # raw pixels: the model subtracts the training mean image itself
        data = load_cifar10_for_training(source, scale=False, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x))
        run.save("class_names.json", CIFAR10_CLASSES)

        # shifted and mirrored variants of the training images in every epoch
        augmentation = build_augmentation(rotation=0, shift=0.1, shear=0, zoom=0,
                                          horizontal_flip=True, seed=args.seed)
        train = run.dataset(data.train_x, data.train_y, shuffle=True, augmentation=augmentation)

        # initialize the optimizer and model (its first layer: the training mean image)
        print("[INFO] compiling model...")
        opt, schedule = make_optimizer(args, recipe, steps_per_epoch=len(train))
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
        model = config.build_model(data.train_x, len(CIFAR10_CLASSES))
        model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])

        # the monitor of the curves; after a kill it continues at the epoch the backup holds
        monitor = TrainingMonitor(run.path("monitor.png"), json_path=run.path("monitor.json"),
                                  start_at=run.resume(model))
        timer = harness.EpochTimer()
        callbacks = [LearningRateLogger(), timer, monitor, *([schedule] if schedule else [])]

        # train the network
        print("[INFO] training network...")
        history = model.fit(train, validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[*callbacks, *run.callbacks()])
        setting = (f"lr0 {args.learning_rate:g}, power {args.power:g}" if args.recipe == "diary"
                   else f"fast recipe, peak {args.learning_rate:g}")
        run.save_history(history, title=f"MiniGoogLeNet on CIFAR-10 ({setting})")
        run.save("timing.json", timer.summary(history.history))
        run.save_model(model)

        # evaluate the network on every test image (raw pixels)
        print("[INFO] evaluating network...")
        run.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES, batch_size=args.batch_size,
                     data=f"{data_name} {setting.replace(',', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
