"""NumPy backprop: DL4CV Starter Bundle ch. 10, `nn_mnist.py` (2020-10-10-multiclassification).

Back-propagation from scratch in NumPy.

Data: scikit-learn's bundled Iris (150 flowers, 4 features, 3 classes) or
8x8 digits (1,797 images as 64 features, 10 classes); no download. 75/25
split (seed 42, the diary's train_test_split convention); features z-scored
with the training split's mean and standard deviation.
Model: `pyimagesearch.nn.NeuralNetwork`, 4-25-25-3 for Iris (64-32-32-10 for
digits): ReLU hidden layers, softmax output, cross-entropy, and the diary's
rule delta_l = phi'(U_l) * (W_{l+1}^T delta_{l+1}), dL/dW_l = delta_l Y_{l-1}^T.
Recipe (the diary's): AdaGrad, eta 0.01, mini-batch 8, 1000 epochs.
Diary's result: train/test accuracy printed and curves kept (no figure).
Measured here: see this folder's README.md.

    python experiments/2020-10-10-multiclassification/train.py --dataset iris
    python experiments/2020-10-10-multiclassification/train.py --dataset digits
"""

import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from pyimagesearch import harness
from pyimagesearch.datasets import DIGIT_NAMES, load_iris
from pyimagesearch.nn import NeuralNetwork
from pyimagesearch.utils import track
from pyimagesearch.utils.atomic import atomic_path

STUDY = "2020-10-10-multiclassification"

# the diary's recipe
EPOCHS = 1000
BATCH_SIZE = 8
LEARNING_RATE = 0.01
OPTIMIZER = "adagrad"
ACTIVATION = "relu"
HIDDEN = {"iris": (25, 25), "digits": (32, 32)}
TEST_SIZE = 0.25

parser = harness.study_parser(__doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, dataset=False,
                              keras=False)
parser.add_argument("-d", "--dataset", choices=tuple(HIDDEN), default="iris",
                    help="iris or digits (both ship with scikit-learn; default iris)")
parser.add_argument("--hidden", type=harness.positive_ints, default=None,
                    help="hidden layer sizes (default 25,25 for iris, 32,32 for digits)")
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"eta (default {LEARNING_RATE})")
parser.add_argument("--optimizer", choices=("adagrad", "sgd"), default=OPTIMIZER)
parser.add_argument("--activation", choices=("relu", "sigmoid"), default=ACTIVATION,
                    help=f"hidden activation (default {ACTIVATION})")


def load_features(name, seed):
    """Iris or digits as z-scored feature vectors, split 75/25.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names, mean, std)`; every
        feature is z-scored with the TRAINING split's `mean` and `std`.
    """
    # load the data as feature vectors
    if name == "iris":
        features, labels, class_names = load_iris()
    else:
        digits = load_digits()
        features, labels, class_names = digits.data, digits.target, DIGIT_NAMES
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=TEST_SIZE, random_state=seed
    )
    # z-score every feature with the TRAINING split's statistics
    mean, std = train_x.mean(axis=0), train_x.std(axis=0)
    std[std == 0] = 1.0
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    return train_x, test_x, train_y, test_y, class_names, mean, std


def train(nn, train_x, train_y, test_x, test_y, epochs, batch_size, verbose):
    """Fit one epoch at a time, so that the test curve is kept too.

    Returns:
        The history: `loss`, `val_loss`, `accuracy`, `val_accuracy` per epoch.
    """
    history = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
    accuracy = lambda x, y: float((nn.predict(x).argmax(axis=1) == y).mean())  # noqa: E731
    for epoch in track(range(epochs), label="[INFO] epochs", verbose=verbose == 1):
        # the recipe's shuffled mini-batches (fit's default is the book's per-sample rule)
        nn.fit(train_x, train_y, epochs=1, batch_size=batch_size, shuffle=True, verbose=0)
        history["loss"].append(nn.history["loss"][-1])
        history["val_loss"].append(nn.calculate_loss(test_x, test_y))
        history["accuracy"].append(accuracy(train_x, train_y))
        history["val_accuracy"].append(accuracy(test_x, test_y))
        if verbose == 2 and (epoch == 0 or (epoch + 1) % 100 == 0):
            print(f"[INFO] epoch={epoch + 1}, loss={history['loss'][-1]:.5f}, "
                  f"val_loss={history['val_loss'][-1]:.5f}")
    return history


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names, mean, std = load_features(
            args.dataset, args.seed)
        run.count_images(train=len(train_x), test=len(test_x))

        # initialize the network: features -> hidden layers -> one output per class
        sizes = [train_x.shape[1], *(args.hidden or HIDDEN[args.dataset]), len(class_names)]
        nn = NeuralNetwork(sizes, alpha=args.learning_rate, hidden_activation=args.activation,
                           output_activation="softmax", optimizer=args.optimizer,
                           seed=args.seed)
        print(f"[INFO] training {nn} with {args.optimizer}, eta {args.learning_rate}, "
              f"batch {args.batch_size}, {args.epochs} epochs...")
        # train the network
        history = train(nn, train_x, train_y, test_x, test_y, args.epochs, args.batch_size,
                        args.verbose)

        # evaluate the network: train and test accuracy, the report, the loss curves
        print(f"[INFO] train accuracy: {history['accuracy'][-1]:.4f}, "
              f"test accuracy: {history['val_accuracy'][-1]:.4f}")
        report = run.save_report(test_y, nn.predict(test_x), class_names)
        run.save_history(history, title=f"NumPy {nn!r} on {args.dataset}")
        with atomic_path(run.path("model.npz")) as tmp:
            np.savez(tmp, sizes=np.array(sizes), mean=mean, std=std,
                     **{f"W{i}": w for i, w in enumerate(nn.W)},
                     **{f"b{i}": b for i, b in enumerate(nn.b)})
        run.record(args.dataset, "train_accuracy", history["accuracy"][-1])
        run.record(args.dataset, "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
