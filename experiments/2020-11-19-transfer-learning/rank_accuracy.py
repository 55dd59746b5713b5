"""Rank-1 and rank-5 accuracy of the trained classifier (2020-11-19-transfer-learning, step 3).

Data: the HDF5 features file and its last 25% of rows (the test rows that
train_model.py held out).
Model: the logistic regression `train_model.py` saved (joblib). A joblib
file runs code when it is loaded: only a file written by `train_model.py`
(checked through the signed ``.json`` beside it) is opened; never load a
classifier from a source you do not trust.
Recipe (the diary's): the predicted probabilities of every class, then
rank-1 (the true class has the highest probability) and rank-5 (it is among
the five highest) accuracy, with `pyimagesearch.utils.rank5_accuracy`.
Diary's result: rank-1 equals train_model.py's accuracy (0.89 on
Flowers-17); rank-5 was not recorded.

    python experiments/2020-11-19-transfer-learning/rank_accuracy.py --db features/flowers17_vgg16.hdf5 --model-path outputs/flowers17_vgg16_lr/classifier.joblib
"""

import sys
from pathlib import Path

from pyimagesearch import harness

STUDY = "2020-11-19-transfer-learning"


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, dataset=False)
    parser.add_argument("--db", required=True, help="HDF5 features file (extract_features.py)")
    parser.add_argument("--model-path", required=True,
                        help="the classifier train_model.py saved (.joblib)")
    args = parser.parse_args(argv)

    import numpy as np

    from pyimagesearch import features
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.io import open_hdf5_dataset, read_label_names
    from pyimagesearch.utils import rank5_accuracy

    # load the test rows: the last 25% of the database
    with open_hdf5_dataset(args.db, data_key="features") as db:
        i = int(db["labels"].shape[0] * 0.75)
        class_names = read_label_names(db)
        test_x, test_y = db["features"][i:], db["labels"][i:]
        dataset_name = Path(str(db.attrs.get("dataset", args.db))).name
        network = db.attrs.get("model")
    if len(test_x) == 0:
        raise DatasetError(f"--db {args.db}: no test rows (it holds {i} rows)")

    # the classifier: a joblib file runs code when loaded, so only a file
    # train_model.py wrote (its signed sidecar is checked first) is opened
    saved = features.load_classifier(args.model_path, class_names, flag="--model-path")
    model = saved["model"]
    if test_x.shape[1] != model.coef_.shape[1]:
        raise DatasetError(f"--model-path expects {model.coef_.shape[1]} features but --db holds "
                           f"{test_x.shape[1]}")

    with harness.Run(STUDY, args) as run:
        # make predictions on the testing set; predict_proba's columns are the
        # classes the model saw in training: put them at their label index
        print("[INFO] predicting...")
        proba = model.predict_proba(test_x)
        preds = np.zeros((len(test_x), len(class_names)), dtype="float64")
        preds[:, model.classes_] = proba

        # compute the rank-1 and rank-5 accuracies
        (rank1, rank5) = rank5_accuracy(preds, test_y)
        print(f"[INFO] rank-1: {rank1 * 100:.2f}%")
        print(f"[INFO] rank-5: {rank5 * 100:.2f}%")
        run.save_json("rank_accuracy.json", {"rank1": rank1, "rank5": rank5,
                                             "test_rows": len(test_x), "db": str(args.db)})
        data = f"{dataset_name} ({network} features)" if network else dataset_name
        run.record(data, "rank1", rank1)
        run.record(data, "rank5", rank5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
