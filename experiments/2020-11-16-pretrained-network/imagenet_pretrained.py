"""Classify images with a network pre-trained on ImageNet (2020-11-16-pretrained-network).

Data: any image (`--image`, repeatable), or every image of a folder
(`--images DIR`, e.g. animals/panda).
Model: a `keras.applications` network by name: vgg16, vgg19, resnet50
(`resnet`), inception_v3 (`inception`), xception, mobilenet_v2, densenet121,
efficientnet_b0; each at its own input size (224, or 299 for Inception and
Xception) with its own `preprocess_input`.
Recipe (the diary's): load the image, resize it to the network's size,
preprocess, predict; print the top-5 ImageNet labels with their
probabilities and draw the top-1 on the image.
Diary's result: none recorded (the book labels its example images
correctly, e.g. "1. giant_panda: 97.31%").

Offline, `--weights imagenet` cannot be downloaded: pass a weights file
(`--weights PATH`) and the class index (`--labels imagenet_class_index.json`,
the file `decode_predictions` downloads).

    python experiments/2020-11-16-pretrained-network/imagenet_pretrained.py --image panda.jpg --model vgg16
    python experiments/2020-11-16-pretrained-network/imagenet_pretrained.py --images animals/panda --limit 100 --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision.h5 --labels imagenet_class_index.json --expect giant_panda
"""

import csv
import sys
from collections import Counter
from pathlib import Path

from pyimagesearch import harness
from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import PyImageSearchError

STUDY = "2020-11-16-pretrained-network"


def parse_args(argv):
    """The images, the network and its files; bad values are argparse errors (exit 2)."""
    from pyimagesearch.nn import backbones

    parser = harness.study_parser(__doc__, dataset=False)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("-i", "--image", action="append", type=harness.existing_file,
                        help="an image to classify (repeat for several)")
    source.add_argument("--images", help="classify every image of this folder (any depth); "
                        "writes predictions.csv")
    parser.add_argument("-m", "--model", default="vgg16",
                        help=f"network: {', '.join(backbones.backbone_names())} "
                        "(also inception, resnet); default vgg16")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random: for tests) or a weights "
                        "file (.h5 with top); default imagenet")
    parser.add_argument("-l", "--labels", default=None,
                        help="ImageNet class index JSON ({\"0\": [\"n01440764\", \"tench\"], "
                        "...}); default: downloaded by Keras")
    parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                        help="squash to the network's size ignoring the aspect ratio (the "
                        "book) or crop the centre after resizing the shorter side")
    parser.add_argument("--limit", type=harness.positive_int, default=None,
                        help="with --images: only the first N images (sorted by path)")
    parser.add_argument("--expect", default=None,
                        help="with --images: report the fraction of images whose top-1 "
                        "(and top-5) is this label, e.g. giant_panda")
    parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=32,
                        help="images per forward pass (default 32)")
    parser.add_argument("--show", action="store_true",
                        help="also display each annotated image (needs a GUI OpenCV)")
    return parser.parse_args(argv)


def image_paths(args):
    """The images to classify: every `--image`, or those of the `--images` folder."""
    if not args.images:
        return [str(p) for p in args.image]
    from pyimagesearch.datasets import list_images

    paths = list_images(harness.resolve_dataset(args.images))
    return paths if args.limit is None else paths[:args.limit]


def load_rgb(path, size, resize="squash"):
    """An image from disk as RGB uint8 at `size` (OpenCV decodes BGR)."""
    import cv2

    from pyimagesearch.preprocessing import AspectAwarePreprocessor, SimplePreprocessor

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        return None, None
    (h, w) = image.shape[:2]
    # shrink with INTER_AREA, enlarge with bilinear interpolation
    inter = cv2.INTER_AREA if h >= size and w >= size else cv2.INTER_LINEAR
    if resize == "crop":
        resized = AspectAwarePreprocessor(size, size, inter=inter).preprocess(image)
    else:
        resized = SimplePreprocessor(size, size, inter=inter).preprocess(image)
    return image, cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)


def decoder(labels_path, classes):
    """A function `probabilities -> [[(wnid, label, p)] * 5]` for the model's classes."""
    from pyimagesearch.nn.backbones import decode_predictions, load_imagenet_class_index

    if labels_path:
        index = load_imagenet_class_index(labels_path)
        if len(index) != classes:
            raise DatasetError(
                f"--labels {labels_path} names {len(index)} classes but the network "
                f"predicts {classes}"
            )
        return lambda preds: decode_predictions(preds, index, top=5)

    def keras_decode(preds):
        from keras.applications import imagenet_utils

        try:
            return imagenet_utils.decode_predictions(preds, top=5)
        except Exception as error:  # get_file raises a bare Exception offline
            lines = str(error).strip().splitlines()
            reason = lines[0] if lines else type(error).__name__
            raise PyImageSearchError(
                f"could not download ImageNet's class index ({reason}); "
                "pass --labels imagenet_class_index.json"
            ) from None

    return lambda preds: [[(w, l, float(p)) for (w, l, p) in row] for row in keras_decode(preds)]


def classify(model, preprocess, decode, paths, size, args):
    """The top-5 labels of every readable image, a batch at a time.

    Returns:
        `(rows, originals)`: one row `{"path", "folder", "top5"}` per image,
        and with `--image` the original BGR images by path (to annotate).
    """
    import numpy as np

    from pyimagesearch.utils import track

    rows, originals = [], {}
    show_bar = bool(args.images) and args.verbose > 0
    for start in track(range(0, len(paths), args.batch_size),
                       label="[INFO] classifying", verbose=show_bar):
        batch_paths, batch = [], []
        for path in paths[start:start + args.batch_size]:
            original, rgb = load_rgb(path, size, args.resize)
            if original is None:
                if not args.images:
                    raise DatasetError(f"--image {path}: not a readable image")
                print(f"[WARN] skipping {path}: not a readable image")
                continue
            batch_paths.append(path)
            batch.append(rgb)
            if not args.images:
                originals[path] = original
        if not batch:
            continue
        # a fresh float array: Keras' preprocess_input scales NumPy input in place
        x = preprocess(np.asarray(batch, dtype="float32"))
        preds = model.predict(x, verbose=0)
        for path, top5 in zip(batch_paths, decode(preds)):
            rows.append({"path": path, "folder": Path(path).parent.name, "top5": top5})
    if not rows:
        raise DatasetError("none of the images could be read")
    return rows, originals


def annotate(run, rows, originals, show=False):
    """Print each image's top-5 labels, draw them on it and write it out."""
    import cv2

    from pyimagesearch.utils import show_image

    for i, row in enumerate(rows, 1):
        print(f"[INFO] {row['path']}")
        for (rank, (_, label, prob)) in enumerate(row["top5"], 1):
            print(f"{rank}. {label}: {prob * 100:.2f}%")
        (_, label, prob) = row["top5"][0]
        image = originals[row["path"]].copy()
        if image.shape[1] < 400:
            # enlarge a small image so that the label fits on it
            scale = 400 / image.shape[1]
            image = cv2.resize(image, (400, int(round(image.shape[0] * scale))),
                               interpolation=cv2.INTER_LINEAR)
        # the top-5, the top-1 in red (the book drew the top-1 only)
        for rank, (_, name, p) in enumerate(row["top5"]):
            text = f"{rank + 1}. {name}: {p * 100:.2f}%"
            y, colour = 30 + 28 * rank, (0, 0, 255) if rank == 0 else (255, 255, 255)
            cv2.putText(image, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4)
            cv2.putText(image, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colour, 2)
        out = run.save_image(f"{i:02d}_{Path(row['path']).stem}_{label}.jpg", image)
        row["written"] = out.name
        if show:
            show_image("Classification", image, run.output_dir)


def save_predictions(run, rows):
    """Keep every prediction: one line per image, top-5 labels and probabilities."""
    from pyimagesearch.utils.atomic import atomic_write

    with atomic_write(run.path("predictions.csv"), newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "folder", *(f"top{k}_{c}" for k in range(1, 6)
                                             for c in ("wnid", "label", "probability"))])
        for row in rows:
            writer.writerow([row["path"], row["folder"],
                             *(v for (w, l, p) in row["top5"] for v in (w, l, f"{p:.6f}"))])
    run.save_json("predictions.json", [
        {"path": r["path"], "folder": r["folder"], "written": r.get("written"),
         "top5": [{"wnid": w, "label": l, "probability": p} for (w, l, p) in r["top5"]]}
        for r in rows])


def summarise(run, rows, folder, expect, network):
    """What the network calls a folder's images, most frequent first; with
    `expect`, record how many have that label as top-1 (and within the top 5)."""
    import numpy as np

    top1 = Counter(r["top5"][0][1] for r in rows)
    print(f"[INFO] top-1 labels of {len(rows)} images:")
    for label, count in top1.most_common(5):
        print(f"  {label}: {count} ({count / len(rows):.0%})")
    if expect and not run.args.labels:
        from keras.applications import imagenet_utils

        known = [v[1] for v in (imagenet_utils.CLASS_INDEX or {}).values()]
        check_expect(expect, known or [expect], "ImageNet's class index")
    if expect:
        hit1 = np.mean([r["top5"][0][1] == expect for r in rows])
        hit5 = np.mean([any(l == expect for (_, l, _) in r["top5"]) for r in rows])
        data = f"{Path(folder).name} ({len(rows)} images, {network})"
        run.record(data, f"top1_{expect}", hit1)
        run.record(data, f"top5_{expect}", hit5)


def check_expect(expect, labels, source):
    """`--expect` must name a class of the index (a typo would record 0.0)."""
    import difflib

    if expect not in labels:
        close = difflib.get_close_matches(expect, labels, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise DatasetError(f"--expect {expect} is not a class of {source}{hint}; pass one "
                           "of its labels, e.g. giant_panda")


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)

    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(args.model)
    if args.expect and args.labels:
        index = backbones.load_imagenet_class_index(args.labels)
        check_expect(args.expect, [label for (_, label) in index], f"--labels {args.labels}")
    paths = image_paths(args)

    with harness.Run(STUDY, args) as run:
        # load the network (with its ImageNet classifier) and its preprocessing
        print(f"[INFO] loading {spec.name}...")
        model = backbones.build_backbone(spec.name, weights=args.weights, include_top=True)
        preprocess = backbones.preprocess_input(spec.name)
        decode = decoder(args.labels, model.output_shape[-1])

        # classify the images a batch at a time
        print(f"[INFO] loading and pre-processing {len(paths)} image(s) at "
              f"{spec.size}x{spec.size}...")
        rows, originals = classify(model, preprocess, decode, paths, spec.size, args)

        # one image at a time: print the top-5 predictions, then draw the
        # top-1 on the image; a folder: a table and a summary
        if not args.images:
            annotate(run, rows, originals, show=args.show)
        save_predictions(run, rows)
        if args.images:
            summarise(run, rows, args.images, args.expect, spec.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
