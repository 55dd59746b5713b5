"""Training on features: DL4CV Practitioner Bundle ch. 10, `train_model.py` (2020-11-23-dogs-vs-cats).

Step 5: a logistic regression on the Dogs vs. Cats ResNet50 features.

Data: the HDF5 file `extract_features.py` wrote (`features`, `labels`,
`label_names`); its rows are shuffled, so the first 75% train and the last
25% test (the diary: 6,250 test images of 25,000).
Model and recipe: the Flowers-17 study's (2020-11-19-transfer-learning),
under this study's name: scikit-learn's LogisticRegression, GridSearchCV
over C in {0.1, 1, 10, 100, 1000, 10000}, 3-fold; the best estimator is
evaluated on the test rows and saved with the class names (plain arrays). Its run
folder keeps the classification report and `grid_search.json`.
Diary's result: 0.99 accuracy with ResNet50 features.

    python experiments/2020-11-23-dogs-vs-cats/train_model.py --db outputs/features/dogs_vs_cats_resnet50.hdf5 --output outputs/dogs_vs_cats_resnet50_lr --jobs 2
"""

import sys

import config  # the study's settings, beside this script
from pyimagesearch import features, harness

TRAIN_FRACTION = 0.75  # the first 75% of the (shuffled) rows train
C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)  # the book's grid


@harness.entrypoint
def main(argv=None):
    parser = harness.add_classifier_arguments(harness.study_parser(__doc__, dataset=False))
    args = parser.parse_args(argv)

    # open the database: the training rows, then the test rows
    data = features.read_features(args.db, TRAIN_FRACTION)
    network = data.attrs.get("model")
    with harness.Run(config.STUDY, args) as run:
        print(f"[INFO] {len(data.train_x)} training rows, {len(data.test_x)} test rows, "
              f"{data.train_x.shape[1]} features")
        # grid-search C over the book's grid, report on the test rows, save
        report = harness.train_classifier(run, data, run.path("classifier.npz"), C_GRID,
                                          jobs=args.jobs, max_iter=args.max_iter,
                                          db=str(args.db))
        run.record(f"dogs_vs_cats ({network} features)" if network else "dogs_vs_cats",
                   "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
