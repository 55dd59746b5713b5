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

from pyimagesearch import harness
from pyimagesearch.studies import transfer

STUDY = "2020-11-19-transfer-learning"


@harness.entrypoint
def main(argv=None):
    # the whole recipe lives in pyimagesearch.studies.transfer: read the
    # features, grid-search C, report, save (the Dogs vs. Cats study shares it)
    return transfer.train_model_main(argv, study=STUDY, description=__doc__)


if __name__ == "__main__":
    sys.exit(main())
