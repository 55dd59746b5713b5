"""What the two ensemble scripts share: the members' folders, their models, their mean.

A run folder of `train_models.py` holds one folder per member,
``members/<i>/``, with its `model.keras`, `args.json` (its seed),
`class_names.json`, report, history, plot and `results.csv`. A member is
finished when its `model.keras` exists: the harness writes the model last,
under a temporary name that it then renames. `load_members(run_dir,
class_names)` loads them, `predict_members(models, x)` stacks their softmax
outputs and `average(...)` is the ensemble's prediction.
"""

import json
from pathlib import Path

import keras
import numpy as np
from matplotlib.figure import Figure

from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.utils import predict_all
from pyimagesearch.utils.plotting import save_figure

STUDY = "2020-11-22-ensemble-methods"
MEMBERS = "members"
MODEL = "model.keras"
CLASS_NAMES = "class_names.json"
DATASET_HELP = ("cifar10 (a local copy under $DATASETS_DIR, else Keras' download), a "
                "{train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
                "(default: cifar10)")


class MembersError(PyImageSearchError, ValueError):
    """An ensemble folder without members, or with members that do not agree."""


def member_folder(run_dir, index):
    """``<run_dir>/members/<index>``; the member is finished when its model file exists."""
    return Path(run_dir) / MEMBERS / str(index)


def finished_members(run_dir):
    """`[(index, folder), ...]` of the finished members, by index (`MembersError`: none)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise MembersError(f"--models {run_dir}: no such folder (an ensemble run folder "
                           f"made by train_models.py)")
    root = run_dir / MEMBERS
    found = sorted((int(p.name), p) for p in root.iterdir()
                   if p.is_dir() and p.name.isdigit()) if root.is_dir() else []
    for index, folder in found:
        if not (folder / MODEL).is_file():
            print(f"[WARNING] member {index} ({folder}) did not finish (no {MODEL}): left out")
    members = [(index, folder) for index, folder in found if (folder / MODEL).is_file()]
    if not members:
        raise MembersError(f"--models {run_dir} holds no finished member ({MEMBERS}/<i>/"
                           f"{MODEL}); train them with train_models.py --output {run_dir}")
    return members


def read_class_names(folder):
    """A member's class list (its `class_names.json`)."""
    path = Path(folder) / CLASS_NAMES
    try:
        names = json.loads(path.read_text())
    except (OSError, ValueError):
        raise MembersError(f"{path} is missing or not JSON: the member's class list is "
                           "unknown") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise MembersError(f"{path} does not hold a list of class names")
    return names


def load_members(run_dir, class_names):
    """`[(index, model), ...]` of every finished member; all must predict `class_names`.

    Raises:
        MembersError: no finished member; a member whose class list differs
            from the first member's or from `class_names`, or whose model
            does not load or has another number of outputs.
    """
    members = finished_members(run_dir)
    first_index, first_folder = members[0]
    first = read_class_names(first_folder)
    loaded = []
    for index, folder in members:
        names = read_class_names(folder)
        if names != first:
            raise MembersError(f"members {first_index} and {index} have different class lists "
                               f"({first} in {first_folder}, {names} in {folder}): they "
                               "cannot be averaged")
        print(f"[INFO] loading member {index}: {folder / MODEL}")
        try:
            model = keras.saving.load_model(folder / MODEL)
        except Exception as error:  # a corrupt or foreign file
            reason = " ".join(str(error).split())[:160]
            raise MembersError(f"{folder / MODEL} does not load as a Keras model "
                               f"({type(error).__name__}: {reason})") from None
        if model.output_shape[-1] != len(names):
            raise MembersError(f"{folder / MODEL} has {model.output_shape[-1]} outputs, but "
                               f"its class list names {len(names)} classes")
        loaded.append((index, model))
    if first != list(class_names):
        raise MembersError(f"the members predict the classes {first}, the data set has "
                           f"{list(class_names)}")
    return loaded


def predict_members(models, x, batch_size=64):
    """Every member's softmax probabilities: an array `(members, samples, classes)`."""
    return np.stack([np.asarray(predict_all(model, x, batch_size=batch_size), dtype=np.float64)
                     for model in models])


def average(probabilities):
    """The ensemble's prediction: the members' probabilities averaged, `(samples, classes)`."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 3 or len(probabilities) == 0:
        raise ValueError("`probabilities` must be (members, samples, classes) with at least "
                         f"one member. Received: shape {probabilities.shape}")
    return probabilities.mean(axis=0)


def accuracy_by_size(probabilities, y_true):
    """The accuracy of the ensemble of the first k members, for k = 1 .. members."""
    labels = np.asarray(y_true)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    running = np.cumsum(np.asarray(probabilities), axis=0)  # sum of the first k members
    return [float((running[k].argmax(axis=1) == labels).mean()) for k in range(len(running))]


def plot_accuracy_by_size(curve, member_accuracies, path, title=None):
    """The ensemble's accuracy against its size (`curve`), each member alone as a dot, to a PNG."""
    sizes = list(range(1, len(curve) + 1))
    fig = Figure(figsize=(6, 5))
    ax = fig.subplots()
    ax.plot(sizes, curve, marker="o", label="ensemble of the first k members")
    ax.scatter(sizes, member_accuracies, color="grey", zorder=3, label="member k alone")
    ax.axhline(max(member_accuracies), color="grey", linestyle="--", linewidth=1,
               label=f"best member ({max(member_accuracies):.4f})")
    ax.set(xticks=sizes, xlabel="members (k)", ylabel="test accuracy",
           title=title or "Ensemble accuracy by number of members")
    ax.grid(alpha=0.3)
    # below the axes, so that no point hides behind it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize="small")
    return save_figure(fig, path)
