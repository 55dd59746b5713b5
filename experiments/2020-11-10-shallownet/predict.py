"""ShallowNet predictions: DL4CV Starter Bundle ch. 12, `shallownet_load.py` (2020-11-10-shallownet).

Labels random test images with a saved ShallowNet.

Loads the `model.keras` that `train.py` saved (and the `class_names.json`
beside it), draws `--count` random images from the test split (the 25% that
`train.py` held out with the same `--seed`: `train_test_split(test_size=0.25,
random_state=seed)` over the sorted image paths, so the model never trained
on them, provided every image of the folder was readable) and writes each
one, annotated with its true and predicted labels and the probability, to
the output folder. No display is needed; `--show` also opens each image in
a window.

    python experiments/2020-11-10-shallownet/predict.py --dataset animals --model-path outputs/2020-11-10-shallownet/<run>/model.keras
"""

import json
import sys
from pathlib import Path

import cv2
import numpy as np
from sklearn.model_selection import train_test_split

from pyimagesearch import harness
from pyimagesearch.datasets import SimpleDatasetLoader, list_images
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import load_image
from pyimagesearch.io.modelfile import load_keras_model
from pyimagesearch.preprocessing import ImageToArrayPreprocessor, SimplePreprocessor
from pyimagesearch.utils import show_image

STUDY = "2020-11-10-shallownet-predict"

COUNT = 10  # images to label
IMAGE_SIZE = 32  # as train.py
TEST_SIZE = 0.25  # the split train.py held out

parser = harness.study_parser(__doc__)
parser.add_argument("--model-path", required=True, type=harness.keras_file,
                    help="the trained model (.keras)")
parser.add_argument("--labels", default=None,
                    help="JSON list of class names (default: class_names.json beside the model)")
parser.add_argument("-n", "--count", type=harness.positive_int, default=COUNT,
                    help=f"images to label (default {COUNT})")
parser.add_argument("--show", action="store_true", help="also display each image")


def load_class_names(model_path, labels_path, dataset):
    """Class names from `--labels`, else the training run's class_names.json."""
    path = Path(labels_path) if labels_path else Path(model_path).with_name("class_names.json")
    if path.is_file():
        names = json.loads(path.read_text())
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DatasetError(f"{path} must hold a JSON list of class names")
        return names
    if labels_path:
        raise DatasetError(f"--labels {labels_path}: no such file")
    # the training run sorted the class folders' names (LabelEncoder)
    return sorted(p.name for p in Path(dataset).iterdir() if p.is_dir())


def annotate(image, text):
    """Write `text` in the top-left corner of `image` (green on a black outline)."""
    cv2.putText(image, text, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 3)
    cv2.putText(image, text, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 255, 0), 2)
    return image


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)

    with harness.Run(STUDY, args) as run:
        class_names = load_class_names(args.model_path, args.labels, dataset)

        # sample the images at random from the test split train.py held out
        # (seeded: the same images for the same --seed)
        _, paths = train_test_split(list_images(dataset), test_size=TEST_SIZE,
                                    random_state=args.seed)
        rng = np.random.default_rng(args.seed)
        chosen = rng.choice(len(paths), min(args.count, len(paths)), replace=False)
        paths = [paths[i] for i in chosen]

        # preprocess them exactly as train.py did
        print("[INFO] loading model and images...")
        model = load_keras_model(args.model_path)
        if model.output_shape[-1] != len(class_names):
            raise DatasetError(
                f"the model predicts {model.output_shape[-1]} classes but {len(class_names)} "
                f"class names were found ({class_names}); pass --labels"
            )
        loader = SimpleDatasetLoader([SimplePreprocessor(IMAGE_SIZE, IMAGE_SIZE),
                                      ImageToArrayPreprocessor()])
        data, _ = loader.load(paths, verbose=0)

        # make predictions on the images
        probabilities = model.predict(data.astype("float32") / 255.0, batch_size=32, verbose=0)

        # annotate each original image with its label and write it out
        rows = []
        for i, (path, probs) in enumerate(zip(paths, probabilities), 1):
            label = class_names[int(np.argmax(probs))]
            text = f"true {Path(path).parent.name}, predicted {label}: {probs.max():.2f}"
            image = annotate(load_image(path), text)
            out = run.save(f"prediction_{i:02d}_{label}.jpg", image)
            rows.append({"image": path, "label": label, "probability": float(probs.max()),
                         "true_folder": Path(path).parent.name, "written": out.name})
            print(f"[INFO] {path}: {text}")
            if args.show:
                show_image("Image", image, run.output_dir)
        run.save("predictions.json", rows)

    # compare with the true labels: the folders' names the model knows
    known = [r for r in rows if r["true_folder"] in class_names]
    if not known:
        folders = sorted({r["true_folder"] for r in rows})
        raise DatasetError(f"the images' labels {folders} are unknown to the model (its "
                           f"classes: {class_names}); nothing to compare")
    agree = np.mean([r["label"] == r["true_folder"] for r in known])
    print(f"[INFO] {agree:.0%} of these test images are labelled right"
          + (f" ({len(known)} of {len(rows)} have a label the model knows)"
             if len(known) < len(rows) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
