"""ImageNet networks out of the box: DL4CV Starter Bundle ch. 20, `imagenet_pretrained.py` (2020-11-16-pretrained-network).

Data: any image (`--image`, repeatable), or every image of a folder (`--images DIR`).
Model: a `keras.applications` network by name (vgg16, vgg19, resnet50, inception_v3,
xception, mobilenet_v2, densenet121, efficientnet_b0), at its own input size (224, or
299) with its own `preprocess_input`. Recipe (the diary's): resize, preprocess, predict;
print the top-5 ImageNet labels and draw them on the image. Diary's result: none
recorded (the book: "1. giant_panda: 97.31%"). Offline, pass a weights file
(`--weights PATH`) and the class index (`--labels imagenet_class_index.json`).

    python experiments/2020-11-16-pretrained-network/imagenet_pretrained.py --image panda.jpg --model vgg16
    python experiments/2020-11-16-pretrained-network/imagenet_pretrained.py --images animals/panda --limit 100 --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision.h5 --labels imagenet_class_index.json --expect giant_panda
"""

import sys
from collections import Counter
from pathlib import Path

import numpy as np

from pyimagesearch import harness
from pyimagesearch.datasets import list_images
from pyimagesearch.errors import DatasetError
from pyimagesearch.nn import backbones
from pyimagesearch.utils import show_image, track
import config  # this study's shared module, beside this script

STUDY = "2020-11-16-pretrained-network"
MODEL = "vgg16"
WEIGHTS = "imagenet"
BATCH_SIZE = 32  # images per forward pass

parser = harness.study_parser(__doc__, dataset=False)
source = parser.add_mutually_exclusive_group(required=True)
source.add_argument("-i", "--image", action="append", type=harness.existing_file,
                    help="an image to classify (repeat for several)")
source.add_argument("--images", help="classify every image of this folder (any depth); "
                    "writes predictions.csv")
parser.add_argument("-m", "--model", default=MODEL,
                    help=f"network: {', '.join(backbones.backbone_names())} "
                    f"(also inception, resnet); default {MODEL}")
parser.add_argument("-w", "--weights", default=WEIGHTS,
                    help="imagenet (default), none (random) or a weights file (.h5 with top)")
parser.add_argument("-l", "--labels", default=None,
                    help="ImageNet class index JSON ({\"0\": [\"n01440764\", \"tench\"], "
                    "...}); default: downloaded by Keras")
parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                    help="squash to the network's size (the book) or crop the centre")
parser.add_argument("--limit", type=harness.positive_int, default=None,
                    help="with --images: only the first N images (sorted by path)")
parser.add_argument("--expect", default=None,
                    help="with --images: record how often this label is top-1 (top-5)")
parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=BATCH_SIZE,
                    help=f"images per forward pass (default {BATCH_SIZE})")
parser.add_argument("--show", action="store_true",
                    help="also display each annotated image (needs a GUI OpenCV)")


def classify(model, preprocess, decode, paths, size, args):
    """The top-5 labels of every readable image, a batch at a time: one row
    `{"path", "folder", "top5"}` per image, and with `--image` the BGR originals by path."""
    rows, originals = [], {}
    for start in track(range(0, len(paths), args.batch_size), label="[INFO] classifying",
                       verbose=bool(args.images) and args.verbose > 0):
        batch_paths, batch = [], []
        for path in paths[start:start + args.batch_size]:
            original, rgb = config.load_rgb(path, size, args.resize)
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
        preds = model.predict(preprocess(np.asarray(batch, dtype="float32")), verbose=0)
        for path, top5 in zip(batch_paths, decode(preds)):
            rows.append({"path": path, "folder": Path(path).parent.name, "top5": top5})
    if not rows:
        raise DatasetError("none of the images could be read")
    return rows, originals


def summarise(run, rows, folder, expect, network):
    """A folder's top-1 labels (printed, drawn); with `expect`, its top-1 and top-5 share."""
    top1 = Counter(r["top5"][0][1] for r in rows)
    print(f"[INFO] top-1 labels of {len(rows)} images:")
    for label, count in top1.most_common(5):
        print(f"  {label}: {count} ({count / len(rows):.0%})")
    config.plot_top1(top1, run.path("top1_labels.png"), expect=expect,
                     title=f"{network}: top-1 labels of {len(rows)} images of {Path(folder).name}")
    if expect and not run.args.labels:
        config.check_expect(expect, config.keras_labels() or [expect], "ImageNet's class index")
    if expect:
        hit1 = np.mean([r["top5"][0][1] == expect for r in rows])
        hit5 = np.mean([any(l == expect for (_, l, _) in r["top5"]) for r in rows])
        data = f"{Path(folder).name} ({len(rows)} images, {network})"
        run.record(data, f"top1_{expect}", hit1)
        run.record(data, f"top5_{expect}", hit5)


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    spec = backbones.get_backbone(args.model)
    if args.expect and args.labels:
        index = backbones.load_imagenet_class_index(args.labels)
        config.check_expect(args.expect, [label for (_, label) in index],
                            f"--labels {args.labels}")
    # the images to classify: every --image, or those of the --images folder
    if args.images:
        paths = list_images(harness.resolve_dataset(args.images))[:args.limit]
    else:
        paths = config.check_images(args.image)  # before the run folder is made

    with harness.Run(STUDY, args) as run:
        # load the network (with its ImageNet classifier) and its preprocessing
        print(f"[INFO] loading {spec.name}...")
        model = backbones.build_backbone(spec.name, weights=args.weights, include_top=True)
        preprocess = backbones.preprocess_input(spec.name)
        decode = config.decoder(args.labels, model.output_shape[-1])

        # classify the images a batch at a time
        print(f"[INFO] loading and pre-processing {len(paths)} image(s) at "
              f"{spec.size}x{spec.size}...")
        rows, originals = classify(model, preprocess, decode, paths, spec.size, args)

        # one image at a time: print the top-5 predictions and draw them on
        # the image; a folder: a table and a summary
        for i, row in enumerate(rows if not args.images else [], 1):
            print(f"[INFO] {row['path']}")
            for (rank, (_, label, prob)) in enumerate(row["top5"], 1):
                print(f"{rank}. {label}: {prob * 100:.2f}%")
            image = config.draw_top5(originals[row["path"]], row["top5"])
            out = run.save(f"{i:02d}_{Path(row['path']).stem}_{row['top5'][0][1]}.jpg", image)
            row["written"] = out.name
            if args.show:
                show_image("Classification", image, run.output_dir)
        config.save_predictions(run, rows)
        if args.images:
            summarise(run, rows, args.images, args.expect, spec.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
