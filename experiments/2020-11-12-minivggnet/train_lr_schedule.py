"""MiniVGGNet with a step schedule: DL4CV Starter Bundle ch. 16, `cifar10_lr_decay.py` (2020-11-12-minivggnet, 2 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes) scaled to [0, 1], one-hot labels.
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

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.utils import StepDecay

import config

# the diary's step schedule (SGD 0.01, batch 64, 40 epochs: config.py)
FACTOR = 0.25
DROP_EVERY = 5

parser = config.study_parser(__doc__)
parser.add_argument("--factor", type=harness.positive_float, default=FACTOR,
                    help=f"multiply the rate by this at each drop (default {FACTOR})")
parser.add_argument("--drop-every", type=harness.positive_int, default=DROP_EVERY,
                    help=f"epochs between drops (default {DROP_EVERY})")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    with harness.Run(config.STUDY, args) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x))

        # the step schedule, applied at the start of every epoch
        schedule = StepDecay(init_alpha=args.learning_rate, factor=args.factor,
                             drop_every=args.drop_every)
        schedule.plot(run.path("lr_schedule.png"), args.epochs)

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        opt = keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=args.momentum,
                                   nesterov=True)
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES),
                                 batch_norm=not args.no_bn)
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # train the network (the pipeline reshuffles every epoch)
        print("[INFO] training network...")
        timer = harness.EpochTimer()
        callbacks = [LearningRateLogger(), timer, keras.callbacks.LearningRateScheduler(schedule)]
        history = model.fit(run.dataset(data.train_x, data.train_y, shuffle=True),
                            validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[*callbacks, *run.callbacks()])
        run.save_history(history, title="MiniVGGNet on CIFAR-10 (step decay)")
        run.save("timing.json", timer.summary(history.history))
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES, batch_size=args.batch_size,
                     data=run.data_name or "cifar10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
