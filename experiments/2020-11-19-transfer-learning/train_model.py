"""Training on features: DL4CV Practitioner Bundle ch. 3, `train_model.py` (2020-11-19-transfer-learning).

Step 2: a logistic regression on the extracted features.

Data: the HDF5 file `extract_features.py` wrote (`features`, `labels`,
`label_names`); its rows are already shuffled, so the first 75% of rows
train and the last 25% test.
Model: scikit-learn's LogisticRegression (multinomial for more than two
classes: scikit-learn's default; `multi_class=` no longer exists).
Recipe (the diary's): GridSearchCV over C in {0.1, 1, 10, 100, 1000, 10000},
3-fold cross-validation on the training rows; the best estimator is
evaluated on the test rows and saved with the class names (plain arrays) as
`classifier.npz` in the run folder.
Diary's result: 0.89 accuracy on Flowers-17 with VGG16 features (340 test
images).

    python experiments/2020-11-19-transfer-learning/train_model.py --db features/flowers17_vgg16.hdf5 --output outputs/flowers17_vgg16_lr --jobs 2
"""

import sys
from pathlib import Path

from pyimagesearch import features, harness

STUDY = "2020-11-19-transfer-learning"
TRAIN_FRACTION = 0.75  # the first 75% of the (shuffled) rows train
C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)  # the book's grid


def data_name(db_path, attrs):
    """The data column of `outputs/results.csv`, e.g. ``flowers17 (vgg16 features)``."""
    dataset = Path(str(attrs.get("dataset", db_path))).name
    network = attrs.get("model")
    return f"{dataset} ({network} features)" if network else dataset


@harness.entrypoint
def main(argv=None):
    parser = harness.add_classifier_arguments(harness.study_parser(__doc__, dataset=False))
    args = parser.parse_args(argv)

    # open the database: the training rows, then the test rows
    data = features.read_features(args.db, TRAIN_FRACTION)
    with harness.Run(STUDY, args) as run:
        print(f"[INFO] {len(data.train_x)} training rows, {len(data.test_x)} test rows, "
              f"{data.train_x.shape[1]} features, {len(data.class_names)} classes")
        # grid-search C, report on the test rows, save the classifier
        report = harness.train_classifier(run, data, run.path("classifier.npz"), C_GRID,
                                          jobs=args.jobs, max_iter=args.max_iter,
                                          db=str(args.db))
        run.record(data_name(args.db, data.attrs), "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
