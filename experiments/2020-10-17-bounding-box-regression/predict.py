"""Bounding-box regression: PyImageSearch blog (2020) "Object detection: Bounding box regression with Keras, TensorFlow, and Deep Learning", `predict.py` (2020-10-17-bounding-box-regression).

Loads train.py's `model.keras` and `model_input.json`; draws each `--input` image's predicted
box (green), with the true box (red) and the IoU when `--dataset` has them; writes the images,
`predictions.csv`, `grid.png`. Diary's result: the drawn box only.

    python experiments/2020-10-17-bounding-box-regression/predict.py --model-path outputs/2020-10-17-bounding-box-regression/<run>/model.keras --input outputs/2020-10-17-bounding-box-regression/<run>/test_images.txt --dataset caltech101_airplanes
"""

import json
import sys
from pathlib import Path

import cv2
import keras
import numpy as np

from pyimagesearch import harness
from pyimagesearch.datasets import list_images, read_box_csv
from pyimagesearch.datasets.boxes import check_box_in_image, resize_image
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import load_image
from pyimagesearch.utils import BoxIoU, box_iou, show_image  # noqa: F401 (model.keras needs BoxIoU)
import config  # this study's shared module, beside this script

STUDY = "2020-10-17-bounding-box-regression-predict"
GRID = 16   # images in grid.png
CSV_HEADER = ["image", "written", "width", "height", "pred_x1", "pred_y1", "pred_x2", "pred_y2",
              "true_x1", "true_y1", "true_x2", "true_y2", "iou"]

parser = harness.study_parser(__doc__, dataset=False)
parser.add_argument("--model-path", required=True, type=harness.keras_file, help="model.keras")
parser.add_argument("--input", required=True, help="an image, a folder, or a .txt list of names")
parser.add_argument("-d", "--dataset", default=None,
                    help="the data set (box CSV + images): resolves list names, gives true boxes")
parser.add_argument("--grid", type=harness.positive_int, default=GRID,
                    help=f"images in grid.png (default {GRID})")
parser.add_argument("--show", action="store_true", help="also display each image")


def load_model_input(model_path):
    """`(backbone, (w, h), scale)` of the `model_input.json` beside `model_path`, checked."""
    path = Path(model_path).with_name(config.MODEL_INPUT)
    if not path.is_file():
        raise DatasetError(f"{path}: not found; train.py writes it beside model.keras to say "
                           "how the images were prepared")
    try:
        info = json.loads(path.read_text())
        size = tuple(int(s) for s in info["input_size"])
        if info["scale"] in config.SCALES and len(size) == 2:
            return info["backbone"], size, info["scale"]
    except (ValueError, KeyError, TypeError):
        pass
    raise DatasetError(f"{path}: expected backbone, input_size [w, h] and scale in {config.SCALES}")


def resolve_inputs(value, image_dir):
    """The input images: one file, a folder's images, or a list file's (one name a line)."""
    path = Path(value)
    if path.is_dir():
        return [Path(p) for p in list_images(path)]
    if not path.is_file():
        raise DatasetError(f"--input {value}: no such image, folder or list file")
    if path.suffix.lower() != ".txt":
        return [path]
    base, paths = image_dir or path.parent, []
    hint = "" if image_dir else "; pass --dataset so that names resolve against its image folder"
    names = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    for line, name in enumerate(names, 1):
        if name:
            paths.append(base / name)  # an absolute name stays as it is
            if not paths[-1].is_file():
                raise DatasetError(f"--input {path}, line {line}: {name} not found in {base}{hint}")
    if not paths:
        raise DatasetError(f"--input {path}: the list names no image")
    return paths


def draw_boxes(image, predicted, true=None, iou=None):
    """The predicted box (green), the true one (red) and their IoU on a copy of BGR `image`."""
    image, thickness = image.copy(), max(1, round(min(image.shape[:2]) / 150))
    for box, colour in ((true, (0, 0, 255)), (predicted, (0, 255, 0))):  # BGR red, green
        if box is not None:
            x1, y1, x2, y2 = (round(v) for v in box)
            cv2.rectangle(image, (x1, y1), (x2, y2), colour, thickness)
    if iou is not None:
        cv2.putText(image, f"IoU {iou:.2f}", (5, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 255, 0), 2)
    return image


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    backbone, size, scale = load_model_input(args.model_path)
    annotations, image_dir = {}, None  # the true boxes by file name and by resolved path
    if args.dataset is not None:
        csv_path, image_dir = config.find_annotations(harness.resolve_dataset(args.dataset))
        for row in read_box_csv(csv_path):
            annotations[row.filename] = annotations[(image_dir / row.filename).resolve()] = row
    paths = resolve_inputs(args.input, image_dir)

    with harness.Run(STUDY, args) as run:
        print(f"[INFO] loading {args.model_path} ({backbone}, {size[0]}x{size[1]}, {scale})...")
        try:
            model = keras.saving.load_model(args.model_path)
        except Exception as error:  # a damaged or foreign file: Keras raises many kinds
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise DatasetError(f"--model-path {args.model_path}: could not load it "
                               f"({reason})") from None
        prepare = config.input_preparation(backbone, scale)
        rows, tiles, ious = [], [], []
        for i, path in enumerate(paths, 1):
            # read the image, predict its box, scale it to the image's pixels
            image = load_image(path)  # a one-line error for a truncated or huge file
            height, width = image.shape[:2]
            x = prepare(resize_image(image, size)[np.newaxis])
            box = model.predict(x, verbose=0)[0] * [width, height, width, height]
            # draw the boxes (and the IoU) and write the image at its own size
            row = annotations.get(path.resolve(), annotations.get(path.name))
            true = iou = None
            if row is not None:
                check_box_in_image(row, width, height, where="the box CSV")
                true, iou = row.box, float(box_iou(row.box, box))
                ious.append(iou)
            annotated = draw_boxes(image, box, true, iou)
            written = run.save(f"{i:04d}_{path.stem}.jpg", annotated)
            rows.append([path, written.name, width, height, *(f"{v:.1f}" for v in box),
                         *([""] * 4 if true is None else (f"{v:.1f}" for v in true)),
                         "" if iou is None else f"{iou:.4f}"])
            if len(tiles) < args.grid:
                tiles.append(cv2.resize(annotated, (224, 224)))  # a tile of grid.png
            if args.show:
                show_image("Predicted box", annotated, run.output_dir)
        run.save("predictions.csv", config.csv_text(CSV_HEADER, rows))
        tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 4)  # grid.png: rows of four tiles
        grid = [np.hstack(tiles[i:i + 4]) for i in range(0, len(tiles), 4)]
        run.save("grid.png", np.vstack(grid))
        print(f"[INFO] {len(rows)} annotated image(s) and grid.png in {run.output_dir}")
        if ious:
            ious = np.array(ious)
            summary = {"images": len(rows), "with_true_box": len(ious),
                       "mean_iou": float(ious.mean()), "share_iou_0.5": float((ious >= 0.5).mean())}
            run.save("summary.json", summary)
            print(f"[INFO] mean IoU {summary['mean_iou']:.4f} over {len(ious)} image(s) with a box")
    return 0


if __name__ == "__main__":
    sys.exit(main())
