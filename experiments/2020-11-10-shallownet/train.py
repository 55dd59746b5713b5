"""ShallowNet on animals (2020-11-10-first-CNN-shallownet).

Data: the DL4CV "animals" set, `<dataset>/{cats,dogs,panda}/*.jpg` (3 x 1000),
resized to 32x32 (aspect ratio ignored), 75/25 split with seed 42.
Model: ShallowNet (CONV 32 3x3 => RELU => FC => softmax).
Recipe (the diary's): SGD, learning rate 0.005, batch 32, 100 epochs.
Diary's result: ~0.70 test accuracy.
Measured here: see this folder's README.md.

    python experiments/2020-11-10-shallownet/train.py --dataset animals
    python experiments/2020-11-10-shallownet/predict.py --dataset animals \
        --model outputs/2020-11-10-shallownet/<run>/model.keras
"""

import sys

from pyimagesearch import harness

STUDY = "2020-11-10-shallownet"


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(
        __doc__, epochs=100, batch_size=32,
        dataset_help="animals folder (<class>/<image>), or a name under $DATASETS_DIR",
    )
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.005,
                        help="SGD learning rate (default 0.005)")
    parser.add_argument("--momentum", type=float, default=0.0,
                        help="SGD momentum (default 0.0, the diary's plain SGD)")
    parser.add_argument("--augment", choices=("none", "flip", "book"), default="none",
                        help="augment the training images on the fly: flip (random "
                        "horizontal flips) or book (flip, rotation 30, shift 0.1, shear 0.2, "
                        "zoom 0.2); default none, as the diary")
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    import keras

    from pyimagesearch.datasets import (SimpleDatasetLoader, array_dataset, list_images,
                                        split_labelled)
    from pyimagesearch.nn.conv import ShallowNet
    from pyimagesearch.preprocessing import (ImageToArrayPreprocessor, SimplePreprocessor,
                                             build_augmentation)

    with harness.Run(STUDY, args) as run:
        # load the images (32x32, Keras channel order) and scale them to [0, 1]
        print("[INFO] loading images...")
        loader = SimpleDatasetLoader(
            preprocessors=[SimplePreprocessor(32, 32), ImageToArrayPreprocessor()]
        )
        data, labels = loader.load(list_images(dataset), verbose=args.verbose)
        data = data.astype("float32") / 255.0

        # one encoder for every split: class i is class_names[i] everywhere
        train_x, test_x, train_y, test_y, class_names = split_labelled(
            data, labels, test_size=0.25, seed=args.seed
        )
        run.save_json("class_names.json", class_names)
        print(f"[INFO] {len(train_x)} training, {len(test_x)} test images; classes {class_names}")

        # build and compile ShallowNet
        with run.strategy.scope():
            model = ShallowNet.build(width=32, height=32, depth=3, classes=len(class_names))
            model.compile(loss="categorical_crossentropy",
                          optimizer=keras.optimizers.SGD(learning_rate=args.learning_rate,
                                                         momentum=args.momentum),
                          metrics=["accuracy"])

        # train the network (with --augment, new random variants every epoch)
        print("[INFO] training network...")
        augmentation = None
        if args.augment == "flip":
            augmentation = build_augmentation(rotation=0, shift=0, shear=0, zoom=0,
                                              seed=args.seed)
        elif args.augment == "book":
            augmentation = build_augmentation(seed=args.seed)
        train_data = array_dataset(train_x, train_y, args.batch_size, augmentation,
                                   shuffle=True, seed=args.seed)
        history = model.fit(train_data, validation_data=(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose)

        # evaluate the network and keep what a user needs to judge the run
        print("[INFO] evaluating network...")
        predictions = model.predict(test_x, batch_size=args.batch_size, verbose=0)
        report = run.save_report(test_y, predictions, class_names)
        run.save_history(history, title="ShallowNet on animals")
        run.save_model(model)
        run.record(dataset.name, "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
