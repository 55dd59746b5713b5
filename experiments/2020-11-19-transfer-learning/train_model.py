"""Logistic regression on extracted features (2020-11-19-transfer-learning, step 2).

Data: the HDF5 file `extract_features.py` wrote (`features`, `labels`,
`label_names`); its rows are already shuffled, so the first 75% of rows
train and the last 25% test.
Model: scikit-learn's LogisticRegression (multinomial for more than two
classes: scikit-learn's default; `multi_class=` no longer exists).
Recipe (the diary's): GridSearchCV over C in {0.1, 1, 10, 100, 1000, 10000},
3-fold cross-validation on the training rows; the best estimator is
evaluated on the test rows and saved (with the class names) by joblib.
Diary's result: 0.89 accuracy on Flowers-17 with VGG16 features (340 test
images).

    python experiments/2020-11-19-transfer-learning/train_model.py \
        --db features/flowers17_vgg16.hdf5 --model features/flowers17_vgg16.joblib --jobs 2
"""

import sys
from pathlib import Path

from pyimagesearch import harness

STUDY = "2020-11-19-transfer-learning"
C_GRID = [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


def split_index(db):
    """The first test row: 75% of the rows train (the diary's split)."""
    return int(db["labels"].shape[0] * 0.75)


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, dataset=False)
    parser.add_argument("--db", required=True, help="HDF5 features file (extract_features.py)")
    parser.add_argument("-m", "--model", required=True,
                        help="where to save the trained classifier (.joblib); refused if it "
                        "exists, unless --force")
    parser.add_argument("-j", "--jobs", type=int, default=-1,
                        help="parallel jobs of the grid search (default -1: every core)")
    parser.add_argument("--max-iter", type=int, default=1000,
                        help="LogisticRegression's max_iter (default 1000)")
    parser.add_argument("--force", action="store_true", help="overwrite --model if it exists")
    args = parser.parse_args(argv)
    if args.jobs == 0:
        parser.error("--jobs must not be 0 (use -1 for every core)")
    if args.max_iter < 1:
        parser.error("--max-iter must be at least 1")

    import warnings

    import joblib
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from pyimagesearch.errors import DatasetError, OutputExistsError
    from pyimagesearch.io import open_hdf5_dataset, read_label_names

    model_path = Path(args.model)
    if model_path.exists() and not args.force:
        raise OutputExistsError(
            f"--model {model_path} already exists; pass --force to overwrite it"
        )

    with open_hdf5_dataset(args.db, data_key="features") as db:
        i = split_index(db)
        class_names = read_label_names(db)
        if i < 3 or i == db["labels"].shape[0]:
            raise DatasetError(f"--db {args.db}: {db['labels'].shape[0]} rows are too few to split")
        # open the database and read the training rows, then the test rows
        train_x, train_y = db["features"][:i], db["labels"][:i]
        test_x, test_y = db["features"][i:], db["labels"][i:]
        extracted_with = {k: (v.item() if hasattr(v, "item") else v) for k, v in db.attrs.items()}

    with harness.Run(STUDY, args) as run:
        print(f"[INFO] {len(train_x)} training rows, {len(test_x)} test rows, "
              f"{train_x.shape[1]} features, {len(class_names)} classes")

        # define the set of parameters that we want to tune then start a
        # grid search where we evaluate our model for each value of C
        print("[INFO] tuning hyperparameters...")
        params = {"C": C_GRID}
        model = GridSearchCV(LogisticRegression(max_iter=args.max_iter), params, cv=3,
                             n_jobs=args.jobs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(train_x, train_y)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            print(f"[WARN] some fits did not converge in {args.max_iter} iterations "
                  "(raise --max-iter)")
        print(f"[INFO] best hyperparameters: {model.best_params_}")
        run.save_json("grid_search.json", {
            "best_params": model.best_params_,
            "best_cv_accuracy": float(model.best_score_),
            "mean_cv_accuracy": {str(c): float(s) for c, s in
                                 zip(C_GRID, model.cv_results_["mean_test_score"])},
            "features": extracted_with,
        })

        # evaluate the model
        print("[INFO] evaluating...")
        preds = model.predict(test_x)
        report = run.save_report(test_y, preds, class_names)

        # serialize the model to disk, with the class names
        print("[INFO] saving model...")
        model_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"model": model.best_estimator_, "label_names": class_names,
                     "db": str(args.db), "best_params": model.best_params_}, model_path)
        run.record(_data_name(args.db, extracted_with), "accuracy", report["accuracy"])
    return 0


def _data_name(db_path, attrs):
    """e.g. ``flowers17 (vgg16 features)``."""
    dataset = Path(str(attrs.get("dataset", db_path))).name
    network = attrs.get("model")
    return f"{dataset} ({network} features)" if network else dataset


if __name__ == "__main__":
    sys.exit(main())
