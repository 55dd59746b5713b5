"""The classification report of a saved MiniGoogLeNet (2020-12-06-minigooglenet).

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

import minigooglenet_cifar10 as body

STUDY = "2020-12-06-minigooglenet"


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(
        __doc__, dataset="cifar10",
        dataset_help="cifar10, a {train,test}/<class>/*.png folder, or a cifar-10-batches-py "
        "folder (default: cifar10)",
    )
    parser.add_argument("--model-path", required=True,
                        help="the saved model (model.keras)")
    parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=64,
                        help="prediction batch size (default 64)")
    args = parser.parse_args(argv)
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    from pyimagesearch.utils import predict_all
    from pyimagesearch.datasets import CIFAR10_CLASSES

    # the model, checked before anything is written
    print(f"[INFO] loading {args.model_path}...")
    model = body.load_model(args.model_path, len(CIFAR10_CLASSES))
    with harness.Run(STUDY, args) as run:
        data = body.load_data(source, verbose=args.verbose)

        # predict on the raw test pixels, and report (y_true first)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
        report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
        run.record(f"{data_name} report", "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
