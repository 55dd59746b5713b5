"""ShallowNet on animals: DL4CV Starter Bundle ch. 12, `shallownet_animals.py` (2020-11-10-shallownet).

Data: the DL4CV "animals" set, `<dataset>/{cats,dogs,panda}/*.jpg` (3 x 1000),
resized to 32x32 (aspect ratio ignored), 75/25 split with seed 42.
Model: ShallowNet (CONV 32 3x3 => RELU => FC => softmax).
Recipe (the diary's): SGD, learning rate 0.005, batch 32, 100 epochs.
Diary's result: ~0.70 test accuracy.
Measured here: see this folder's README.md.

    python experiments/2020-11-10-shallownet/train.py --dataset animals
    python experiments/2020-11-10-shallownet/train.py --dataset animals --augment book
"""

import sys

import keras

from pyimagesearch import harness
from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
from pyimagesearch.nn.conv import ShallowNet
from pyimagesearch.preprocessing import (ImageToArrayPreprocessor, SimplePreprocessor,
                                         build_augmentation)

STUDY = "2020-11-10-shallownet"

# the diary's recipe
EPOCHS = 100
BATCH_SIZE = 32
LEARNING_RATE = 0.005
MOMENTUM = 0.0  # plain SGD
IMAGE_SIZE = 32
TEST_SIZE = 0.25

parser = harness.study_parser(
    __doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rates=("learning_rate",),
    dataset_help="animals folder (<class>/<image>), or a name under $DATASETS_DIR")
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"SGD learning rate (default {LEARNING_RATE})")
parser.add_argument("--momentum", type=harness.momentum, default=MOMENTUM,
                    help=f"SGD momentum in [0, 1) (default {MOMENTUM}, the diary's plain SGD)")
parser.add_argument("--augment", choices=("none", "flip", "book"), default="none",
                    help="augment the training images on the fly: flip (random horizontal "
                    "flips) or book (flip, rotation 30, shift 0.1, shear 0.2, zoom 0.2); "
                    "default none, as the diary")


def load_data(dataset, seed, verbose):
    """The images at 32x32 in [0, 1], split 75/25 with one label encoder.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: class `i` is
        `class_names[i]` in every split.
    """
    # load the images (32x32, Keras channel order) and scale them to [0, 1]
    print("[INFO] loading images...")
    loader = SimpleDatasetLoader(preprocessors=[SimplePreprocessor(IMAGE_SIZE, IMAGE_SIZE),
                                                ImageToArrayPreprocessor()])
    data, labels = loader.load(list_images(dataset), verbose=verbose)
    data = data.astype("float32") / 255.0

    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=TEST_SIZE, seed=seed)


def make_augmentation(kind, seed):
    """`--augment`: None, random horizontal flips, or the book's augmentation."""
    if kind == "flip":
        return build_augmentation(rotation=0, shift=0, shear=0, zoom=0, seed=seed)
    if kind == "book":
        return build_augmentation(seed=seed)
    return None


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = load_data(dataset, args.seed,
                                                                  args.verbose)
        run.save("class_names.json", class_names)
        run.count_images(train=len(train_x), test=len(test_x), note=f"classes {class_names}")

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        opt = keras.optimizers.SGD(learning_rate=args.learning_rate, momentum=args.momentum)
        model = ShallowNet.build(width=IMAGE_SIZE, height=IMAGE_SIZE, depth=3,
                                 classes=len(class_names))
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # train the network (with --augment, new random variants every epoch)
        print("[INFO] training network...")
        train = run.dataset(train_x, train_y, shuffle=True,
                            augmentation=make_augmentation(args.augment, args.seed))
        history = model.fit(train, validation_data=run.dataset(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=run.callbacks())
        run.save_history(history, title="ShallowNet on animals")
        run.save_model(model)

        # evaluate the network on every test image
        print("[INFO] evaluating network...")
        run.evaluate(model, test_x, test_y, class_names, batch_size=args.batch_size,
                     data=dataset.name, bgr=True)  # OpenCV's channel order
    return 0


if __name__ == "__main__":
    sys.exit(main())
