"""ResNet50 features: DL4CV Practitioner Bundle ch. 10, `extract_features.py` (2020-11-23-dogs-vs-cats).

Step 4: extract ImageNet features of Dogs vs. Cats into HDF5.

Data: the Kaggle ``train`` folder, ``{cat,dog}.N.jpg``; the label is the file
name before the first dot (`--labels-from folder` reads ``<class>/<image>``
trees instead). The paths are shuffled with the seed, so the first 75% of
the HDF5 rows are a random training split (the diary: 18,750 train and
6,250 test of 25,000).
Model: a headless ImageNet network, `--model resnet50` as in the diary,
at its own input size with its own `preprocess_input`. The book's ResNet50
(Keras 2.0) ended with its 7x7 average pool and gave 2,048 features per
image; `--pooling avg` (the default here) gives the same vector.
`--pooling none` flattens the 7x7x2048 map instead (100,352 floats per
image: 10 GB for 25,000 images).
Recipe: the Flowers-17 study's extraction (2020-11-19-transfer-learning,
`pyimagesearch.features.write_features`): images decoded and resized by a
tf.data pipeline on its own threads while the network works, batch 32,
buffer 1000. Then `train_model.py` fits the logistic regression.
Diary's result: 0.99 accuracy with ResNet50 features (6,250 test images).

    python experiments/2020-11-23-dogs-vs-cats/extract_features.py --dataset dogs_vs_cats --db outputs/features/dogs_vs_cats_resnet50.hdf5
"""

import random
import sys

import config  # the study's settings, beside this script
from pyimagesearch import features, harness
from pyimagesearch.datasets import list_labelled_images

# the diary's recipe (batch 32 and buffer 1000: the extraction flags' defaults)
MODEL = "resnet50"
POOLING = "avg"  # the book's 2,048-d vector


@harness.entrypoint
def main(argv=None):
    parser = harness.argument_parser(__doc__)
    parser.add_argument("-d", "--dataset", required=True,
                        help="the Kaggle train folder ({cat,dog}.N.jpg), or a name under "
                        "$DATASETS_DIR")
    parser.add_argument("--labels-from", choices=("filename", "folder"), default="filename",
                        help="label = file name before the first dot (Kaggle, the default) or "
                        "the parent folder's name")
    harness.add_feature_extraction_arguments(parser, default_model=MODEL,
                                             default_pooling=POOLING)
    args = parser.parse_args(argv)
    dataset = harness.resolve_dataset(args.dataset)
    options = harness.feature_extraction_options(args)  # checked: --image-size, --db

    # grab the list of images, shuffle them (a random split is then simply
    # the first 75% of rows), and take the labels from the file names
    print("[INFO] loading images...")
    if args.labels_from == "filename":
        paths, labels = config.list_kaggle_images(dataset)
    else:
        paths, labels = list_labelled_images(dataset)
    order = list(range(len(paths)))
    random.Random(args.seed).shuffle(order)
    paths = [paths[i] for i in order]
    labels = [labels[i] for i in order]

    # run them through the headless network into the HDF5 file
    features.write_features(paths, labels, args.db, **options,
                            attrs={"dataset": str(dataset), "labels_from": args.labels_from,
                                   "seed": args.seed})
    return 0


if __name__ == "__main__":
    sys.exit(main())
