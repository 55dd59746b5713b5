"""MiniVGGNet watched by a TrainingMonitor: DL4CV Starter Bundle ch. 17, `cifar10_monitor.py` (2020-11-12-minivggnet, 3 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes) scaled to [0, 1], one-hot labels.
Model: MiniVGGNet.
Recipe (the diary's): SGD, learning rate 0.01, momentum 0.9, Nesterov, batch
64, 100 epochs, no decay. After every epoch the TrainingMonitor redraws
`monitor.png` and rewrites `monitor.json` (the history so far) in the run
folder: open the plot while it trains, and stop the run (Ctrl-C) when the
validation loss turns upwards.
Diary's result: ~0.82 validation accuracy on the full CIFAR-10 (after 40
epochs; over 100 epochs without decay the validation loss rises again).
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_monitor.py --dataset PATH/cifar10
"""

import os
import sys

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger, TrainingMonitor
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.nn.conv import MiniVGGNet

import config

# the diary's recipe (config.py), trained long enough to overfit
EPOCHS = 100

parser = config.study_parser(__doc__, epochs=EPOCHS)


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    with harness.Run(config.STUDY, args) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x))

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        opt = keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=args.momentum,
                                   nesterov=True)
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES),
                                 batch_norm=not args.no_bn)
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # the monitor's plot and history, redrawn after every epoch (after a kill it
        # continues at the epoch the run's backup holds)
        print(f"[INFO] process ID: {os.getpid()}")
        monitor = TrainingMonitor(run.path("monitor.png"), json_path=run.path("monitor.json"),
                                  start_at=run.resume(model))
        print(f"[INFO] watch {monitor.fig_path} while the network trains")

        # train the network (the pipeline reshuffles every epoch)
        print("[INFO] training network...")
        timer = harness.EpochTimer()
        history = model.fit(run.dataset(data.train_x, data.train_y, shuffle=True),
                            validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[LearningRateLogger(), timer, monitor, *run.callbacks()])
        run.save_history(history, title="MiniVGGNet on CIFAR-10 (constant learning rate)")
        run.save("timing.json", timer.summary(history.history))
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES, batch_size=args.batch_size,
                     data=run.data_name or "cifar10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
