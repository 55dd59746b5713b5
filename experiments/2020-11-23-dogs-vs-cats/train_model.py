"""Logistic regression on the Dogs vs. Cats features (2020-11-23-dogs-vs-cats, step 5).

Data: the HDF5 file `extract_features.py` wrote (`features`, `labels`,
`label_names`); its rows are shuffled, so the first 75% train and the last
25% test (the diary: 6,250 test images of 25,000).
Model and recipe: exactly the Flowers-17 study's `train_model.py`
(2020-11-19-transfer-learning; `pyimagesearch.studies.transfer`), under
this study's name: scikit-learn's
LogisticRegression, GridSearchCV over C in {0.1, 1, 10, 100, 1000, 10000},
3-fold; the best estimator is evaluated on the test rows and saved with the
class names (joblib). Its run folder keeps the classification report and
`grid_search.json`.
Diary's result: 0.99 accuracy with ResNet50 features.

    python experiments/2020-11-23-dogs-vs-cats/train_model.py \
        --db outputs/features/dogs_vs_cats_resnet50.hdf5 \
        --model outputs/features/dogs_vs_cats_resnet50.joblib --jobs 2
"""

import sys

from pyimagesearch import harness
from pyimagesearch.studies import dogsvscats, transfer


def data_name(db_path, attrs):
    """The name in results.csv: ``dogs_vs_cats (resnet50 features)``.

    (The Flowers-17 script names the data after the image folder, which
    for Kaggle's layout is just ``train``.)
    """
    network = attrs.get("model")
    return f"dogs_vs_cats ({network} features)" if network else "dogs_vs_cats"


@harness.entrypoint
def main(argv=None):
    # the Flowers-17 recipe, under this study's name (its run folder and its
    # line in outputs/results.csv), data name and --help
    return transfer.train_model_main(argv, study=dogsvscats.STUDY, description=__doc__,
                                     data_name=data_name)


if __name__ == "__main__":
    sys.exit(main())
