"""LeNet on MNIST: DL4CV Starter Bundle ch. 14, `lenet_mnist.py` (2020-11-11-lenet).

Data: MNIST 28x28x1 (60,000 train / 10,000 test): `--dataset mnist` reads
$DATASETS_DIR/mnist/mnist.npz (or datasets/mnist/mnist.npz) when present and
otherwise downloads it through Keras, `--dataset PATH/mnist.npz` reads that
file, and `--dataset digits` uses scikit-learn's bundled 8x8 digits upscaled
to 28x28 (no download; 75/25 split, seed 42).
Model: LeNet (CONV 20 5x5 => POOL => CONV 50 5x5 => POOL => FC 500 => softmax).
Recipe (the diary's): SGD, learning rate 0.01, batch 128, 20 epochs.
Diary's result: ~0.98 test accuracy on MNIST (the book's figure).
Measured here: see this folder's README.md.

    python experiments/2020-11-11-lenet/train.py --dataset digits
    python experiments/2020-11-11-lenet/train.py --dataset PATH/mnist.npz --momentum 0.9 --nesterov
"""

import sys

import keras
import numpy as np
from sklearn.model_selection import train_test_split

from pyimagesearch import harness
from pyimagesearch.datasets import DIGIT_NAMES, load_digits, load_mnist
from pyimagesearch.nn.conv import LeNet

STUDY = "2020-11-11-lenet"

# the diary's recipe
EPOCHS = 20
BATCH_SIZE = 128
LEARNING_RATE = 0.01
MOMENTUM = 0.0  # plain SGD
TEST_SIZE = 0.25  # of the bundled digits

parser = harness.study_parser(
    __doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, dataset="mnist",
    dataset_help="mnist (local copy or download), digits (bundled with scikit-learn) or the "
    "path of a Keras-layout mnist.npz (default: mnist)", learning_rates=("learning_rate",))
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"SGD learning rate (default {LEARNING_RATE})")
parser.add_argument("--momentum", type=harness.momentum, default=MOMENTUM,
                    help=f"SGD momentum in [0, 1) (default {MOMENTUM}, the diary's plain SGD)")
parser.add_argument("--nesterov", action="store_true", help="Nesterov momentum")


def load_data(source, seed):
    """The digits as float32 in [0, 1] with a channel axis, and one-hot labels.

    Returns:
        `(train_x, test_x, train_y, test_y)`: MNIST's own split, or a 75/25
        stratified split of scikit-learn's digits.
    """
    # load the data: uint8 28x28 digits, scaled to [0, 1] below
    print(f"[INFO] loading {source}...")
    if source == "digits":
        images, labels = load_digits(28)
        train_x, test_x, train_y, test_y = train_test_split(
            images, labels, test_size=TEST_SIZE, stratify=labels, random_state=seed)
    else:
        (train_x, train_y), (test_x, test_y) = load_mnist(None if source == "mnist" else source)
    # add the channel axis where the image data format wants it
    axis = 1 if keras.config.image_data_format() == "channels_first" else -1
    train_x = np.expand_dims(train_x.astype("float32") / 255.0, axis)
    test_x = np.expand_dims(test_x.astype("float32") / 255.0, axis)
    train_y = keras.utils.to_categorical(train_y, 10)
    test_y = keras.utils.to_categorical(test_y, 10)
    return train_x, test_x, train_y, test_y


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("mnist", "digits"))
    data_name = "digits" if source == "digits" else "mnist"

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y = load_data(source, args.seed)
        run.count_images(train=len(train_x), test=len(test_x), note="")

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        opt = keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=args.momentum,
                                   nesterov=args.nesterov)
        model = LeNet.build(width=28, height=28, depth=1, classes=10)
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # train the network (the pipeline reshuffles every epoch)
        print("[INFO] training network...")
        history = model.fit(run.dataset(train_x, train_y, shuffle=True),
                            validation_data=run.dataset(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=run.callbacks())
        run.save_history(history, title=f"LeNet on {data_name}")
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, test_x, test_y, DIGIT_NAMES, batch_size=args.batch_size,
                     data=data_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
