"""Evaluate an ensemble of MiniVGGNets: DL4CV Practitioner Bundle ch. 6, `test_ensemble.py` (2020-11-22-ensemble-methods, 2 of 2).

Data: the CIFAR-10 test split, prepared as in training (pixels scaled to
[0, 1]); `--dataset` as in `train_models.py`.
Model: every finished member of `--models RUN_DIR` (the run folder of
`train_models.py`: `members/<i>/model.keras`); all members must share one
class list (their `class_names.json`), the data set's.
Recipe (the diary's): the ensemble's prediction is the mean of the members'
softmax probabilities; its class is the argmax of that mean.
Outputs: each member's accuracy, the ensemble's accuracy, its
classification report, `confusion_matrix.png`, and
`accuracy_by_members.png` / `members.json`: the accuracy of the ensemble of
the first k members for k = 1 .. N (the figure the diary never recorded).
Diary's result: members 0.58-0.62 on the full CIFAR-10; no ensemble figure.
Measured here: see this folder's README.md.

    python experiments/2020-11-22-ensemble-methods/test_ensemble.py --dataset PATH/cifar10 --models outputs/ensemble
"""

import sys

from pyimagesearch import harness
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.utils import plot_confusion_matrix

import config

BATCH_SIZE = 64  # for prediction

parser = harness.study_parser(__doc__, dataset="cifar10", dataset_help=config.DATASET_HELP)
parser.add_argument("--models", required=True,
                    help="the ensemble's run folder (train_models.py's --output): "
                    "members/<i>/model.keras")
parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=BATCH_SIZE,
                    help=f"prediction batch size (default {BATCH_SIZE})")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    # the members, checked before anything is written
    members = config.load_members(args.models, CIFAR10_CLASSES)
    indices = [index for index, _ in members]
    with harness.Run(config.STUDY, args) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)

        # every member's probabilities, and their mean: the ensemble
        print(f"[INFO] predicting with {len(members)} members...")
        probabilities = config.predict_members([m for _, m in members], data.test_x,
                                               batch_size=args.batch_size)
        averaged = config.average(probabilities)
        labels = data.test_y.argmax(axis=1)
        accuracies = [float((p.argmax(axis=1) == labels).mean()) for p in probabilities]
        curve = config.accuracy_by_size(probabilities, data.test_y)

        # the ensemble's report, its confusion matrix and its growth curve
        report = run.save_report(data.test_y, averaged, CIFAR10_CLASSES)
        plot_confusion_matrix(data.test_y, averaged, CIFAR10_CLASSES,
                              run.path("confusion_matrix.png"),
                              title=f"Ensemble of {len(members)} MiniVGGNets on CIFAR-10")
        config.plot_accuracy_by_size(curve, accuracies, run.path("accuracy_by_members.png"))
        run.save("members.json", {
            "members": {str(i): a for i, a in zip(indices, accuracies)},
            "ensemble_accuracy_by_members": {str(k): a for k, a in enumerate(curve, 1)},
            "ensemble_accuracy": report["accuracy"],
        })
        for index, accuracy in zip(indices, accuracies):
            run.record(f"{data_name} member {index}", "accuracy", accuracy)
        for k, accuracy in enumerate(curve, 1):
            print(f"[INFO] ensemble of the first {k} members: {accuracy:.4f}")
        run.record(f"{data_name} ensemble of {len(members)}", "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
