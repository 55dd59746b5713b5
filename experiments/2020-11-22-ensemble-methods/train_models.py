"""Train an ensemble of MiniVGGNets on CIFAR-10 (2020-11-22-ensemble-methods, 1 of 2).

Data: CIFAR-10, 32x32x3 RGB, 10 classes; pixels scaled to [0, 1], one-hot
labels. `--dataset cifar10` reads $DATASETS_DIR/cifar10 when present and
otherwise downloads through Keras; `--dataset PATH` reads a
{train,test}/<class>/*.png folder or the official cifar-10-batches-py folder.
Model: N MiniVGGNets, member i seeded with --seed + i (its weights, its
shuffling and its augmentation differ from the others').
Recipe (the diary's): each member trains on augmented batches (rotation 10
degrees, shift 0.1, horizontal flip: Keras preprocessing layers in the
tf.data pipeline, applied on the fly; the test images are never augmented),
SGD 0.01 with the Keras 2 per-iteration decay 0.01 / 40 (`keras2_decay`:
lr = 0.01 / (1 + decay * iteration)), momentum 0.9, Nesterov, batch 64, 40
epochs. Each member keeps its model, args.json (its seed), report, plot and
results row in `members/<i>/` of the run folder. `test_ensemble.py` then
averages the members' probabilities.
Resuming: run the same command (with the same --output) again after an
interruption: members that finished (their model.keras exists; it is
written last, under a temporary name, then renamed) are skipped, an
unfinished member is trained again from the start. A larger --num-models
adds members to a finished ensemble.
Diary's result: members 0.58-0.62 on the full CIFAR-10 (no ensemble figure).
Measured here: see this folder's README.md.

    python experiments/2020-11-22-ensemble-methods/train_models.py --dataset PATH/cifar10 --num-models 5 --output outputs/ensemble
    python experiments/2020-11-22-ensemble-methods/test_ensemble.py --dataset PATH/cifar10 --models outputs/ensemble
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

from pyimagesearch import harness
from pyimagesearch.errors import OutputExistsError

import ensemble_cifar10 as ensemble

STUDY = "2020-11-22-ensemble-methods"
# the settings every member of one ensemble must share
RECIPE = ("dataset", "epochs", "batch_size", "learning_rate", "decay", "seed",
          "deterministic", "mixed_precision")


def resumable(args):
    """True when --output holds an earlier run of this script with the same recipe.

    Raises:
        OutputExistsError: it holds an ensemble trained with other settings
            (its members would not belong together).
    """
    if not args.output:
        return False
    saved = Path(args.output) / "args.json"
    try:
        saved = json.loads(saved.read_text())
    except (OSError, ValueError):
        return False  # not a run folder of this script: the harness refuses a non-empty one
    if not isinstance(saved, dict) or saved.get("study") != STUDY:
        return False
    saved_args = saved.get("args")
    # an ensemble's own args.json (a member's folder has a "member" entry)
    if not isinstance(saved_args, dict) or "num_models" not in saved_args or "member" in saved_args:
        return False
    now = vars(args)
    differ = [f"--{k.replace('_', '-')} {saved_args.get(k)} there, {now.get(k)} now"
              for k in RECIPE if saved_args.get(k) != now.get(k)]
    if differ:
        raise OutputExistsError(
            f"--output {args.output} holds an ensemble trained with other settings "
            f"({'; '.join(differ)}); rerun it with the same settings or choose a new folder"
        )
    return True


def train_member(args, index, folder, data, data_name):
    """Train member `index` (seed --seed + index) into `folder`; return its test accuracy."""
    import keras

    from pyimagesearch.utils import predict_all
    from pyimagesearch.callbacks import LearningRateLogger
    from pyimagesearch.datasets import CIFAR10_CLASSES
    from pyimagesearch.nn.conv import MiniVGGNet
    from pyimagesearch.preprocessing import build_augmentation
    from pyimagesearch.utils.schedules import keras2_decay

    seed = args.seed + index
    member_args = argparse.Namespace(**{**vars(args), "seed": seed, "output": str(folder),
                                        "member": index})
    with harness.Run(STUDY, member_args) as member:  # seeds everything with seed
        member.save_json(ensemble.CLASS_NAMES, CIFAR10_CLASSES)

        # new random variants of the training images in every epoch
        augmentation = build_augmentation(rotation=10, shift=0.1, shear=0, zoom=0,
                                          horizontal_flip=True, seed=seed)
        train_data = member.dataset(data.train_x, data.train_y, shuffle=True,
                                    augmentation=augmentation)

        # SGD whose rate decays after every batch: lr0 / (1 + decay * iteration)
        print(f"[INFO] member {index}: compiling model (seed {seed})...")
        with member.strategy.scope():
            model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES))
            learning_rate = member.scaled_learning_rate(args.learning_rate)
            opt = keras.optimizers.SGD(learning_rate=keras2_decay(learning_rate, args.decay),
                                       momentum=0.9, nesterov=True)
            model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

        # train the network
        print(f"[INFO] member {index}: training network ({member.replicas} replica(s), "
              f"global batch {member.global_batch_size})...")
        history = model.fit(train_data, validation_data=member.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[LearningRateLogger()])

        # evaluate the network; the model is written last: once it exists the
        # member is finished
        predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
        report = member.save_report(data.test_y, predictions, CIFAR10_CLASSES)
        member.save_history(history, title=f"MiniVGGNet on CIFAR-10: member {index} (seed {seed})")
        member.record(f"{data_name} member {index}", "accuracy", report["accuracy"])
        member.save_model(model)
    return report["accuracy"]


def member_accuracy(folder):
    report = json.loads((Path(folder) / "classification_report.json").read_text())
    return float(report["accuracy"])


@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(
        __doc__, epochs=40, batch_size=64, dataset="cifar10",
        dataset_help="cifar10 (a local copy under $DATASETS_DIR, else Keras' download), "
        "a {train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
        "(default: cifar10)",
    )
    parser.add_argument("--num-models", type=harness.positive_int, default=5,
                        help="number of members (default 5)")
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.01,
                        help="SGD's initial learning rate (default 0.01)")
    parser.add_argument("--decay", type=harness.non_negative_float, default=None,
                        help="decay per iteration (default: learning rate / epochs, the "
                        "diary's 0.01 / 40)")
    args = parser.parse_args(argv)
    if args.decay is None:
        args.decay = args.learning_rate / args.epochs
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name

    with harness.Run(STUDY, args, resume=resumable(args)) as run:
        data = ensemble.load_data(source, verbose=args.verbose)
        learning_rate = run.scaled_learning_rate(args.learning_rate)  # the members' rate
        print(f"[INFO] {args.num_models} members, learning rate {learning_rate:g}, decay "
              f"{args.decay:g} per iteration; rerun with --output {run.output_dir} to resume")
        accuracies = {}
        for index in range(args.num_models):
            folder = ensemble.member_folder(run.output_dir, index)
            if ensemble.is_finished(folder):
                print(f"[INFO] member {index} already finished ({folder}): skipped")
                accuracies[index] = member_accuracy(folder)
                continue
            if folder.exists():
                # what an interrupted member left behind: it is trained again
                print(f"[INFO] member {index} did not finish: training it again")
                shutil.rmtree(folder)
            accuracies[index] = train_member(args, index, folder, data, data_name)

        # one line per member, and their mean in the run's results row
        for index, accuracy in accuracies.items():
            print(f"[INFO] member {index}: accuracy {accuracy:.4f}")
        run.save_json("members.json", {str(i): a for i, a in accuracies.items()})
        run.record(data_name, "member_mean_accuracy", sum(accuracies.values()) / len(accuracies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
