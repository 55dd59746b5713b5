"""MiniVGGNet on CIFAR-10 with learning-rate decay (2020-11-12-MiniVGGNet, 1 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes, scaled to [0, 1]), loaded by the
study's body `minivggnet_cifar10.py` (`--dataset cifar10`, or a PATH).
Model: MiniVGGNet ((CONV => RELU => BN) x 2 => POOL => DROPOUT, twice; FC 512).
Recipe (the diary's): SGD, learning rate 0.01, momentum 0.9, Nesterov, batch
64, 40 epochs, decay 0.01 / 40 per iteration: lr = 0.01 / (1 + decay * it),
the Keras 2 `SGD(decay=...)` rule (Keras 3 ignores `decay=`; here it is the
schedule `keras2_decay`). The history keeps the learning rate of each epoch.
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_decay.py --dataset PATH/cifar10 --no-bn
"""

import sys

from pyimagesearch import harness
import minivggnet_cifar10 as cifar  # the study's shared body, beside this script

STUDY = cifar.STUDY


@harness.entrypoint
def main(argv=None):
    parser = cifar.study_parser(__doc__, epochs=40)
    parser.add_argument("--decay", type=harness.non_negative_float, default=None,
                        help="decay per iteration (default: learning rate / epochs)")
    args = parser.parse_args(argv)
    if args.decay is None:
        args.decay = args.learning_rate / args.epochs
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    import keras

    from pyimagesearch.utils.schedules import keras2_decay

    with harness.Run(STUDY, args) as run:
        data = cifar.load_data(source, verbose=args.verbose)

        # SGD whose rate decays after every batch: lr0 / (1 + decay * iteration)
        def make_optimizer():
            schedule = keras2_decay(args.learning_rate, args.decay)
            return keras.optimizers.SGD(learning_rate=schedule, momentum=args.momentum,
                                        nesterov=True)

        print(f"[INFO] learning rate {args.learning_rate}, decay {args.decay:g} per iteration")
        cifar.train_minivggnet(run, args, data, make_optimizer,
                               title="MiniVGGNet on CIFAR-10 (learning-rate decay)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
