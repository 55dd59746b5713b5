"""Rank-1 and rank-5: DL4CV Practitioner Bundle ch. 4, `rank_accuracy.py` (2020-11-19-transfer-learning).

Step 3: rank-1 and rank-5 accuracy of the trained classifier.

Data: the HDF5 features file and its last 25% of rows (the test rows that
train_model.py held out).
Model: the logistic regression `train_model.py` saved (plain arrays: loading
it runs no code), checked against the class names of `--db`.
Recipe (the diary's): the predicted probabilities of every class, then
rank-1 (the true class has the highest probability) and rank-5 (it is among
the five highest) accuracy, with `pyimagesearch.utils.rank5_accuracy`.
Diary's result: rank-1 equals train_model.py's accuracy (0.89 on
Flowers-17); rank-5 was not recorded.

    python experiments/2020-11-19-transfer-learning/rank_accuracy.py --db features/flowers17_vgg16.hdf5 --model-path outputs/flowers17_vgg16_lr/classifier.npz
"""

import sys
from pathlib import Path

import numpy as np

from pyimagesearch import features, harness
from pyimagesearch.errors import DatasetError
from pyimagesearch.utils import rank5_accuracy

STUDY = "2020-11-19-transfer-learning"
TRAIN_FRACTION = 0.75  # the test rows are the last 25% (as train_model.py)


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, dataset=False)
    parser.add_argument("--db", required=True, help="HDF5 features file (extract_features.py)")
    parser.add_argument("--model-path", required=True,
                        help="the classifier train_model.py saved (.npz)")
    args = parser.parse_args(argv)

    # load the test rows: the last 25% of the database (checked: finite 2-D
    # features, labels among its class names)
    split = features.read_features(args.db, TRAIN_FRACTION)
    test_x, test_y, class_names = split.test_x, split.test_y, split.class_names
    dataset_name = Path(str(split.attrs.get("dataset", args.db))).name
    network = split.attrs.get("model")

    # load the classifier train_model.py saved (its classes must be --db's)
    saved = features.load_classifier(args.model_path, class_names)
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
        run.save("rank_accuracy.json", {"rank1": rank1, "rank5": rank5,
                                        "test_rows": len(test_x), "db": str(args.db)})
        data = f"{dataset_name} ({network} features)" if network else dataset_name
        run.record(data, "rank1", rank1)
        run.record(data, "rank5", rank5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
