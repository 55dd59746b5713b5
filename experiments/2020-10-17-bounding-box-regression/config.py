"""What train.py and predict.py share: the data set's files, model_input.json, the CSV files."""

import csv
import io
import time
import warnings
from pathlib import Path

import keras
import numpy as np
from sklearn.model_selection import train_test_split

from pyimagesearch.datasets import load_boxes
from pyimagesearch.errors import DatasetError, PyImageSearchError
from pyimagesearch.harness.data.records import BOOKKEEPING as DATA_RECORDS  # MANIFEST.csv
from pyimagesearch.nn.backbones import get_backbone, preprocess_input
from pyimagesearch.utils import box_iou

MODEL_INPUT = "model_input.json"
SCALES = ("backbone", "255")
REPORT_ARGS = "model scale feature_layer head init_mean_box epochs batch_size learning_rate".split()
PREDICTIONS_HEADER = ["filename", "width", "height", "true_x1", "true_y1", "true_x2", "true_y2",
                      "pred_x1", "pred_y1", "pred_x2", "pred_y2", "iou"]
REPORT_TEXT = """\
{title}
images: {counts[train]} train, {counts[test]} test, {counts[skipped]} degenerate skipped
test mean IoU           {test[mean_iou]:.4f}   IoU >= 0.5: {test[share_iou_0.5]:.4f}
mean-box baseline IoU   {baseline[mean_iou]:.4f}   IoU >= 0.5: {baseline[share_iou_0.5]:.4f}
gain over the baseline  {iou_gain_over_baseline:+.4f}
train mean IoU          {train[mean_iou]:.4f}
test MSE {test_mse:.5f} (baseline {baseline_test_mse:.5f})
seconds: features {t[features_s]:.1f}, head training {t[train_s]:.1f} \
({t[seconds_per_epoch]:.2f} per epoch), total {t[total_s]:.1f}
"""


def find_annotations(folder):
    """`(csv_path, image_dir)`: one box CSV in `folder`, images in `images/` or beside it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"--dataset {folder}: expected a folder of images and a box CSV file")
    csvs = [p for p in sorted(folder.glob("*.csv")) if p.name not in DATA_RECORDS]
    if len(csvs) != 1:
        found = ", ".join(p.name for p in csvs) or "none"
        raise DatasetError(f"--dataset {folder}: expected exactly one .csv file of boxes "
                           f"(filename,startX,startY,endX,endY), found {found}")
    images = folder / "images"
    return csvs[0], images if images.is_dir() else folder


def load_data(dataset, size, args, run):
    """`(data, train, test, image_dir)`: the images at `size`, boxes in [0, 1], the split."""
    csv_path, image_dir = find_annotations(dataset)
    print(f"[INFO] loading {csv_path.name} and the images of {image_dir}...")
    with warnings.catch_warnings(record=True, action="always", category=UserWarning) as caught:
        data = load_boxes(csv_path, image_dir, size, args.keep_degenerate, verbose=args.verbose)
    for warning in caught:  # the skipped degenerate boxes, on the console like the rest
        print(f"[WARN] {warning.message}")
    n = len(data.filenames)
    if n < 2:
        raise PyImageSearchError(f"{csv_path}: {n} usable box(es); a split needs at least 2")
    train, test = train_test_split(np.arange(n), test_size=args.test_size, random_state=args.seed)
    if len(train) == 0 or len(test) == 0:
        raise PyImageSearchError(f"--test-size {args.test_size} leaves an empty split of {n} "
                                 "images")
    run.count_images(train=len(train), test=len(test),
                     note=f"{len(data.skipped)} degenerate box(es) skipped")
    return data, train, test, image_dir


def scaling(backbone, scale):
    """Float RGB 0-255 batches -> the network's input: its `preprocess_input`, or x / 255."""
    return (lambda x: x / 255.0) if scale == "255" else preprocess_input(backbone)


def input_preparation(backbone, scale):
    """A function: uint8 RGB ``(n, h, w, 3)`` images -> the backbone's input, a float32 copy."""
    scale_pixels = scaling(backbone, scale)
    order = (0, 3, 1, 2) if keras.config.image_data_format() == "channels_first" else (0, 1, 2, 3)
    return lambda images: scale_pixels(np.array(images, np.float32).transpose(order))


def model_input(backbone, size, scale, weights):
    """What `model_input.json` says: how train.py prepared the images."""
    spec = get_backbone(backbone)
    preprocess = f"keras.applications.{spec.module}.preprocess_input"
    return {"backbone": spec.name, "weights": str(weights), "input_size": list(size),
            "colour": "RGB", "resize": "squash (aspect ratio not kept, cv2.INTER_AREA)",
            "scale": scale, "preprocess": preprocess if scale == "backbone" else "x / 255"}


class FeatureRows(list):
    """The in-memory writer `extract_features` fills: a list of feature batches."""
    def add(self, rows, labels):
        self.append(rows[:len(labels)])  # distributed: one copy per device, keep the first


def csv_text(header, rows):
    """A CSV file's text: `header`, then `rows`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue()


def iou_scores(true, predicted):
    """The mean IoU of the `predicted` boxes and the share of IoUs >= 0.5."""
    ious = box_iou(true, predicted)
    return {"mean_iou": float(ious.mean()), "share_iou_0.5": float((ious >= 0.5).mean())}


def write_report(run, data, train, test, predicted, predicted_train, timing):
    """report.json, report.txt, test_predictions.csv and the ledger rows of a train.py run."""
    args, boxes, sizes = run.args, data.boxes[test], data.sizes[test]
    mean_box = data.boxes[train].mean(axis=0)  # the baseline: this box for every image
    report = {"test": iou_scores(boxes, predicted),
              "train": iou_scores(data.boxes[train], predicted_train),
              "baseline_mean_box_test": iou_scores(boxes, np.broadcast_to(mean_box, boxes.shape)),
              "mean_box": mean_box, "test_mse": float(np.mean((predicted - boxes) ** 2)),
              "baseline_test_mse": float(np.mean((mean_box - boxes) ** 2))}
    test_iou, baseline = report["test"], report["baseline_mean_box_test"]
    report["iou_gain_over_baseline"] = test_iou["mean_iou"] - baseline["mean_iou"]
    report.update({key: getattr(args, key) for key in REPORT_ARGS})
    report["weights"] = str(args.weights)
    report["skipped"] = [{"line": row.line, "filename": row.filename} for row in data.skipped]
    report["counts"] = {"train": len(train), "test": len(test), "skipped": len(data.skipped)}
    report["timing"] = {**timing, "seconds_per_epoch": timing["train_s"] / args.epochs,
                        "total_s": time.perf_counter() - run.started}
    run.save("report.json", report)
    # report.txt, titled by the options that differ from the diary's
    options = [args.model, f"scale {args.scale}", args.feature_layer,
               f"{args.head} head" if args.head != "diary" else None,
               "init mean box" if args.init_mean_box else None]
    options = ", ".join(option for option in options if option)
    title = (f"{run.study}: {options} (weights {args.weights}), {args.epochs} epochs, "
             f"batch {args.batch_size}, Adam {args.learning_rate:g}")
    text = REPORT_TEXT.format(title=title, baseline=baseline, t=report["timing"], **report)
    print(run.save("report.txt", text).read_text(), end="")
    # each test image's true and predicted box in pixels, and their IoU
    ious = box_iou(boxes, predicted)
    scale = np.tile(sizes, 2)  # (w, h, w, h): boxes in [0, 1] -> pixels
    true_px, pred_px = (boxes * scale).round(1), (predicted * scale).round(1)
    rows = [[data.filenames[j], *sizes[i], *true_px[i].tolist(), *pred_px[i].tolist(),
             f"{ious[i]:.4f}"] for i, j in enumerate(test)]
    run.save("test_predictions.csv", csv_text(PREDICTIONS_HEADER, rows))
    name = f"{run.data_name} ({options})"  # one ledger row a metric
    run.record(name, "mean_iou", test_iou["mean_iou"])
    run.record(name, "share_iou_0.5", test_iou["share_iou_0.5"])
    run.record(name, "baseline_mean_iou", baseline["mean_iou"])
    run.record(name, "train_seconds", report["timing"]["total_s"])
    return report
