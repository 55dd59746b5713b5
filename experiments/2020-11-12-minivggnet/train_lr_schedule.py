"""MiniVGGNet on CIFAR-10 with a step schedule (2020-11-12-MiniVGGNet, 2 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes, scaled to [0, 1]), loaded by the
study's body `minivggnet_cifar10.py` (`--dataset cifar10`, or a PATH).
Model: MiniVGGNet.
Recipe (the diary's): SGD, momentum 0.9, Nesterov, batch 64, 40 epochs; the
rate set at the start of each epoch (counted from 0) by step decay,
0.01 * 0.25 ** floor((1 + epoch) / 5): 0.01 for epochs 0-3, 0.0025 for 4-8,
0.000625 for 9-13... (`keras.callbacks.LearningRateScheduler`). The schedule
is drawn to `lr_schedule.png` in the run folder.
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_lr_schedule.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_lr_schedule.py --dataset PATH/cifar10 --factor 0.5 --drop-every 10
"""

import sys

from pyimagesearch import harness
import minivggnet_cifar10 as cifar  # the study's shared body, beside this script

STUDY = cifar.STUDY


@harness.entrypoint
def main(argv=None):
    parser = cifar.study_parser(__doc__, epochs=40)
    parser.add_argument("--factor", type=harness.positive_float, default=0.25,
                        help="multiply the rate by this at each drop (default 0.25)")
    parser.add_argument("--drop-every", type=harness.positive_int, default=5,
                        help="epochs between drops (default 5)")
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    import keras

    from pyimagesearch.utils.schedules import StepDecay

    with harness.Run(STUDY, args) as run:
        data = cifar.load_data(source, verbose=args.verbose)

        # the step schedule, applied at the start of every epoch
        learning_rate = run.scaled_learning_rate(args.learning_rate)  # x replicas with --scale-lr
        schedule = StepDecay(init_alpha=learning_rate, factor=args.factor,
                             drop_every=args.drop_every)
        schedule.plot(run.path("lr_schedule.png"), args.epochs)
        callbacks = [keras.callbacks.LearningRateScheduler(schedule)]

        def make_optimizer():
            return keras.optimizers.SGD(learning_rate=learning_rate,
                                        momentum=args.momentum, nesterov=True)

        cifar.train_minivggnet(run, args, data, make_optimizer, callbacks=callbacks,
                               title="MiniVGGNet on CIFAR-10 (step decay)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
