"""Bounding-box regression with a frozen ImageNet network (2020-10-17-bounding-box-regression).

Data: CALTECH-101 airplanes, `<dataset>/images/image_NNNN.jpg` and one CSV
file of boxes (`airplanes.csv`: filename,startX,startY,endX,endY in pixels,
no header); 800 images, one plane each. Images are resized to the
network's input size (aspect ratio not kept) and each box is divided by
its image's original width and height, so the targets lie in [0, 1]. A
degenerate box (zero width or height: image_0118.jpg) is skipped. 90/10
split with seed 42; the test file names go to `test_images.txt`.
Model: a headless ImageNet network (`--model`, default vgg16), frozen,
then Flatten => FC(128) => RELU => FC(64) => RELU => FC(32) => RELU =>
FC(4) => SIGMOID, the corners (x1, y1, x2, y2).
Recipe (the diary's): VGG16 at 224, MSE, Adam 1e-4, 25 epochs, batch 32.
The diary divided the pixels by 255; here the network's own
`preprocess_input` is the default (`--scale 255` for the diary's). The
frozen network runs once per image: its outputs are kept in memory, the
head trains on them, and the full image-to-box model is assembled and
saved afterwards (`model.keras`, with `model_input.json` saying how to
prepare its input).
Improvements, as flags (the defaults stay the diary's): `--feature-layer`
(an earlier, finer feature map, e.g. MobileNetV2's block_13_expand_relu at
14x14), `--head conv` (a 1x1 convolution to 64 channels before Flatten) and
`--init-mean-box` (the sigmoid layer starts at the training set's mean box).
Diary's result: a loss plot only; no IoU was measured. Here: the mean IoU
on the held-out images, the share with IoU >= 0.5, and the same for the
baseline that always predicts the training set's mean box (`report.json`,
`report.txt`, `test_predictions.csv`, and the results rows).
Measured: see this folder's README.md.

    python experiments/2020-10-17-bounding-box-regression/train.py --dataset caltech101_airplanes
    python experiments/2020-10-17-bounding-box-regression/train.py --dataset caltech101_airplanes --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision_no_top.h5
    python experiments/2020-10-17-bounding-box-regression/train.py --dataset caltech101_airplanes --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision_no_top.h5 --feature-layer block_13_expand_relu --head conv --init-mean-box
    python experiments/2020-10-17-bounding-box-regression/predict.py --model-path outputs/2020-10-17-bounding-box-regression/<run>/model.keras --input outputs/2020-10-17-bounding-box-regression/<run>/test_images.txt --dataset caltech101_airplanes
"""

import csv
import io
import sys
import time
import warnings

import boxregression
from pyimagesearch import harness
from pyimagesearch.errors import PyImageSearchError

STUDY = "2020-10-17-bounding-box-regression"


def build_parser():
    from pyimagesearch.nn import backbones

    parser = harness.study_parser(
        __doc__, epochs=25, batch_size=32,
        dataset_help="folder with one box CSV (filename,startX,startY,endX,endY) and the "
        "images (in images/ or beside it), or a name under $DATASETS_DIR",
    )
    parser.add_argument("-m", "--model", default="vgg16",
                        help=f"network: {', '.join(backbones.backbone_names())}; default "
                        "vgg16 (the diary's)")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random: for tests) or a weights file "
                        "without top (.h5); default imagenet")
    parser.add_argument("--scale", choices=boxregression.SCALES, default="backbone",
                        help="pixel scaling: backbone (the network's own preprocess_input, "
                        "default) or 255 (divide by 255, the diary's)")
    parser.add_argument("--learning-rate", type=harness.positive_float, default=1e-4,
                        help="Adam learning rate (default 1e-4)")
    parser.add_argument("--test-size", type=harness.fraction, default=0.10,
                        help="fraction of the images held out (default 0.10)")
    parser.add_argument("--image-size", type=harness.positive_int, default=None,
                        help="input size (default: the network's own, 224 or 299)")
    parser.add_argument("--keep-degenerate", action="store_true",
                        help="keep boxes of zero width or height (default: skip them)")
    parser.add_argument("--feature-layer", default=None,
                        help="use the output of this backbone layer (e.g. mobilenet_v2's "
                        "block_13_expand_relu, 14x14) instead of the last one (7x7, the diary's)")
    parser.add_argument("--head", choices=("diary", "conv"), default="diary",
                        help="diary: Flatten, FC 128-64-32, FC 4 (default); conv: a 1x1 "
                        "convolution to 64 channels first (fewer inputs to the first FC)")
    parser.add_argument("--init-mean-box", action="store_true",
                        help="start the box layer at the training set's mean box (its bias), "
                        "not at 0.5 everywhere (the diary's)")
    return parser


def head_layers(kind="diary"):
    """The box head, as named layers (applied to features, then to the backbone).

    ``"diary"``: Flatten => FC 128-64-32 ReLU => FC 4 sigmoid. ``"conv"``
    first reduces the feature map to 64 channels with a 1x1 convolution
    (ReLU), keeping its spatial layout: the first FC layer then has 9x
    (MobileNetV2 at 14x14x576) to 20x (7x7x1280) fewer inputs. Adam moves
    every weight by about the learning rate whatever its gradient, so one
    step moves an FC unit's output by about the learning rate times the sum
    of its inputs: with 62,720 or 112,896 of them, the diary's head jumps
    around instead of settling (measured: see the README).
    """
    import keras

    reduce = [keras.layers.Conv2D(64, 1, activation="relu", name="reduce")] \
        if kind == "conv" else []
    return reduce + [
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(128, activation="relu", name="fc1"),
        keras.layers.Dense(64, activation="relu", name="fc2"),
        keras.layers.Dense(32, activation="relu", name="fc3"),
        # float32 even under mixed precision: the corners are compared to
        # the targets in [0, 1]
        keras.layers.Dense(4, activation="sigmoid", name="box", dtype="float32"),
    ]


def stack(layers, x):
    for layer in layers:
        x = layer(x)
    return x


def compile_box_model(model, optimizer):
    from pyimagesearch.utils import BoxIoU

    model.compile(loss="mse", optimizer=optimizer, metrics=[BoxIoU()])
    return model


def extract_features(base, images, prepare, batch_size, verbose):
    """The frozen network's outputs for every image, one forward pass each.

    The last batch is padded to the full size (and the padding dropped), so
    TensorFlow traces the network once for all batches.
    """
    import numpy as np

    from pyimagesearch.utils import progress_bar

    features = []
    bar = progress_bar(len(images), "[INFO] extracting features", verbose > 0)
    for start in range(0, len(images), batch_size):
        batch = prepare(images[start:start + batch_size])
        count = len(batch)
        if count < batch_size and start > 0:
            batch = np.concatenate([batch, np.zeros((batch_size - count, *batch.shape[1:]),
                                                    batch.dtype)])
        outputs = np.asarray(base.predict_on_batch(batch), dtype=np.float32)
        features.append(outputs[:count])
        bar.update(start + count)
    bar.finish()
    return np.concatenate(features)


def summarise(true, predicted):
    """Mean IoU and the share of boxes with IoU >= 0.5 (and the IoUs)."""
    from pyimagesearch.utils import box_iou

    ious = box_iou(true, predicted)
    return {"mean_iou": float(ious.mean()), "share_iou_0.5": float((ious >= 0.5).mean())}, ious


def evaluate(train_boxes, test_boxes, test_predicted, train_predicted):
    """The report: the model on test and train, and the mean-box baseline on test."""
    import numpy as np

    mean_box = train_boxes.mean(axis=0)
    model_test, ious = summarise(test_boxes, test_predicted)
    baseline, baseline_ious = summarise(test_boxes, np.broadcast_to(mean_box, test_boxes.shape))
    model_train, _ = summarise(train_boxes, train_predicted)
    report = {
        "test": model_test,
        "baseline_mean_box_test": baseline,
        "train": model_train,
        "mean_box": mean_box.tolist(),
        "test_mse": float(np.mean((test_predicted - test_boxes) ** 2)),
        "baseline_test_mse": float(np.mean((mean_box - test_boxes) ** 2)),
        "iou_gain_over_baseline": model_test["mean_iou"] - baseline["mean_iou"],
    }
    return report, ious, baseline_ious


def write_test_predictions(path, data, index, predicted, ious):
    """`test_predictions.csv`: each test image's true and predicted box in pixels, IoU."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["filename", "width", "height", "true_x1", "true_y1", "true_x2", "true_y2",
                     "pred_x1", "pred_y1", "pred_x2", "pred_y2", "iou"])
    true_px = boxregression.to_pixels(data.boxes[index], data.sizes[index])
    pred_px = boxregression.to_pixels(predicted, data.sizes[index])
    for i, j in enumerate(index):
        writer.writerow([data.filenames[j], *data.sizes[j], *(f"{v:.1f}" for v in true_px[i]),
                         *(f"{v:.1f}" for v in pred_px[i]), f"{ious[i]:.4f}"])
    boxregression.write_text(path, buffer.getvalue())


def report_text(report, args, timing, counts):
    t, b = report["test"], report["baseline_mean_box_test"]
    return "\n".join([
        f"{STUDY}: {args.model} (weights {args.weights}, features of "
        f"{args.feature_layer or 'the last layer'}), {args.head} head, scale {args.scale}, "
        f"{'head started at the mean box, ' if args.init_mean_box else ''}"
        f"{args.epochs} epochs, batch {args.batch_size}, Adam {args.learning_rate:g}",
        f"images: {counts['train']} train, {counts['test']} test, "
        f"{counts['skipped']} degenerate skipped",
        f"test mean IoU           {t['mean_iou']:.4f}   IoU >= 0.5: {t['share_iou_0.5']:.4f}",
        f"mean-box baseline IoU   {b['mean_iou']:.4f}   IoU >= 0.5: {b['share_iou_0.5']:.4f}",
        f"gain over the baseline  {report['iou_gain_over_baseline']:+.4f}",
        f"train mean IoU          {report['train']['mean_iou']:.4f}",
        f"test MSE {report['test_mse']:.5f} (baseline {report['baseline_test_mse']:.5f})",
        f"seconds: features {timing['features_s']:.1f}, head training "
        f"{timing['train_s']:.1f} ({timing['seconds_per_epoch']:.2f} per epoch), "
        f"total {timing['total_s']:.1f}",
    ]) + "\n"


def load_data(args, dataset, size):
    from pyimagesearch.datasets import load_boxes

    csv_path, image_dir = boxregression.find_annotations(dataset)
    print(f"[INFO] loading {csv_path.name} and the images of {image_dir}...")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        data = load_boxes(csv_path, image_dir, size=size, keep_degenerate=args.keep_degenerate,
                          verbose=args.verbose)
    for warning in caught:  # the skipped degenerate boxes, on the console like the rest
        print(f"[WARN] {warning.message}")
    if len(data.filenames) < 2:
        raise PyImageSearchError(f"{csv_path}: {len(data.filenames)} usable box(es); "
                                 "a train/test split needs at least 2")
    return data


def split(n, test_size, seed):
    import numpy as np
    from sklearn.model_selection import train_test_split

    train_index, test_index = train_test_split(np.arange(n), test_size=test_size,
                                               random_state=seed)
    if len(train_index) == 0 or len(test_index) == 0:
        raise PyImageSearchError(f"--test-size {test_size} leaves an empty split of {n} images")
    return train_index, test_index


def build_base(args, spec, size):
    import keras

    from pyimagesearch.nn import backbones

    shape = (3, size, size) if keras.config.image_data_format() == "channels_first" \
        else (size, size, 3)
    try:
        base = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                        input_shape=shape)
    except ValueError as error:
        if isinstance(error, PyImageSearchError):
            raise
        raise PyImageSearchError(f"--image-size {size}: {error}") from None
    if args.feature_layer:
        # cut the network at an earlier (finer) feature map
        names = [layer.name for layer in base.layers]
        if args.feature_layer not in names:
            raise PyImageSearchError(
                f"--feature-layer {args.feature_layer}: {spec.name} has no such layer "
                f"(its layers run from {names[1]} to {names[-1]})"
            )
        base = keras.Model(base.input, base.get_layer(args.feature_layer).output,
                           name=f"{spec.name}_to_{args.feature_layer}")
    base.trainable = False  # frozen: only the head trains
    return base


def train_head(run, args, features, boxes, train_index, test_index):
    """Fit the head on the frozen network's outputs (global batches, the run's strategy).

    Returns:
        `(head, layers, history, seconds)`: the head model on features, its
        layers (to stack on the backbone), the history, the training time.
    """
    import keras
    import numpy as np

    with run.strategy.scope():
        layers = head_layers(args.head)
        inputs = keras.Input(shape=features.shape[1:], name="features")
        head = keras.Model(inputs, stack(layers, inputs), name="box_head")
        if args.init_mean_box:
            # start at the baseline: sigmoid(bias) = the training set's mean box
            mean_box = np.clip(boxes[train_index].mean(axis=0), 1e-4, 1 - 1e-4)
            layers[-1].bias.assign(np.log(mean_box / (1 - mean_box)).astype("float32"))
        learning_rate = run.scaled_learning_rate(args.learning_rate)
        compile_box_model(head, keras.optimizers.Adam(learning_rate=learning_rate))
    print(f"[INFO] training the head ({head.count_params():,} parameters) on "
          f"{features.shape[1:]} features ({run.replicas} replica(s), global batch "
          f"{run.global_batch_size})...")
    started = time.perf_counter()
    history = head.fit(run.dataset(features[train_index], boxes[train_index], shuffle=True),
                       validation_data=run.dataset(features[test_index], boxes[test_index]),
                       epochs=args.epochs, shuffle=False,  # the pipeline shuffles
                       verbose=args.verbose)
    return head, layers, history, time.perf_counter() - started


def assemble(base, head, layers, name):
    """The full image-to-box model: the frozen network and the trained head layers.

    It is compiled with the head's optimizer, whose state (Adam's moments)
    belongs to the same head variables, so `model.keras` could train on.
    """
    import keras

    model = keras.Model(base.input, stack(layers, base.output), name=name)
    return compile_box_model(model, head.optimizer)


def save_outputs(run, args, data, split_index, model_test, report, timing, ious):
    """The report files, test_predictions.csv and the results rows."""
    train_index, test_index = split_index
    counts = {"train": len(train_index), "test": len(test_index),
              "skipped": len(data.skipped)}
    report.update({"model": args.model, "weights": str(args.weights), "scale": args.scale,
                   "feature_layer": args.feature_layer, "head": args.head,
                   "init_mean_box": args.init_mean_box,
                   "epochs": args.epochs, "batch_size": args.batch_size,
                   "learning_rate": args.learning_rate, "counts": counts, "timing": timing,
                   "skipped": [{"line": r.line, "filename": r.filename} for r in data.skipped]})
    run.save_json("report.json", report)
    text = report_text(report, args, timing, counts)
    boxregression.write_text(run.path("report.txt"), text)
    print(text, end="")
    write_test_predictions(run.path("test_predictions.csv"), data, test_index, model_test, ious)


def record(run, args, dataset, report):
    options = [args.model, f"scale {args.scale}"]
    if args.feature_layer:
        options.append(args.feature_layer)
    if args.head != "diary":
        options.append(f"{args.head} head")
    if args.init_mean_box:
        options.append("init mean box")
    name = f"{dataset.name} ({', '.join(options)})"
    run.record(name, "mean_iou", report["test"]["mean_iou"])
    run.record(name, "share_iou_0.5", report["test"]["share_iou_0.5"])
    run.record(name, "baseline_mean_iou", report["baseline_mean_box_test"]["mean_iou"])
    run.record(name, "train_seconds", report["timing"]["total_s"])


@harness.entrypoint
def main(argv=None):
    args = build_parser().parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    with harness.Run(STUDY, args) as run:
        # load the images at the network's size and the boxes in [0, 1]
        data = load_data(args, dataset, size)
        train_index, test_index = split(len(data.filenames), args.test_size, args.seed)
        boxregression.write_text(run.path("test_images.txt"),
                                 "".join(f"{data.filenames[i]}\n" for i in test_index))
        print(f"[INFO] {len(train_index)} training, {len(test_index)} test images; "
              f"{len(data.skipped)} degenerate box(es) skipped")

        # run every image once through the frozen network
        started = time.perf_counter()
        with run.strategy.scope():
            base = build_base(args, spec, size)
        prepare = boxregression.input_preparation(spec.name, args.scale)
        features = extract_features(base, data.images, prepare, args.batch_size, args.verbose)
        features_s = time.perf_counter() - started

        # train the box head on those features, then put the model together
        head, layers, history, train_s = train_head(run, args, features, data.boxes,
                                                    train_index, test_index)
        with run.strategy.scope():
            model = assemble(base, head, layers, f"{spec.name}_box_regressor")
        run.save_model(model)
        boxregression.save_model_input(run.path(boxregression.MODEL_INPUT), spec.name,
                                       (size, size), args.scale, args.weights)
        features_of = args.feature_layer or "last layer"
        run.save_history(history, title=f"{spec.name} (frozen, {features_of}) + {args.head} "
                         f"box head, scale {args.scale}")

        # evaluate the saved model on the held-out images (images in, boxes out)
        print("[INFO] evaluating the full model on the held-out images...")
        test_predicted = model.predict(prepare(data.images[test_index]),
                                       batch_size=args.batch_size, verbose=0)
        train_predicted = head.predict(features[train_index], batch_size=args.batch_size,
                                       verbose=0)
        report, ious, _ = evaluate(data.boxes[train_index], data.boxes[test_index],
                                   test_predicted, train_predicted)
        timing = {"features_s": features_s, "train_s": train_s,
                  "seconds_per_epoch": train_s / args.epochs, "total_s": run.elapsed()}
        save_outputs(run, args, data, (train_index, test_index), test_predicted, report,
                     timing, ious)
        record(run, args, dataset, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
