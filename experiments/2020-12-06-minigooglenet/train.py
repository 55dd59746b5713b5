"""MiniGoogLeNet on CIFAR-10 with polynomial learning-rate decay (2020-12-06-minigooglenet).

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
Recipe (the diary's): augmentation shift 0.1 and horizontal flip (Keras
preprocessing layers in the tf.data pipeline; test images never augmented),
SGD momentum 0.9, batch 64, 70 epochs, polynomial decay per epoch
lr = lr0 * (1 - epoch / epochs) ** power. The diary's three experiments:
--learning-rate 5e-3 --power 2; --learning-rate 1e-2 --power 2;
--learning-rate 1e-2 --power 1 (linear decay). A TrainingMonitor redraws
`monitor.png` (and `monitor.json`) in the run folder after every epoch;
`report.py` reloads the saved model and writes its classification report.
Diary's result: 0.90, 0.91, 0.91 test accuracy (full CIFAR-10).
Measured here: see this folder's README.md.

    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 5e-3 --power 2
    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 1e-2 --power 1
    python experiments/2020-12-06-minigooglenet/report.py --dataset PATH/cifar10 --model outputs/2020-12-06-minigooglenet/<run>/model.keras
"""

import os
import sys

from pyimagesearch import harness

import minigooglenet_cifar10 as body

STUDY = "2020-12-06-minigooglenet"


def parse_args(argv):
    """The harness arguments plus the schedule's --learning-rate and --power."""
    parser = harness.study_parser(
        __doc__, epochs=70, batch_size=64, dataset="cifar10",
        dataset_help="cifar10 (a local copy under $DATASETS_DIR, else Keras' download), "
        "a {train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
        "(default: cifar10)",
    )
    parser.add_argument("--learning-rate", type=harness.positive_float, default=5e-3,
                        help="initial learning rate lr0 (default 5e-3)")
    parser.add_argument("--power", type=harness.positive_float, default=2.0,
                        help="power p of the polynomial decay lr0 * (1 - epoch / epochs) ** p "
                        "(default 2; 1 is a linear decay)")
    return parser.parse_args(argv)


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    import keras

    from pyimagesearch.utils import predict_all
    from pyimagesearch.callbacks import TrainingMonitor
    from pyimagesearch.datasets import CIFAR10_CLASSES
    from pyimagesearch.preprocessing import build_augmentation
    from pyimagesearch.utils.schedules import PolynomialDecay

    with harness.Run(STUDY, args) as run:
        data = body.load_data(source, verbose=args.verbose)
        run.save_json("class_names.json", CIFAR10_CLASSES)

        # shifted and mirrored variants of the training images in every epoch
        augmentation = build_augmentation(rotation=0, shift=0.1, shear=0, zoom=0,
                                          horizontal_flip=True, seed=args.seed)
        train_data = run.dataset(data.train_x, data.train_y, shuffle=True,
                                 augmentation=augmentation)

        # the learning rate of each epoch, and the monitor of the curves
        learning_rate = run.scaled_learning_rate(args.learning_rate)  # x replicas with --scale-lr
        schedule = PolynomialDecay(max_epochs=args.epochs, init_alpha=learning_rate,
                                   power=args.power)
        print(f"[INFO] {schedule}; process ID {os.getpid()}")
        monitor = TrainingMonitor(run.path("monitor.png"), json_path=run.path("monitor.json"))
        callbacks = [keras.callbacks.LearningRateScheduler(schedule), monitor]

        # initialize the optimizer and model (its first layer: the training mean image)
        print("[INFO] compiling model...")
        with run.strategy.scope():
            model = body.build_model(data.train_x, len(CIFAR10_CLASSES))
            opt = keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
            model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # train the network
        print(f"[INFO] training network ({run.replicas} replica(s), global batch "
              f"{run.global_batch_size})...")
        history = model.fit(train_data, validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[*callbacks, *run.callbacks()])
        setting = f"lr0 {args.learning_rate:g}, power {args.power:g}"
        run.save_history(history, title=f"MiniGoogLeNet on CIFAR-10 ({setting})")
        run.save_model(model)

        # evaluate the network on every test image (raw pixels: the model
        # subtracts the mean itself)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
        report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
        run.save_predictions(data.test_x, data.test_y, predictions, CIFAR10_CLASSES)
        run.record(f"{data_name} lr0 {args.learning_rate:g} power {args.power:g}", "accuracy",
                   report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
