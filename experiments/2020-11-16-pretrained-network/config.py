"""What `imagenet_pretrained.py` reads, decodes and writes (2020-11-16-pretrained-network).

The image loader (RGB at the network's size), the top-5 decoder (Keras' own
class index, or `--labels`), the `--expect` check, the drawing of the top-5
on an image, the predictions table and the chart of a folder's top-1 labels.
"""

import csv
import difflib

import cv2
from keras.applications import imagenet_utils
from matplotlib.figure import Figure

from pyimagesearch.errors import DatasetError, PyImageSearchError
from pyimagesearch.io.imagefile import check_image, read_image
from pyimagesearch.nn.backbones import decode_predictions, load_imagenet_class_index
from pyimagesearch.preprocessing import AspectAwarePreprocessor, SimplePreprocessor
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.plotting import save_figure

TOP = 5
MIN_WIDTH = 400  # a smaller image is enlarged so that its labels fit on it


def load_rgb(path, size, resize="squash"):
    """An image from disk (BGR, as OpenCV decodes it) and its RGB uint8 copy at `size`."""
    image = read_image(path)  # refuses truncated and oversized files before decoding
    if image is None:
        return None, None
    (h, w) = image.shape[:2]
    # shrink with INTER_AREA, enlarge with bilinear interpolation
    inter = cv2.INTER_AREA if h >= size and w >= size else cv2.INTER_LINEAR
    preprocessor = AspectAwarePreprocessor if resize == "crop" else SimplePreprocessor
    resized = preprocessor(size, size, inter=inter).preprocess(image)
    return image, cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)


def check_images(paths):
    """Every `--image` must be a whole image within the pixel limit: their paths as str."""
    for path in paths:
        try:
            check_image(path)
        except DatasetError as error:
            raise DatasetError(f"--image: {error}") from None
    return [str(p) for p in paths]


def decoder(labels_path, classes):
    """A function `probabilities -> [[(wnid, label, p)] * 5]` for the model's classes."""
    if labels_path:
        index = load_imagenet_class_index(labels_path)
        if len(index) != classes:
            raise DatasetError(f"--labels {labels_path} names {len(index)} classes but the "
                               f"network predicts {classes}")
        return lambda preds: decode_predictions(preds, index, top=TOP)

    def keras_decode(preds):
        try:
            rows = imagenet_utils.decode_predictions(preds, top=TOP)
        except Exception as error:  # get_file raises a bare Exception offline
            lines = str(error).strip().splitlines()
            reason = lines[0] if lines else type(error).__name__
            raise PyImageSearchError(f"could not download ImageNet's class index ({reason}); "
                                     "pass --labels imagenet_class_index.json") from None
        return [[(w, l, float(p)) for (w, l, p) in row] for row in rows]

    return keras_decode


def check_expect(expect, labels, source):
    """`--expect` must name a class of the index (a typo would record 0.0)."""
    if expect not in labels:
        close = difflib.get_close_matches(expect, labels, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise DatasetError(f"--expect {expect} is not a class of {source}{hint}; pass one "
                           "of its labels, e.g. giant_panda")


def keras_labels():
    """The labels of Keras' downloaded class index (empty before the first decode)."""
    return [v[1] for v in (imagenet_utils.CLASS_INDEX or {}).values()]


def draw_top5(image, top5):
    """A copy of `image` with the top-5 written on it, the top-1 in red (the book: top-1 only)."""
    image = image.copy()
    if image.shape[1] < MIN_WIDTH:
        scale = MIN_WIDTH / image.shape[1]
        image = cv2.resize(image, (MIN_WIDTH, int(round(image.shape[0] * scale))),
                           interpolation=cv2.INTER_LINEAR)
    for rank, (_, name, p) in enumerate(top5):
        text = f"{rank + 1}. {name}: {p * 100:.2f}%"
        y, colour = 30 + 28 * rank, (0, 0, 255) if rank == 0 else (255, 255, 255)
        cv2.putText(image, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4)
        cv2.putText(image, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colour, 2)
    return image


def save_predictions(run, rows):
    """Keep every prediction: `predictions.csv` (one line per image) and `predictions.json`."""
    with atomic_write(run.path("predictions.csv"), newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "folder", *(f"top{k}_{c}" for k in range(1, TOP + 1)
                                             for c in ("wnid", "label", "probability"))])
        for row in rows:
            writer.writerow([row["path"], row["folder"],
                             *(v for (w, l, p) in row["top5"] for v in (w, l, f"{p:.6f}"))])
    run.save("predictions.json", [
        {"path": r["path"], "folder": r["folder"], "written": r.get("written"),
         "top5": [{"wnid": w, "label": l, "probability": p} for (w, l, p) in r["top5"]]}
        for r in rows])


def plot_top1(counts, path, title, expect=None, top=10):
    """A bar per top-1 label (the `top` most frequent), `expect` in red, saved as `path`."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top][::-1]
    total = sum(counts.values())
    fig = Figure(figsize=(7, 0.45 * len(items) + 1.5))
    ax = fig.add_subplot()
    bars = ax.barh([k for k, _ in items], [v for _, v in items],
                   color=["tab:red" if k == expect else "tab:grey" for k, _ in items])
    ax.bar_label(bars, labels=[f"{v} ({v / total:.0%})" for _, v in items], padding=3)
    ax.set_xlim(0, max(v for _, v in items) * 1.2)
    ax.set(xlabel="images", title=title)
    return save_figure(fig, path)
