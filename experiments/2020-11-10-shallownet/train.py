"""ShallowNet on animals (2020-11-10-first-CNN-shallownet).

Data: the DL4CV "animals" set, `<dataset>/{cats,dogs,panda}/*.jpg` (3 x 1000),
resized to 32x32 (aspect ratio ignored), 75/25 split with seed 42.
Model: ShallowNet (CONV 32 3x3 => RELU => FC => softmax).
Recipe (the diary's): SGD, learning rate 0.005, batch 32, 100 epochs.
Diary's result: ~0.70 test accuracy.
Measured here: see this folder's README.md.

    python experiments/2020-11-10-shallownet/train.py --dataset animals
    python experiments/2020-11-10-shallownet/predict.py --dataset animals --model-path outputs/2020-11-10-shallownet/<run>/model.keras
"""

import sys

from pyimagesearch import harness

STUDY = "2020-11-10-shallownet"


def parse_args(argv):
    """The diary's recipe as defaults; a bad value is an argparse error (exit 2)."""
    parser = harness.study_parser(
        __doc__, epochs=100, batch_size=32,
        dataset_help="animals folder (<class>/<image>), or a name under $DATASETS_DIR",
    )
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.005,
                        help="SGD learning rate (default 0.005)")
    parser.add_argument("--momentum", type=harness.momentum, default=0.0,
                        help="SGD momentum in [0, 1) (default 0.0, the diary's plain SGD)")
    parser.add_argument("--augment", choices=("none", "flip", "book"), default="none",
                        help="augment the training images on the fly: flip (random "
                        "horizontal flips) or book (flip, rotation 30, shift 0.1, shear 0.2, "
                        "zoom 0.2); default none, as the diary")
    return parser.parse_args(argv)


def load_data(dataset, seed, verbose):
    """The images at 32x32 in [0, 1], split 75/25 with one label encoder.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: class `i` is
        `class_names[i]` in every split.
    """
    from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
    from pyimagesearch.preprocessing import ImageToArrayPreprocessor, SimplePreprocessor

    # load the images (32x32, Keras channel order) and scale them to [0, 1]
    print("[INFO] loading images...")
    loader = SimpleDatasetLoader(
        preprocessors=[SimplePreprocessor(32, 32), ImageToArrayPreprocessor()]
    )
    data, labels = loader.load(list_images(dataset), verbose=verbose)
    data = data.astype("float32") / 255.0

    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=0.25, seed=seed)


def build_model(classes, learning_rate, momentum):
    """ShallowNet for 32x32x3 images, compiled with SGD."""
    import keras

    from pyimagesearch.nn.conv import ShallowNet

    model = ShallowNet.build(width=32, height=32, depth=3, classes=classes)
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=learning_rate,
                                                 momentum=momentum),
                  metrics=["accuracy"])
    return model


def make_augmentation(kind, seed):
    """`--augment`: None, random horizontal flips, or the book's augmentation."""
    from pyimagesearch.preprocessing import build_augmentation

    if kind == "flip":
        return build_augmentation(rotation=0, shift=0, shear=0, zoom=0, seed=seed)
    if kind == "book":
        return build_augmentation(seed=seed)
    return None


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    from pyimagesearch.utils import predict_all

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = load_data(dataset, args.seed,
                                                                  args.verbose)
        run.save_json("class_names.json", class_names)
        print(f"[INFO] {len(train_x)} training, {len(test_x)} test images; classes {class_names}")

        # build and compile ShallowNet
        with run.strategy.scope():
            model = build_model(len(class_names), run.scaled_learning_rate(args.learning_rate),
                                args.momentum)

        # train the network on global batches (with --augment, new random
        # variants every epoch)
        print(f"[INFO] training network ({run.replicas} replica(s), global batch "
              f"{run.global_batch_size})...")
        train_data = run.dataset(train_x, train_y, shuffle=True,
                                 augmentation=make_augmentation(args.augment, args.seed))
        history = model.fit(train_data, validation_data=run.dataset(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=run.callbacks())
        run.save_history(history, title="ShallowNet on animals")
        run.save_model(model)

        # evaluate the network on every test image and keep what a user
        # needs to judge the run (report, confusion matrix, a grid of images)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, test_x, batch_size=args.batch_size)
        report = run.save_report(test_y, predictions, class_names)
        run.save_predictions(test_x, test_y, predictions, class_names)
        run.record(dataset.name, "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
