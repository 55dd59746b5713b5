"""MiniVGGNet on CIFAR-10 with learning-rate decay (2020-11-12-MiniVGGNet, 1 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes, scaled to [0, 1]), loaded by the
study's body `minivggnet_cifar10.py` (`--dataset cifar10`, or a PATH).
Model: MiniVGGNet ((CONV => RELU => BN) x 2 => POOL => DROPOUT, twice; FC 512).
Recipe (the diary's): SGD, learning rate 0.01, momentum 0.9, Nesterov, batch
64, 40 epochs, decay 0.01 / 40 per iteration: lr = 0.01 / (1 + decay * it),
the Keras 2 `SGD(decay=...)` rule (Keras 3 ignores `decay=`; here it is the
schedule `keras2_decay`). The history keeps the learning rate of each epoch.
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
`--recipe fast` trains the same network in fewer epochs: a one-epoch linear
warm-up to 0.02 then a cosine decay to 0 (per iteration), batch 64, 15 epochs,
label smoothing 0.1, weight decay 5e-4, random left-right flips in the input
pipeline; with `--mixed-precision` (bfloat16 on CPUs with AVX512-BF16, float16
on GPUs) each epoch also runs faster. bench/bench_time_to_accuracy.py times
both recipes to the diary's accuracy.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --no-bn
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --recipe fast
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --mixed-precision
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --strategy mirrored --logical-cpus 2
    TF_CONFIG='{"cluster": {"worker": ["127.0.0.1:12345", "127.0.0.1:12346"]}, "task": {"type": "worker", "index": 0}}' python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --strategy multiworker
"""

import sys

from pyimagesearch import harness
from pyimagesearch.errors import PyImageSearchError
import minivggnet_cifar10 as cifar  # the study's shared body, beside this script

STUDY = cifar.STUDY


@harness.entrypoint
def main(argv=None):
    parser = cifar.recipe_defaults(cifar.study_parser(__doc__, epochs=40))
    parser.add_argument("--recipe", choices=sorted(cifar.RECIPES), default="diary",
                        help="diary: the diary's SGD with per-iteration decay; fast: warm-up + "
                        "cosine to 0, label smoothing, weight decay, flips, 15 epochs "
                        "(default diary)")
    parser.add_argument("--decay", type=harness.non_negative_float, default=None,
                        help="decay per iteration of --recipe diary (default: learning rate / "
                        "epochs)")
    args = parser.parse_args(argv)
    recipe = cifar.apply_recipe(args)
    if args.recipe != "diary" and args.decay is not None:
        raise PyImageSearchError(f"--decay is for --recipe diary; --recipe {args.recipe} "
                                 "follows its own schedule")
    if args.recipe == "diary" and args.decay is None:
        args.decay = args.learning_rate / args.epochs
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    import keras

    from pyimagesearch.utils.schedules import keras2_decay

    with harness.Run(STUDY, args) as run:
        data = cifar.load_data(source, verbose=args.verbose)
        learning_rate = run.scaled_learning_rate(args.learning_rate)  # x replicas with --scale-lr
        loss, augmentation = "categorical_crossentropy", None

        if args.recipe == "diary":
            # SGD whose rate decays after every batch: lr0 / (1 + decay * iteration)
            def make_optimizer():
                schedule = keras2_decay(learning_rate, args.decay)
                return keras.optimizers.SGD(learning_rate=schedule, momentum=args.momentum,
                                            nesterov=True)

            print(f"[INFO] learning rate {learning_rate}, decay {args.decay:g} per iteration")
        else:
            # warm-up then cosine, label smoothing, weight decay, flips
            steps = cifar.steps_per_epoch(run, data)

            def make_optimizer():
                return cifar.fast_recipe_optimizer(learning_rate, steps, args.epochs,
                                                   recipe.warmup_epochs, args.momentum,
                                                   recipe.weight_decay)

            loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
            augmentation = cifar.fast_recipe_augmentation(args.seed)
            print(f"[INFO] fast recipe: peak learning rate {learning_rate}, "
                  f"{recipe.warmup_epochs} warm-up epochs, label smoothing "
                  f"{recipe.label_smoothing}")
        cifar.train_minivggnet(run, args, data, make_optimizer, loss=loss,
                               augmentation=augmentation,
                               title=f"MiniVGGNet on CIFAR-10 ({args.recipe} recipe)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
