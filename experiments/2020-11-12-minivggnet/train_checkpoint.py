"""MiniVGGNet, checkpointing improvements: DL4CV Starter Bundle ch. 18, `cifar10_checkpoint_improvements.py` (2020-11-12-minivggnet, 4 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes) scaled to [0, 1], one-hot labels.
Model: MiniVGGNet.
Recipe (the diary's): SGD, learning rate 0.01, momentum 0.9, Nesterov, batch
64, 40 epochs. A `keras.callbacks.ModelCheckpoint` (written atomically:
`AtomicModelCheckpoint`) watches the validation loss and saves the model
only when it improves: by default one file, `best.keras` in the run folder,
overwritten at each improvement; with `--every-improvement` one file per
improvement, `checkpoints/weights-<epoch>-<val_loss>.keras`. (`model.keras`
is the model after the last epoch, as in the other scripts.)
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_checkpoint.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_checkpoint.py --dataset PATH/cifar10 --every-improvement
"""

import sys

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.nn.conv import MiniVGGNet

import config

# the diary's recipe: config.py
parser = config.study_parser(__doc__)
parser.add_argument("--every-improvement", action="store_true",
                    help="keep one file per improvement in checkpoints/ "
                    "(default: only best.keras)")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    with harness.Run(config.STUDY, args) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x))

        # save the model only when the validation loss improves, each file
        # under a temporary name first (a kill never leaves half a best.keras)
        if args.every_improvement:
            path = run.path("checkpoints/weights-{epoch:03d}-{val_loss:.4f}.keras")
        else:
            path = run.path("best.keras")
        checkpoint = harness.AtomicModelCheckpoint(
            str(path), monitor="val_loss", mode="min", save_best_only=True,
            verbose=1 if args.verbose else 0)

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
        history = model.fit(run.dataset(data.train_x, data.train_y, shuffle=True),
                            validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[LearningRateLogger(), timer, checkpoint,
                                       *run.callbacks()])
        run.save_history(history, title="MiniVGGNet on CIFAR-10 (checkpoints)")
        run.save("timing.json", timer.summary(history.history))
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES, batch_size=args.batch_size,
                     data=run.data_name or "cifar10")
        if args.every_improvement:
            print(f"[INFO] {len(list(path.parent.glob('*.keras')))} checkpoints in {path.parent}")
        else:
            print(f"[INFO] best model (lowest val_loss) in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
