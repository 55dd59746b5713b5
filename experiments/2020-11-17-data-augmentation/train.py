"""MiniVGGNet on Flowers-17 with data augmentation: DL4CV Practitioner Bundle ch. 2, `minivggnet_flowers17_data_aug.py` (2020-11-17-data-augmentation).

Data: Oxford Flowers-17 (17 x 80), resized to 64x64 keeping the aspect ratio
(AspectAwarePreprocessor), scaled to [0, 1]; 75/25 split, seed 42.
Model: MiniVGGNet (two VGG blocks of 3x3 convolutions with batch norm, FC 512).
Recipe (the diary's): SGD, learning rate 0.05, batch 32, 100 epochs; `--augment`
adds random rotation 30, shift 0.1, shear 0.2, zoom 0.2 and horizontal flips to
the training batches (the test images are never augmented).
Diary's result: 0.57 test accuracy without augmentation, 0.67 with it (340 test images).

    python experiments/2020-11-17-data-augmentation/train.py --dataset flowers17
    python experiments/2020-11-17-data-augmentation/train.py --dataset flowers17 --augment
"""

import sys

import keras

from pyimagesearch import harness
from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import (AspectAwarePreprocessor, ImageToArrayPreprocessor,
                                         build_augmentation)
from pyimagesearch.utils.batchnorm import recompute_batch_norm_statistics
from pyimagesearch.utils.tta import predict_with_flips

STUDY = "2020-11-17-data-augmentation"
EPOCHS = 100
BATCH_SIZE = 32
LEARNING_RATE = 0.05
IMAGE_SIZE = 64
SHEAR = 0.2

parser = harness.study_parser(
    __doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rates=("learning_rate",),
    dataset_help="Flowers-17 folder (<class>/<image>), or a name under $DATASETS_DIR")
parser.add_argument("--augment", action="store_true",
                    help="augment the training images on the fly (rotation, shift, shear, ...)")
parser.add_argument("--shear", type=harness.probability, default=SHEAR,
                    help=f"RandomShear factor of --augment, in [0, 1] (default {SHEAR}; the "
                    "book's ImageDataGenerator read shear_range=0.2 in degrees: 0.0035)")
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"SGD learning rate (default {LEARNING_RATE})")
parser.add_argument("--image-size", type=harness.int_at_least(8), default=IMAGE_SIZE,
                    help=f"square size the images are resized to (default {IMAGE_SIZE})")
# beyond the diary: the settings that take Flowers-17 past its results
parser.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                    help="constant (the diary's, default) or cosine decay to 0 by the end")
parser.add_argument("--momentum", type=harness.momentum, default=0.0,
                    help="SGD momentum in [0, 1), Nesterov when > 0 (default 0, the diary's)")
parser.add_argument("--weight-decay", type=harness.non_negative_float, default=0.0,
                    help="SGD's decoupled weight decay per unit learning rate (default 0)")
parser.add_argument("--label-smoothing", type=harness.float_in(0, 1), default=0.0,
                    help="label smoothing of the cross-entropy, in [0, 1) (default 0)")
parser.add_argument("--ema", type=harness.momentum, default=0.0,
                    help="evaluate and save an exponential moving average of the weights "
                    "with this momentum in [0, 1), e.g. 0.999 (default 0: off)")
parser.add_argument("--tta", action="store_true",
                    help="also report the accuracy averaged over each image and its mirror")


def load_data(dataset, size, seed, verbose):
    """The flowers at `size`x`size` (aspect-aware) in [0, 1], split 75/25: `(train_x,
    test_x, train_y, test_y, class_names)`, class `i` is `class_names[i]` in every split."""

    # load the images (aspect-aware resize, Keras channel order), scale them to [0, 1]
    print("[INFO] loading images...")
    aap, iap = AspectAwarePreprocessor(size, size), ImageToArrayPreprocessor()
    sdl = SimpleDatasetLoader(preprocessors=[aap, iap])
    data, labels = sdl.load(list_images(dataset), verbose=verbose)
    data = data.astype("float32") / 255.0
    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=0.25, seed=seed)


def build_model(args, classes, steps_per_epoch, learning_rate):
    """MiniVGGNet compiled with SGD: the diary's recipe, or the flags beyond it."""
    if args.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=args.epochs * steps_per_epoch)
    size = args.image_size
    model = MiniVGGNet.build(width=size, height=size, depth=3, classes=classes)
    opt = keras.optimizers.SGD(learning_rate=learning_rate, momentum=args.momentum,
                               nesterov=args.momentum > 0, weight_decay=args.weight_decay or None,
                               use_ema=args.ema > 0, ema_momentum=args.ema or 0.99)
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=args.label_smoothing)
    model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])
    return model


def evaluate(run, model, test_x, test_y, class_names, args, data_name):
    """Save and record the classification report (and the mirror-averaged one with --tta)."""
    print("[INFO] evaluating network...")
    run.evaluate(model, test_x, test_y, class_names, batch_size=args.batch_size, data=data_name,
                 bgr=True)  # OpenCV's channel order
    if args.tta:
        # the same model, each test image and its mirror image averaged
        mirrored = predict_with_flips(model, test_x, batch_size=args.batch_size)
        tta = run.save_report(test_y, mirrored, class_names, name="classification_report_tta")
        run.record(data_name, "accuracy_flip_tta", tta["accuracy"])


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = load_data(
            dataset, args.image_size, args.seed, args.verbose)
        run.save("class_names.json", class_names)
        run.count_images(train=len(train_x), test=len(test_x),
                         note=f"{len(class_names)} classes")

        # with --augment every epoch sees new random variants of the
        # training images (the test images stay as they are)
        augmentation = (build_augmentation(shear=args.shear, seed=args.seed) if args.augment
                        else None)
        train_data = run.dataset(train_x, train_y, shuffle=True, augmentation=augmentation)

        # initialize the optimizer and model
        print("[INFO] compiling model...")
        model = build_model(args, len(class_names), len(train_data), args.learning_rate)

        # train the network
        print(f"[INFO] training network{' with data augmentation' if args.augment else ''}...")
        history = model.fit(train_data, validation_data=run.dataset(test_x, test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=run.callbacks())
        if args.ema:
            # fit() swapped in the averaged weights: give batch norm their statistics
            print("[INFO] averaged weights: recomputing the batch-norm statistics...")
            recompute_batch_norm_statistics(model, train_data)

        run.save_history(history, title="MiniVGGNet on Flowers-17 "
                         f"{'with' if args.augment else 'without'} augmentation")
        run.save_model(model)

        # evaluate the network and keep what a user needs to judge the run
        data_name = f"{dataset.name}+augment" if args.augment else dataset.name
        evaluate(run, model, test_x, test_y, class_names, args, data_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
