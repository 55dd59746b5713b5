"""What train.py and predict.py of the bounding-box regression study share.

- `find_annotations(folder)`: the data set's CSV file and image folder.
- `input_preparation(backbone, scale)`: uint8 RGB images to the model's input.
- `save_model_input` / `load_model_input`: `model_input.json` beside
  `model.keras` says how its input was prepared (the backbone's
  `preprocess_input` is not inside the model), so predict.py prepares new
  images exactly as train.py did.
- `to_pixels`, `draw_boxes`, `save_grid`: boxes back on the images.
"""

import json
import os
from pathlib import Path

import numpy as np

from pyimagesearch.errors import DatasetError

MODEL_INPUT = "model_input.json"
SCALES = ("backbone", "255")
PREDICTED_COLOUR = (0, 255, 0)  # BGR green
TRUE_COLOUR = (0, 0, 255)  # BGR red


def find_annotations(folder):
    """`(csv_path, image_dir)` of a data set folder.

    The folder holds one CSV file (``filename,startX,startY,endX,endY``) and
    the images, in an ``images/`` subfolder or beside the CSV.

    Raises:
        DatasetError: not a folder, or no CSV / several CSV files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(
            f"--dataset {folder}: expected a folder holding a box CSV file and the images"
        )
    csvs = sorted(folder.glob("*.csv"))
    if len(csvs) != 1:
        found = ", ".join(p.name for p in csvs) if csvs else "none"
        raise DatasetError(
            f"--dataset {folder}: expected exactly one .csv file of boxes "
            f"(filename,startX,startY,endX,endY), found {found}"
        )
    images = folder / "images"
    return csvs[0], images if images.is_dir() else folder


def input_preparation(backbone, scale):
    """A function: uint8 RGB ``(n, h, w, 3)`` images -> the backbone's float32 input.

    Args:
        backbone: a registry name (see `pyimagesearch.nn.backbones`).
        scale: ``"backbone"`` (its own `preprocess_input`) or ``"255"``
            (divide by 255, what the diary did).
    """
    import keras

    from pyimagesearch.nn.backbones import preprocess_input

    if scale not in SCALES:
        raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
    channels_first = keras.config.image_data_format() == "channels_first"
    preprocess = preprocess_input(backbone)

    def prepare(images):
        x = np.asarray(images, dtype=np.float32)  # a copy: preprocess_input works in place
        if channels_first:
            x = x.transpose(0, 3, 1, 2)
        return x / 255.0 if scale == "255" else preprocess(x)

    return prepare


def save_model_input(path, backbone, size, scale, weights):
    """Write `model_input.json` (atomically) at `path`."""
    from pyimagesearch.nn.backbones import get_backbone

    spec = get_backbone(backbone)
    how = (f"keras.applications.{spec.module}.preprocess_input" if scale == "backbone"
           else "x / 255")
    write_text(path, json.dumps({
        "backbone": spec.name, "weights": str(weights), "input_size": list(size),
        "colour": "RGB", "resize": "squash (aspect ratio not kept, cv2.INTER_AREA)",
        "scale": scale, "preprocess": how,
    }, indent=2) + "\n")


def load_model_input(model_path):
    """The `model_input.json` beside `model_path`, checked."""
    path = Path(model_path).with_name(MODEL_INPUT)
    if not path.is_file():
        raise DatasetError(
            f"{path}: not found; train.py writes it beside model.keras to say how the "
            "images were prepared"
        )
    try:
        info = json.loads(path.read_text())
        size = tuple(int(s) for s in info["input_size"])
        if info["scale"] not in SCALES or len(size) != 2:
            raise ValueError
        return info["backbone"], size, info["scale"]
    except (ValueError, KeyError, TypeError):
        raise DatasetError(
            f"{path}: expected backbone, input_size [w, h] and scale (one of {SCALES})"
        ) from None


def to_pixels(boxes, sizes):
    """Boxes in [0, 1] -> pixels of images of `sizes` ``(n, 2)`` = (width, height)."""
    sizes = np.asarray(sizes, dtype=np.float64)
    return np.asarray(boxes, dtype=np.float64) * np.concatenate([sizes, sizes], axis=-1)


def draw_boxes(image, predicted, true=None, iou=None):
    """Draw the predicted box (green) and the true one (red) on a BGR copy of `image`."""
    import cv2

    image = image.copy()
    thickness = max(1, round(min(image.shape[:2]) / 150))
    if true is not None:
        x1, y1, x2, y2 = (round(v) for v in true)
        cv2.rectangle(image, (x1, y1), (x2, y2), TRUE_COLOUR, thickness)
    x1, y1, x2, y2 = (round(v) for v in predicted)
    cv2.rectangle(image, (x1, y1), (x2, y2), PREDICTED_COLOUR, thickness)
    if iou is not None:
        text = f"IoU {iou:.2f}"
        scale = max(0.4, min(image.shape[:2]) / 300)
        for colour, width in (((0, 0, 0), thickness + 2), ((255, 255, 255), thickness)):
            cv2.putText(image, text, (5, int(20 * scale) + 5), cv2.FONT_HERSHEY_SIMPLEX,
                        scale, colour, width)
    return image


def save_grid(path, images, titles, columns=4):
    """A PNG grid of BGR `images` with `titles` (green: predicted, red: true)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pyimagesearch.utils.plotting import save_figure

    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.2 * rows + 0.4),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, title in zip(axes.ravel(), images, titles):
        ax.imshow(image[..., ::-1])
        ax.set_title(title, fontsize=8)
    fig.suptitle("predicted box (green) and true box (red)")
    return save_figure(fig, path)


def write_text(path, text):
    """Write `text` to `path` through a temporary file in the same folder."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path
