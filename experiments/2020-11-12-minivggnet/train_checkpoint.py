"""MiniVGGNet on CIFAR-10, checkpointing improvements (2020-11-12-MiniVGGNet, 4 of 5).

Data: CIFAR-10 (32x32 RGB, 10 classes, scaled to [0, 1]), loaded by the
study's body `minivggnet_cifar10.py` (`--dataset cifar10`, or a PATH).
Model: MiniVGGNet.
Recipe (the diary's): SGD, learning rate 0.01, momentum 0.9, Nesterov, batch
64, 40 epochs. A `keras.callbacks.ModelCheckpoint` (written atomically:
`AtomicModelCheckpoint`) watches the validation loss and saves the model
only when it improves: by default one file,
`best.keras` in the run folder, overwritten at each improvement; with
`--every-improvement` one file per improvement,
`checkpoints/weights-<epoch>-<val_loss>.keras`. (`model.keras` is the model
after the last epoch, as in the other scripts.)
Diary's result: ~0.82 validation accuracy on the full CIFAR-10.
Measured here: see this folder's README.md.

    python experiments/2020-11-12-minivggnet/train_checkpoint.py --dataset PATH/cifar10
    python experiments/2020-11-12-minivggnet/train_checkpoint.py --dataset PATH/cifar10 --every-improvement
"""

import sys

from pyimagesearch import harness
import minivggnet_cifar10 as cifar  # the study's shared body, beside this script

STUDY = cifar.STUDY


@harness.entrypoint
def main(argv=None):
    parser = cifar.study_parser(__doc__, epochs=40)
    parser.add_argument("--every-improvement", action="store_true",
                        help="keep one file per improvement in checkpoints/ "
                        "(default: only best.keras)")
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))

    import keras

    from pyimagesearch.callbacks.safesaving import AtomicModelCheckpoint

    with harness.Run(STUDY, args) as run:
        data = cifar.load_data(source, verbose=args.verbose)

        # save the model only when the validation loss improves
        if args.every_improvement:
            folder = run.path("checkpoints")
            folder.mkdir(exist_ok=True)
            path = folder / "weights-{epoch:03d}-{val_loss:.4f}.keras"
        else:
            path = run.path("best.keras")
        # Keras' ModelCheckpoint, each file written under a temporary name
        # first: a kill during a save never leaves a truncated best.keras
        checkpoint = AtomicModelCheckpoint(
            str(path), monitor="val_loss", mode="min", save_best_only=True,
            verbose=1 if args.verbose else 0,
        )

        learning_rate = run.scaled_learning_rate(args.learning_rate)  # x replicas with --scale-lr

        def make_optimizer():
            return keras.optimizers.SGD(learning_rate=learning_rate,
                                        momentum=args.momentum, nesterov=True)

        cifar.train_minivggnet(run, args, data, make_optimizer, callbacks=[checkpoint],
                               title="MiniVGGNet on CIFAR-10 (checkpoints)")
        if args.every_improvement:
            print(f"[INFO] {len(list(folder.glob('*.keras')))} checkpoints in {folder}")
        else:
            print(f"[INFO] best model (lowest val_loss) in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
