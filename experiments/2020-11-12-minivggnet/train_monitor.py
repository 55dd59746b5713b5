"""MiniVGGNet on CIFAR-10 watched by a TrainingMonitor (2020-11-12-MiniVGGNet, 3 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes, scaled to [0, 1]), loaded by the
study's body `minivggnet_cifar10.py` (`--dataset cifar10`, or a PATH).
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

from pyimagesearch import harness
import minivggnet_cifar10 as cifar  # the study's shared body, beside this script

STUDY = cifar.STUDY


@harness.entrypoint
def main(argv=None):
    parser = cifar.study_parser(__doc__, epochs=100)
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    import keras

    from pyimagesearch.callbacks import TrainingMonitor

    with harness.Run(STUDY, args) as run:
        data = cifar.load_data(source, verbose=args.verbose)

        # the monitor's plot and history, redrawn after every epoch
        print(f"[INFO] process ID: {os.getpid()}")
        monitor = TrainingMonitor(run.path("monitor.png"), json_path=run.path("monitor.json"))
        print(f"[INFO] watch {monitor.fig_path} while the network trains")

        learning_rate = run.scaled_learning_rate(args.learning_rate)  # x replicas with --scale-lr

        def make_optimizer():
            return keras.optimizers.SGD(learning_rate=learning_rate,
                                        momentum=args.momentum, nesterov=True)

        cifar.train_minivggnet(run, args, data, make_optimizer, callbacks=[monitor],
                               title="MiniVGGNet on CIFAR-10 (constant learning rate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
