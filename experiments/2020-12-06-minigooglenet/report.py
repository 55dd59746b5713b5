"""The report of a saved MiniGoogLeNet: DL4CV Practitioner Bundle ch. 11, `googlenet_cifar10.py`'s evaluation (2020-12-06-minigooglenet).

Reloads the `model.keras` that `train.py` saved and writes scikit-learn's
classification report on the CIFAR-10 test split (y_true first, then the
predictions: the 2020 code had them swapped), its JSON form, and the
accuracy in `results.csv`. The model takes raw pixels: it subtracts the
training mean image itself.
Data: `--dataset` as in `train.py`.

    python experiments/2020-12-06-minigooglenet/report.py --dataset PATH/cifar10 --model-path outputs/2020-12-06-minigooglenet/<run>/model.keras
"""

import sys

from pyimagesearch import harness
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.utils import predict_all

import config

BATCH_SIZE = 64  # for prediction

parser = harness.study_parser(__doc__, dataset="cifar10", dataset_help=config.DATASET_HELP)
parser.add_argument("--model-path", required=True, help="the saved model (model.keras)")
parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=BATCH_SIZE,
                    help=f"prediction batch size (default {BATCH_SIZE})")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    # the model, checked before anything is written
    print(f"[INFO] loading {args.model_path}...")
    model = config.load_model(args.model_path, len(CIFAR10_CLASSES))
    with harness.Run(config.STUDY, args) as run:
        # raw pixels: the model subtracts the training mean image itself
        data = load_cifar10_for_training(source, scale=False, verbose=args.verbose)

        # predict on the raw test pixels, and report (y_true first)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
        report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
        run.record(f"{data_name} report", "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
