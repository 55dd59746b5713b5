"""Bounding-box regression: PyImageSearch blog (2020) "Object detection: Bounding box regression with Keras, TensorFlow, and Deep Learning", `train.py` (2020-10-17-bounding-box-regression).

Data: CALTECH-101 airplanes (one box CSV), 90/10 split. Model: a frozen headless ImageNet
network (default vgg16) run once per image => Flatten => FC 128-64-32 => FC 4 sigmoid, saved
as one image-to-box model. Recipe (the diary's): VGG16 at 224, MSE, Adam 1e-4, 25 epochs,
batch 32. Diary's result: a loss plot only; here the test IoU beside the mean-box baseline's.

    python experiments/2020-10-17-bounding-box-regression/train.py --dataset caltech101_airplanes
"""

import sys
import time

import keras
import numpy as np

from pyimagesearch import harness
from pyimagesearch.errors import DatasetError, PyImageSearchError
from pyimagesearch.features import extract_features
from pyimagesearch.nn import backbones
from pyimagesearch.nn.conv.common import image_shape
from pyimagesearch.utils import BoxIoU
import config  # this study's shared module, beside this script

STUDY = "2020-10-17-bounding-box-regression"
EPOCHS = 25
BATCH_SIZE = 32
LEARNING_RATE = 1e-4
TEST_SIZE = 0.10
MODEL = "vgg16"

parser = harness.study_parser(__doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rates=(
    "learning_rate",), dataset_help="a box CSV and its images (in images/ or beside it)")
parser.add_argument("-m", "--model", default=MODEL, help="network: "
                    f"{', '.join(backbones.backbone_names())}; default {MODEL} (the diary's)")
parser.add_argument("-w", "--weights", default="imagenet",
                    help="imagenet (default), none (random) or a weights file without top")
parser.add_argument("--scale", choices=config.SCALES, default="backbone",
                    help="backbone (its preprocess_input, default) or 255 (the diary's x / 255)")
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"Adam learning rate (default {LEARNING_RATE:g})")
parser.add_argument("--test-size", type=harness.fraction, default=TEST_SIZE,
                    help=f"fraction of the images held out (default {TEST_SIZE})")
parser.add_argument("--image-size", type=harness.positive_int, help="input size (default: 224/299)")
parser.add_argument("--keep-degenerate", action="store_true", help="keep zero-area boxes")
parser.add_argument("--feature-layer", help="features from this layer, not the last (e.g. "
                    "mobilenet_v2's block_13_expand_relu, 14x14)")
parser.add_argument("--head", choices=("diary", "conv"), default="diary",
                    help="diary (default) or conv: a 1x1 convolution to 64 channels first")
parser.add_argument("--init-mean-box", action="store_true",
                    help="start the box layer at the training set's mean box, not at 0.5")


def build_base(args, spec, size):
    """The frozen headless network, cut at `--feature-layer` if given."""
    try:
        base = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                        input_shape=image_shape(size, size, 3))
    except PyImageSearchError:
        raise
    except ValueError as error:  # Keras' own, e.g. an input too small for the network
        raise PyImageSearchError(f"--image-size {size}: {error}") from None
    if args.feature_layer:
        names = [layer.name for layer in base.layers]
        if args.feature_layer not in names:
            raise PyImageSearchError(f"--feature-layer {args.feature_layer}: {spec.name} has no "
                                     f"such layer (its layers run from {names[1]} to {names[-1]})")
        base = keras.Model(base.input, base.get_layer(args.feature_layer).output,
                           name=f"{spec.name}_to_{args.feature_layer}")
    base.trainable = False  # frozen: only the head trains
    return base


def build_head(args, input_shape, mean_box):
    """The box head on the features, compiled: [1x1 conv to 64] Flatten => FC 128-64-32 => FC 4."""
    layers = [keras.Input(input_shape, name="features")]
    if args.head == "conv":  # a 1x1 convolution to 64 channels first
        layers.append(keras.layers.Conv2D(64, 1, activation="relu", name="reduce"))
    layers += [keras.layers.Flatten(name="flatten"),
               keras.layers.Dense(128, activation="relu", name="fc1"),
               keras.layers.Dense(64, activation="relu", name="fc2"),
               keras.layers.Dense(32, activation="relu", name="fc3"),
               keras.layers.Dense(4, activation="sigmoid", name="box", dtype="float32")]
    head = keras.Sequential(layers, name="box_head")
    if args.init_mean_box:  # start at the baseline: sigmoid(bias) = the mean box
        p = np.clip(mean_box, 1e-4, 1 - 1e-4)
        head.get_layer("box").bias.assign(np.log(p / (1 - p)).astype("float32"))
    head.compile(loss="mse", optimizer=keras.optimizers.Adam(args.learning_rate),
                 metrics=[BoxIoU()])
    return head


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)
    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    with harness.Run(STUDY, args) as run:
        # load the images at the network's size and the boxes in [0, 1]
        data, train, test, image_dir = config.load_data(dataset, size, args, run)
        run.save("test_images.txt", "".join(f"{data.filenames[i]}\n" for i in test))

        # run every image once through the frozen network: its outputs are our features
        started = time.perf_counter()
        base = build_base(args, spec, size)
        paths = [image_dir / name for name in data.filenames]
        rows = config.FeatureRows()
        extract_features(base, paths, np.arange(len(paths)), rows,
                         config.scaling(spec.name, args.scale), size,
                         batch_size=args.batch_size, verbose=args.verbose)
        features = np.concatenate(rows).astype("float32").reshape(-1, *base.output_shape[1:])
        if len(features) != len(paths):  # OpenCV read them, TensorFlow could not
            raise DatasetError(f"{dataset}: {len(paths) - len(features)} undecodable images")
        timing = {"features_s": time.perf_counter() - started}

        # initialize the optimizer and the box head, on the features
        head = build_head(args, features.shape[1:], data.boxes[train].mean(axis=0))
        # train the head
        print(f"[INFO] training the head ({head.count_params():,} parameters)...")
        started = time.perf_counter()
        history = head.fit(run.dataset(features[train], data.boxes[train], shuffle=True),
                           validation_data=run.dataset(features[test], data.boxes[test]),
                           epochs=args.epochs, verbose=args.verbose, shuffle=False,
                           callbacks=run.callbacks())
        timing["train_s"] = time.perf_counter() - started
        run.save_history(history, title=f"{spec.name} (frozen, {args.feature_layer or 'last layer'}"
                         f") + {args.head} box head, scale {args.scale}")

        # put the image-to-box model together (same layers, same optimizer state), save it
        x = base.output
        for layer in head.layers:
            x = layer(x)
        model = keras.Model(base.input, x, name=f"{spec.name}_box_regressor")
        model.compile(loss="mse", optimizer=head.optimizer, metrics=[BoxIoU()])
        run.save_model(model)
        run.save(config.MODEL_INPUT, config.model_input(spec.name, (size, size), args.scale,
                                                        args.weights))

        # evaluate the saved model on the held-out images (images in, boxes out)
        print("[INFO] evaluating the full model on the held-out images...")
        prepare = config.input_preparation(spec.name, args.scale)
        predicted = model.predict(prepare(data.images[test]), batch_size=args.batch_size, verbose=0)
        predicted_train = head.predict(features[train], batch_size=args.batch_size, verbose=0)
        config.write_report(run, data, train, test, predicted, predicted_train, timing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
