"""MiniVGGNet on Flowers-17 without and with data augmentation (2020-11-17-data-augmentation).

Data: Oxford Flowers-17, `<dataset>/<class>/image_NNNN.jpg` (17 x 80),
resized to 64x64 keeping the aspect ratio (AspectAwarePreprocessor: resize
the shorter side, crop the centre), scaled to [0, 1]; 75/25 split, seed 42.
Model: MiniVGGNet (two VGG blocks of 3x3 convolutions with batch norm,
FC 512, softmax), 17 classes.
Recipe (the diary's): SGD, learning rate 0.05, batch 32, 100 epochs;
`--augment` adds random rotation 30, shift 0.1, shear 0.2, zoom 0.2 and
horizontal flips to the training batches (Keras preprocessing layers in the
tf.data pipeline; the test images are never augmented).
Diary's result: 0.57 test accuracy without augmentation, 0.67 with it
(340 test images).
Measured here: see this folder's README.md.

    python experiments/2020-11-17-data-augmentation/train.py --dataset flowers17
    python experiments/2020-11-17-data-augmentation/train.py --dataset flowers17 --augment
"""

import sys

from pyimagesearch import harness

STUDY = "2020-11-17-data-augmentation"


def parse_args(argv):
    """The diary's recipe as defaults; a bad value is an argparse error (exit 2)."""
    parser = harness.study_parser(
        __doc__, epochs=100, batch_size=32,
        dataset_help="Flowers-17 folder (<class>/<image>), or a name under $DATASETS_DIR",
    )
    parser.add_argument("--augment", action="store_true",
                        help="augment the training images on the fly (the book's "
                        "rotation 30, shift 0.1, shear 0.2, zoom 0.2, horizontal flip)")
    parser.add_argument("--shear", type=harness.probability, default=0.2,
                        help="RandomShear factor of --augment, in [0, 1] (default 0.2; the "
                        "book's ImageDataGenerator read its shear_range=0.2 in degrees, i.e. a "
                        "factor of tan(0.2 deg) = 0.0035)")
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.05,
                        help="SGD learning rate (default 0.05)")
    parser.add_argument("--image-size", type=harness.int_at_least(8), default=64,
                        help="images are resized to this square size, at least 8 (default 64)")
    # beyond the diary: the settings that take Flowers-17 past its results
    parser.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                        help="learning rate over the run: the diary's constant one, or cosine "
                        "decay to 0 by the last epoch (default constant)")
    parser.add_argument("--momentum", type=harness.momentum, default=0.0,
                        help="SGD momentum in [0, 1), Nesterov when > 0 (default 0, the diary's)")
    parser.add_argument("--weight-decay", type=harness.non_negative_float, default=0.0,
                        help="SGD's decoupled weight decay per unit learning rate (default 0)")
    parser.add_argument("--label-smoothing", type=harness.float_in(0, 1), default=0.0,
                        help="label smoothing of the cross-entropy, in [0, 1) (default 0)")
    parser.add_argument("--ema", type=harness.momentum, default=0.0,
                        help="keep an exponential moving average of the weights with this "
                        "momentum in [0, 1) (e.g. 0.999) and evaluate and save the averaged "
                        "model, its batch-norm statistics recomputed on the training batches "
                        "(default 0: off)")
    parser.add_argument("--tta", action="store_true",
                        help="also report the test accuracy of the predictions averaged over "
                        "each test image and its mirror image (test-time augmentation)")
    return parser.parse_args(argv)


def load_data(dataset, size, seed, verbose):
    """The flowers at `size`x`size` (aspect-aware) in [0, 1], split 75/25.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: class `i` is
        `class_names[i]` in every split.
    """
    from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
    from pyimagesearch.preprocessing import AspectAwarePreprocessor, ImageToArrayPreprocessor

    # load the images (aspect-aware resize to 64x64, Keras channel order)
    # and scale the raw pixel intensities to the range [0, 1]
    print("[INFO] loading images...")
    aap = AspectAwarePreprocessor(size, size)
    iap = ImageToArrayPreprocessor()
    sdl = SimpleDatasetLoader(preprocessors=[aap, iap])
    data, labels = sdl.load(list_images(dataset), verbose=verbose)
    data = data.astype("float32") / 255.0

    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=0.25, seed=seed)


def build_model(args, classes, steps_per_epoch, learning_rate):
    """MiniVGGNet compiled with SGD: the diary's recipe, or the flags beyond it.

    `learning_rate` is `--learning-rate` (x the replicas with `--scale-lr`).
    """
    import keras

    from pyimagesearch.nn.conv import MiniVGGNet

    if args.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=args.epochs * steps_per_epoch)
    size = args.image_size
    model = MiniVGGNet.build(width=size, height=size, depth=3, classes=classes)
    opt = keras.optimizers.SGD(learning_rate=learning_rate, momentum=args.momentum,
                               nesterov=args.momentum > 0,
                               weight_decay=args.weight_decay or None,
                               use_ema=args.ema > 0, ema_momentum=args.ema or 0.99)
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=args.label_smoothing)
    model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])
    return model


def evaluate(run, model, test_x, test_y, class_names, args):
    """Save the classification report (and the mirror-averaged one with --tta).

    Returns:
        `(accuracy, tta_accuracy)`; the second is None without --tta.
    """
    from pyimagesearch.utils import predict_all
    from pyimagesearch.utils.tta import predict_with_flips

    print("[INFO] evaluating network...")
    predictions = predict_all(model, test_x, batch_size=args.batch_size)
    report = run.save_report(test_y, predictions, class_names)
    run.save_predictions(test_x, test_y, predictions, class_names)
    if not args.tta:
        return report["accuracy"], None
    # the same model, each test image and its mirror image averaged
    mirrored = predict_with_flips(model, test_x, batch_size=args.batch_size,
                                  predictions=predictions)
    tta = run.save_report(test_y, mirrored, class_names, name="classification_report_tta")
    return report["accuracy"], tta["accuracy"]


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    from pyimagesearch.preprocessing import build_augmentation
    from pyimagesearch.utils.batchnorm import recompute_batch_norm_statistics

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = load_data(
            dataset, args.image_size, args.seed, args.verbose)
        run.save_json("class_names.json", class_names)
        print(f"[INFO] {len(train_x)} training, {len(test_x)} test images; "
              f"{len(class_names)} classes")

        # with --augment every epoch sees new random variants of the
        # training images (the test images stay as they are)
        augmentation = (build_augmentation(shear=args.shear, seed=args.seed) if args.augment
                        else None)
        train_data = run.dataset(train_x, train_y, shuffle=True, augmentation=augmentation)

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        with run.strategy.scope():
            model = build_model(args, len(class_names), len(train_data),
                                run.scaled_learning_rate(args.learning_rate))

        # train the network
        print(f"[INFO] training network{' with data augmentation' if args.augment else ''} "
              f"({run.replicas} replica(s), global batch {run.global_batch_size})...")
        history = model.fit(train_data, validation_data=run.dataset(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=run.callbacks())
        if args.ema:
            # fit() ended by swapping in the averaged weights; give the batch
            # norm layers the statistics of those weights (one pass over the
            # training batches, as they were fed in training)
            print("[INFO] averaged weights: recomputing the batch-norm statistics...")
            recompute_batch_norm_statistics(model, train_data)

        title = f"MiniVGGNet on Flowers-17 {'with' if args.augment else 'without'} augmentation"
        run.save_history(history, title=title)
        run.save_model(model)

        # evaluate the network and keep what a user needs to judge the run
        accuracy, tta_accuracy = evaluate(run, model, test_x, test_y, class_names, args)
        data_name = f"{dataset.name}+augment" if args.augment else dataset.name
        run.record(data_name, "accuracy", accuracy)
        if args.tta:
            run.record(data_name, "accuracy_flip_tta", tta_accuracy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
