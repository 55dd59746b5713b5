"""MiniVGGNet on CIFAR-10: DL4CV Starter Bundle ch. 15, `minivggnet_cifar10.py` (2020-11-12-minivggnet, 1 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes) scaled to [0, 1], one-hot labels.
Model: MiniVGGNet ((CONV => RELU => BN) x 2 => POOL => DROPOUT, twice; FC 512).
Recipe (the diary's): SGD 0.01, momentum 0.9, Nesterov, batch 64, 40 epochs,
decay 0.01 / 40 per iteration: lr = 0.01 / (1 + decay * iteration), the
Keras 2 `SGD(decay=...)` rule (Keras 3 ignores `decay=`: here `keras2_decay`).
`--recipe fast` trains the same network in 15 epochs: a one-epoch linear
warm-up to 0.02 then a cosine to 0 (per iteration), label smoothing 0.1,
weight decay 5e-4, random left-right flips; `--mixed-precision` also makes
each epoch faster. bench/bench_time_to_accuracy.py times both recipes.
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --no-bn
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --recipe fast --mixed-precision
"""

import collections
import sys

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import keras2_decay

import config

# the recipes: the diary's, and a faster one for the same network
Recipe = collections.namedtuple("Recipe", "epochs batch_size learning_rate label_smoothing "
                                          "warmup_epochs weight_decay augment")
RECIPES = {
    "diary": Recipe(epochs=config.EPOCHS, batch_size=config.BATCH_SIZE,
                    learning_rate=config.LEARNING_RATE, label_smoothing=0.0, warmup_epochs=0,
                    weight_decay=0.0, augment=False),
    "fast": Recipe(epochs=15, batch_size=64, learning_rate=0.02, label_smoothing=0.1,
                   warmup_epochs=1, weight_decay=5e-4, augment=True),
}
parser = harness.study_parser(__doc__, dataset="cifar10", dataset_help=config.DATASET_HELP,
                              recipes=RECIPES, recipe_help="diary: the diary's SGD with "
                              "per-iteration decay; fast: warm-up + cosine to 0, label "
                              "smoothing, weight decay, flips, 15 epochs")
config.add_model_arguments(parser)
parser.add_argument("--decay", type=harness.non_negative_float, default=None,
                    help="decay per iteration of --recipe diary (default: learning rate / "
                    "epochs)")


def parse_args(argv):
    """The arguments, with the recipe's values where none were given; and the `Recipe`."""
    args = parser.parse_args(argv)
    recipe = RECIPES[args.recipe]
    if args.recipe != "diary" and args.decay is not None:
        raise PyImageSearchError(f"--decay is for --recipe diary; --recipe {args.recipe} "
                                 "follows its own schedule")
    if args.recipe == "diary" and args.decay is None:
        args.decay = args.learning_rate / args.epochs
    return args, recipe


def make_optimizer(args, recipe, steps_per_epoch):
    """The recipe's SGD (Nesterov): the diary's per-iteration decay, or warm-up + cosine."""
    if args.recipe == "diary":
        # lr0 / (1 + decay * iteration), after every batch
        schedule = keras2_decay(args.learning_rate, args.decay)
        print(f"[INFO] learning rate {args.learning_rate}, decay {args.decay:g} per iteration")
    else:
        # a linear rise from peak / 25 to the peak, then a cosine down to 0
        schedule = harness.warmup_cosine(args.learning_rate, steps_per_epoch, args.epochs,
                                         recipe.warmup_epochs)
        print(f"[INFO] fast recipe: peak learning rate {args.learning_rate}, "
              f"{recipe.warmup_epochs} warm-up epochs, label smoothing {recipe.label_smoothing}")
    return keras.optimizers.SGD(learning_rate=schedule, momentum=args.momentum, nesterov=True,
                                weight_decay=recipe.weight_decay or None)


@harness.entrypoint
def main(argv=None):
    args, recipe = parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    with harness.Run(config.STUDY, args) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x))
        # the fast recipe mirrors random training images (a mirrored CIFAR image keeps its class)
        flips = build_augmentation(rotation=0, shift=0, shear=0, zoom=0, horizontal_flip=True,
                                   seed=args.seed) if recipe.augment else None
        train = run.dataset(data.train_x, data.train_y, shuffle=True, augmentation=flips)
        test = run.dataset(data.test_x, data.test_y)

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        opt = make_optimizer(args, recipe, steps_per_epoch=len(train))
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES),
                                 batch_norm=not args.no_bn)
        model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])

        # train the network (the pipeline reshuffles every epoch)
        print("[INFO] training network...")
        timer = harness.EpochTimer()
        history = model.fit(train, validation_data=test, epochs=args.epochs, shuffle=False,
                            verbose=args.verbose,
                            callbacks=[LearningRateLogger(), timer, *run.callbacks()])
        run.save_history(history, title=f"MiniVGGNet on CIFAR-10 ({args.recipe} recipe)")
        run.save("timing.json", timer.summary(history.history))
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES, batch_size=args.batch_size,
                     data=run.data_name or "cifar10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
