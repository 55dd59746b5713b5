"""Feature extraction: DL4CV Practitioner Bundle ch. 3, `extract_features.py` (2020-11-19-transfer-learning).

Step 1: extract features with a pre-trained network into HDF5.

Data: an image folder `<dataset>/<class>/<image>` (Flowers-17, animals...);
the paths are shuffled with the seed (the HDF5 rows keep that order, so the
first 75% of rows are a random training split) and labelled by their folder
(LabelEncoder: the class names are stored as `label_names`).
Model: a headless ImageNet network (`--model`, default vgg16) at its own
input size with its own `preprocess_input`; the last feature map is
flattened (VGG16: 7 x 7 x 512 = 25,088 features per image), or pooled with
`--pooling avg`.
Recipe (the diary's): VGG16 without top, batch 32, buffer 1000; images are
decoded and resized by a tf.data pipeline in parallel with the network
(`pyimagesearch.features.write_features`, which the Dogs vs. Cats
study uses too).
Diary's result: these features + logistic regression gave 0.89 on
Flowers-17 (see train_model.py).

    python experiments/2020-11-19-transfer-learning/extract_features.py --dataset flowers17 --db features/flowers17_vgg16.hdf5
    python experiments/2020-11-19-transfer-learning/train_model.py --db features/flowers17_vgg16.hdf5 --output outputs/flowers17_vgg16_lr
    python experiments/2020-11-19-transfer-learning/rank_accuracy.py --db features/flowers17_vgg16.hdf5 --model-path outputs/flowers17_vgg16_lr/classifier.npz
"""

import random
import sys
from pathlib import Path

from pyimagesearch import features, harness
from pyimagesearch.datasets import list_images

STUDY = "2020-11-19-transfer-learning"

# the diary's recipe (batch 32 and buffer 1000: the extraction flags' defaults)
MODEL = "vgg16"
POOLING = "none"  # flatten the last feature map


@harness.entrypoint
def main(argv=None):
    parser = harness.argument_parser(__doc__)
    parser.add_argument("-d", "--dataset", required=True,
                        help="image folder (<class>/<image>), or a name under $DATASETS_DIR")
    harness.add_feature_extraction_arguments(parser, default_model=MODEL,
                                             default_pooling=POOLING)
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)
    options = harness.feature_extraction_options(args)  # checked: --image-size, --db

    # grab the list of images, shuffle them (a random split is then simply
    # the first 75% of rows), and extract the class labels from the paths
    print("[INFO] loading images...")
    paths = list_images(dataset)
    random.Random(args.seed).shuffle(paths)
    labels = [Path(p).parent.name for p in paths]

    # run them through the headless network into the HDF5 file
    features.write_features(paths, labels, args.db, **options,
                            attrs={"dataset": str(dataset), "seed": args.seed})
    return 0


if __name__ == "__main__":
    sys.exit(main())
