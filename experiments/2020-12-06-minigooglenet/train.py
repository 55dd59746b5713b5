"""MiniGoogLeNet on CIFAR-10: DL4CV Practitioner Bundle ch. 11, `googlenet_cifar10.py` (2020-12-06-minigooglenet).

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
Recipe (the diary's): augmentation shift 0.1 and horizontal flip (in the
tf.data pipeline; test images never augmented), SGD momentum 0.9, batch 64,
70 epochs, polynomial decay per epoch lr = lr0 * (1 - epoch / epochs) ** power.
The diary's three experiments: --learning-rate 5e-3 --power 2;
--learning-rate 1e-2 --power 2; --learning-rate 1e-2 --power 1 (linear
decay). A TrainingMonitor redraws `monitor.png` (and `monitor.json`) in the
run folder after every epoch; `report.py` reloads the saved model and writes
its classification report.
Diary's result: 0.90, 0.91, 0.91 test accuracy (full CIFAR-10).
Measured here: see this folder's README.md.

    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 5e-3 --power 2
    python experiments/2020-12-06-minigooglenet/train.py --dataset PATH/cifar10 --learning-rate 1e-2 --power 1
    python experiments/2020-12-06-minigooglenet/report.py --dataset PATH/cifar10 --model-path outputs/2020-12-06-minigooglenet/<run>/model.keras
"""

import os
import sys

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import TrainingMonitor
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import PolynomialDecay, predict_all

import config

# the diary's first recipe
EPOCHS = 70
BATCH_SIZE = 64
LEARNING_RATE = 5e-3
POWER = 2.0
MOMENTUM = 0.9

parser = harness.study_parser(__doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, dataset="cifar10",
                              dataset_help=config.DATASET_HELP,
                              learning_rates=("learning_rate",))
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"initial learning rate lr0 (default {LEARNING_RATE:g})")
parser.add_argument("--power", type=harness.positive_float, default=POWER,
                    help="power p of the polynomial decay lr0 * (1 - epoch / epochs) ** p "
                    f"(default {POWER:g}; 1 is a linear decay)")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    with harness.Run(config.STUDY, args) as run:
        # raw pixels: the model subtracts the training mean image itself
        data = load_cifar10_for_training(source, scale=False, verbose=args.verbose)
        run.save("class_names.json", CIFAR10_CLASSES)

        # shifted and mirrored variants of the training images in every epoch
        augmentation = build_augmentation(rotation=0, shift=0.1, shear=0, zoom=0,
                                          horizontal_flip=True, seed=args.seed)
        train = run.dataset(data.train_x, data.train_y, shuffle=True, augmentation=augmentation)

        # the learning rate of each epoch
        schedule = PolynomialDecay(max_epochs=args.epochs, init_alpha=args.learning_rate,
                                   power=args.power)
        print(f"[INFO] {schedule}; process ID {os.getpid()}")

        # initialize the optimizer and model (its first layer: the training mean image)
        print("[INFO] compiling model...")
        opt = keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=MOMENTUM)
        model = config.build_model(data.train_x, len(CIFAR10_CLASSES))
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # the monitor of the curves; after a kill it continues at the epoch the backup holds
        monitor = TrainingMonitor(run.path("monitor.png"), json_path=run.path("monitor.json"),
                                  start_at=run.resume(model))
        callbacks = [keras.callbacks.LearningRateScheduler(schedule), monitor]

        # train the network
        print("[INFO] training network...")
        history = model.fit(train, validation_data=run.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[*callbacks, *run.callbacks()])
        setting = f"lr0 {args.learning_rate:g}, power {args.power:g}"
        run.save_history(history, title=f"MiniGoogLeNet on CIFAR-10 ({setting})")
        run.save_model(model)

        # evaluate the network on every test image (raw pixels)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
        report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
        run.save_predictions(data.test_x, data.test_y, predictions, CIFAR10_CLASSES)
        run.record(f"{data_name} lr0 {args.learning_rate:g} power {args.power:g}", "accuracy",
                   report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
