"""Train an ensemble of MiniVGGNets: DL4CV Practitioner Bundle ch. 6, `train_models.py` (2020-11-22-ensemble-methods, 1 of 2).

Data: CIFAR-10 (32x32 RGB, 10 classes) scaled to [0, 1], one-hot labels.
Model: N MiniVGGNets, member i seeded with --seed + i (its weights, its
shuffling and its augmentation differ from the others').
Recipe (the diary's): augmented batches (rotation 10 degrees, shift 0.1,
horizontal flip, in the tf.data pipeline; test images never augmented), SGD
0.01 with the Keras 2 per-iteration decay 0.01 / 40 (`keras2_decay`: lr =
0.01 / (1 + decay * iteration)), momentum 0.9, Nesterov, batch 64, 40 epochs.
`--recipe fast`: MiniVGGNet's fast recipe (`train_decay.py --recipe fast`):
15 epochs, a one-epoch warm-up to 0.02 then a cosine to 0, label smoothing
0.1, weight decay 5e-4, flips only.
Each member keeps its model, args.json, report, plot and results row in
`members/<i>/`; `test_ensemble.py` averages them. The same command (same
--output) resumes: finished members are skipped, a killed one continues after
its last finished epoch; a larger --num-models adds members.
Diary's result: members 0.58-0.62 on the full CIFAR-10 (no ensemble figure).
Measured here: see this folder's README.md.

    python experiments/2020-11-22-ensemble-methods/train_models.py --dataset PATH/cifar10 --num-models 5 --output outputs/ensemble
    python experiments/2020-11-22-ensemble-methods/train_models.py --dataset PATH/cifar10 --recipe fast --output outputs/ensemble-fast
"""

import argparse
import collections
import json
import shutil
import sys
from pathlib import Path

import keras

from pyimagesearch import harness
from pyimagesearch.callbacks import LearningRateLogger
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10_for_training
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import keras2_decay

import config

# the recipes of every member: the diary's, and MiniVGGNet's fast one (train_decay.py)
Recipe = collections.namedtuple("Recipe", "epochs batch_size learning_rate label_smoothing "
                                          "warmup_epochs weight_decay rotation shift")
RECIPES = {
    "diary": Recipe(epochs=40, batch_size=64, learning_rate=0.01, label_smoothing=0.0,
                    warmup_epochs=0, weight_decay=0.0, rotation=10, shift=0.1),
    "fast": Recipe(epochs=15, batch_size=64, learning_rate=0.02, label_smoothing=0.1,
                   warmup_epochs=1, weight_decay=5e-4, rotation=0, shift=0.0),
}
NUM_MODELS = 5
# the settings every member of one ensemble must share
SHARED = ("dataset", "recipe", "epochs", "batch_size", "learning_rate", "decay", "seed",
          "deterministic", "mixed_precision")

parser = harness.study_parser(__doc__, dataset="cifar10", dataset_help=config.DATASET_HELP,
                              recipes=RECIPES, recipe_help="diary: per-iteration decay, "
                              "rotations, shifts and flips; fast: warm-up + cosine, label "
                              "smoothing, weight decay, flips, 15 epochs")
parser.add_argument("--num-models", type=harness.positive_int, default=NUM_MODELS,
                    help=f"number of members (default {NUM_MODELS})")
parser.add_argument("--decay", type=harness.non_negative_float, default=None,
                    help="decay per iteration (default: learning rate / epochs, the "
                    "diary's 0.01 / 40)")


def train_member(args, index, folder, data, data_name):
    """Train member `index` (seed --seed + index) into `folder`; return its test accuracy."""
    seed = args.seed + index
    backup = args.backup and str(Path(args.backup) / f"member-{index}")  # one per member
    member_args = argparse.Namespace(**{**vars(args), "seed": seed, "output": str(folder),
                                        "member": index, "backup": backup})
    with harness.Run(config.STUDY, member_args) as member:  # seeds everything with seed
        member.save(config.CLASS_NAMES, CIFAR10_CLASSES)
        # new random variants of the training images in every epoch
        recipe = RECIPES[args.recipe]
        augmentation = build_augmentation(rotation=recipe.rotation, shift=recipe.shift, shear=0,
                                          zoom=0, horizontal_flip=True, seed=seed)
        train = member.dataset(data.train_x, data.train_y, shuffle=True, augmentation=augmentation)

        # the optimizer (lr0 / (1 + decay * iteration), or warm-up + cosine) and model
        print(f"[INFO] member {index}: compiling model (seed {seed})...")
        schedule = (keras2_decay(member_args.learning_rate, args.decay) if args.recipe == "diary"
                    else harness.warmup_cosine(member_args.learning_rate, len(train),
                                               args.epochs, recipe.warmup_epochs))
        opt = keras.optimizers.SGD(learning_rate=schedule, momentum=0.9, nesterov=True,
                                   weight_decay=recipe.weight_decay or None)
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES))
        model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])

        # train the network
        print(f"[INFO] member {index}: training network...")
        history = model.fit(train, validation_data=member.dataset(data.test_x, data.test_y),
                            epochs=args.epochs, shuffle=False, verbose=args.verbose,
                            callbacks=[LearningRateLogger(), *member.callbacks(tensorboard=False)])

        # evaluate the network; the model is written last: once it exists the member is finished
        member.save_history(history, title=f"MiniVGGNet on CIFAR-10: member {index} (seed {seed})")
        report = member.evaluate(model, data.test_x, data.test_y, CIFAR10_CLASSES,
                                 batch_size=args.batch_size, data=f"{data_name} member {index}")
        member.save_model(model)
    return report["accuracy"]


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    if args.recipe != "diary" and args.decay is not None:
        raise PyImageSearchError("--decay is for --recipe diary; --recipe fast follows its own "
                                 "schedule")
    if args.recipe == "diary" and args.decay is None:
        args.decay = args.learning_rate / args.epochs
    source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
    data_name = source if isinstance(source, str) else source.name
    members = argparse.Namespace(**vars(args))  # each member's Run scales its own rate

    resume = harness.continues(args, config.STUDY, SHARED, has="num_models", lacks=("member",))
    with harness.Run(config.STUDY, args, resume=resume) as run:
        data = load_cifar10_for_training(source, scale=True, verbose=args.verbose)
        run.count_images(train=len(data.train_x), test=len(data.test_x),
                         note=f"{args.num_models} members, {args.recipe} recipe, learning rate "
                         f"{args.learning_rate:g}; rerun with --output {run.output_dir} to resume")
        accuracies = {}
        for index in range(args.num_models):
            folder = config.member_folder(run.output_dir, index)
            killed = (folder / harness.INCOMPLETE_MARK).exists()  # resumes at its backup
            if (folder / config.MODEL).is_file() and not killed:
                print(f"[INFO] member {index} already finished ({folder}): skipped")
                report = json.loads((folder / "classification_report.json").read_text())
                accuracies[index] = float(report["accuracy"])
                continue
            if killed or folder.exists():
                print(f"[INFO] member {index} did not finish: "
                      f"{'resuming it' if killed else 'training it again'}")
            if folder.exists() and not killed:  # no run to continue: trained again
                shutil.rmtree(folder)
            accuracies[index] = train_member(members, index, folder, data, data_name)

        # one line per member, and their mean in the run's results row
        print("\n".join(f"[INFO] member {i}: accuracy {a:.4f}" for i, a in accuracies.items()))
        run.save("members.json", {str(i): a for i, a in accuracies.items()})
        run.record(data_name, "member_mean_accuracy", sum(accuracies.values()) / len(accuracies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
