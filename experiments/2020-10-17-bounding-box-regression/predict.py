"""Predict and draw boxes with a trained box regressor (2020-10-17-bounding-box-regression).

Loads the `model.keras` that train.py saved (and the `model_input.json`
beside it: the backbone, input size and pixel scaling), predicts the box of
each input image, scales it to the image's own width and height, draws it
(green) and, when `--dataset` gives the annotations, the true box (red) and
their IoU, and writes every annotated image (at its original size) to the
run folder, with `predictions.csv` and `grid.png` (the first 16 images).
`--show` also opens each image in a window.

`--input` is one image, a folder of images, or a list file (`.txt`, one
image name per line, like the `test_images.txt` train.py writes): its names
are resolved against the image folder of `--dataset` (else the list file's
folder); absolute paths are used as they are.
Diary's result: its script drew the predicted box on each image; no IoU
was measured. Measured here: see this folder's README.md.

    python experiments/2020-10-17-bounding-box-regression/predict.py --model-path outputs/2020-10-17-bounding-box-regression/<run>/model.keras --input outputs/2020-10-17-bounding-box-regression/<run>/test_images.txt --dataset caltech101_airplanes
    python experiments/2020-10-17-bounding-box-regression/predict.py --model-path outputs/2020-10-17-bounding-box-regression/<run>/model.keras --input plane.jpg
"""

import csv
import io
import sys
from pathlib import Path

import boxregression
from pyimagesearch import harness
from pyimagesearch.errors import DatasetError

STUDY = "2020-10-17-bounding-box-regression-predict"
CHUNK = 32  # images read, predicted and written at a time


def build_parser():
    parser = harness.study_parser(__doc__, dataset=False)
    parser.add_argument("--model-path", required=True, type=harness.keras_file,
                        help="the trained model (model.keras)")
    parser.add_argument("--input", required=True,
                        help="an image, a folder of images, or a .txt list of image names")
    parser.add_argument("-d", "--dataset", default=None,
                        help="the data set folder (box CSV + images), or a name under "
                        "$DATASETS_DIR: resolves list names and gives the true boxes")
    parser.add_argument("--grid", type=harness.positive_int, default=16,
                        help="images in grid.png (default 16)")
    parser.add_argument("--show", action="store_true", help="also display each image")
    return parser


def load_annotations(value):
    """`({filename: BoxRow}, image_dir)` of `--dataset`, or `({}, None)` without it."""
    if value is None:
        return {}, None
    from pyimagesearch.datasets import read_box_csv

    csv_path, image_dir = boxregression.find_annotations(harness.resolve_dataset(value))
    return {row.filename: row for row in read_box_csv(csv_path)}, image_dir


def read_list(path, base, dataset_given):
    """The image paths of a list file (one name per line; blank lines ignored)."""
    try:
        lines = path.read_text().splitlines()
    except UnicodeDecodeError:
        raise DatasetError(f"--input {path}: not a text list of image names") from None
    paths = []
    for number, name in enumerate(lines, 1):
        name = name.strip()
        if not name:
            continue
        image = Path(name) if Path(name).is_absolute() else base / name
        if not image.is_file():
            hint = "" if dataset_given else "; pass --dataset so that names resolve against " \
                "its image folder"
            raise DatasetError(f"--input {path}, line {number}: {name} not found in {base}{hint}")
        paths.append(image)
    if not paths:
        raise DatasetError(f"--input {path}: the list names no image")
    return paths


def resolve_inputs(value, image_dir):
    """The input images: one file, a folder's images, or a list file's."""
    from pyimagesearch.datasets import list_images

    path = Path(value)
    if path.is_dir():
        return [Path(p) for p in list_images(path)]
    if path.suffix.lower() == ".txt" and path.is_file():
        return read_list(path, image_dir or path.parent, image_dir is not None)
    if path.is_file():
        return [path]
    raise DatasetError(f"--input {value}: no such image, folder or list file")


def annotation_key(path, image_dir):
    """The name of `path` in the box CSV: relative to the image folder, else the file name."""
    if image_dir is not None:
        try:
            return path.resolve().relative_to(Path(image_dir).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def load_model(path):
    import keras

    from pyimagesearch.utils import BoxIoU  # noqa: F401  (registers the metric)

    try:
        return keras.saving.load_model(path)
    except Exception as error:  # a damaged or foreign file: Keras raises many kinds
        lines = str(error).strip().splitlines()
        raise DatasetError(f"--model-path {path}: could not load it "
                           f"({lines[0] if lines else type(error).__name__})") from None


def predict_chunk(model, prepare, size, paths):
    """The original BGR images of `paths` and their predicted boxes in pixels."""
    import cv2
    import numpy as np

    from pyimagesearch.datasets.boxes import resize_image

    originals = []
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise DatasetError(f"{path}: not a readable image")
        originals.append(image)
    x = prepare(np.stack([resize_image(image, size) for image in originals]))
    boxes = model.predict(x, batch_size=len(paths), verbose=0)
    sizes = [(image.shape[1], image.shape[0]) for image in originals]
    return originals, boxregression.to_pixels(boxes, sizes)


def annotate(run, index, path, image, predicted, true_row):
    """Draw one image's boxes, write it; returns its predictions.csv row and image."""
    import cv2

    from pyimagesearch.datasets.boxes import check_box_in_image
    from pyimagesearch.utils import box_iou

    true, iou = None, None
    if true_row is not None:
        check_box_in_image(true_row, image.shape[1], image.shape[0], where="the box CSV")
        true, iou = true_row.box, float(box_iou(true_row.box, predicted))
    annotated = boxregression.draw_boxes(image, predicted, true, iou)
    out = run.path(f"{index:04d}_{path.stem}.jpg")
    if not cv2.imwrite(str(out), annotated):
        raise DatasetError(f"could not write {out}")
    true_cells = [""] * 4 if true is None else [f"{v:.1f}" for v in true]
    row = [str(path), out.name, image.shape[1], image.shape[0],
           *(f"{v:.1f}" for v in predicted), *true_cells, "" if iou is None else f"{iou:.4f}"]
    return row, annotated, iou


def write_predictions(run, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["image", "written", "width", "height", "pred_x1", "pred_y1", "pred_x2",
                     "pred_y2", "true_x1", "true_y1", "true_x2", "true_y2", "iou"])
    writer.writerows(rows)
    boxregression.write_text(run.path("predictions.csv"), buffer.getvalue())


@harness.entrypoint
def main(argv=None):
    args = build_parser().parse_args(argv)
    model_path = args.model_path
    backbone, size, scale = boxregression.load_model_input(model_path)
    annotations, image_dir = load_annotations(args.dataset)
    paths = resolve_inputs(args.input, image_dir)

    import numpy as np

    from pyimagesearch.utils import show_image

    with harness.Run(STUDY, args) as run:
        print(f"[INFO] loading {model_path} ({backbone}, {size[0]}x{size[1]}, scale {scale})...")
        model = load_model(model_path)
        prepare = boxregression.input_preparation(backbone, scale)
        rows, grid, titles, ious = [], [], [], []
        for start in range(0, len(paths), CHUNK):
            chunk = paths[start:start + CHUNK]
            originals, predicted = predict_chunk(model, prepare, size, chunk)
            for i, (path, image, box) in enumerate(zip(chunk, originals, predicted), start + 1):
                true_row = annotations.get(annotation_key(path, image_dir))
                row, annotated, iou = annotate(run, i, path, image, box, true_row)
                rows.append(row)
                if iou is not None:
                    ious.append(iou)
                if len(grid) < args.grid:
                    grid.append(annotated)
                    titles.append(path.name if iou is None else f"{path.name}: IoU {iou:.2f}")
                if args.show:
                    show_image("Predicted box", annotated, run.output_dir)
        write_predictions(run, rows)
        boxregression.save_grid(run.path("grid.png"), grid, titles)
        print(f"[INFO] {len(rows)} annotated image(s) and grid.png in {run.output_dir}")
        if ious:
            ious = np.asarray(ious)
            summary = {"images": len(rows), "with_true_box": len(ious),
                       "mean_iou": float(ious.mean()), "share_iou_0.5": float((ious >= 0.5).mean())}
            run.save_json("summary.json", summary)
            print(f"[INFO] mean IoU {summary['mean_iou']:.4f} over {len(ious)} image(s) with a "
                  f"true box; IoU >= 0.5: {summary['share_iou_0.5']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
