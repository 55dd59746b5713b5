"""Benchmark: time to the diary's accuracy, the diary's recipe vs the fast one, on CIFAR-10.

Two studies, each trained by its own script in this process, side after
side, on the same data and the same machine:

- ``--study minivggnet`` (`experiments/2020-11-12-minivggnet/train_decay.py`):
  ``diary`` (SGD 0.01, Nesterov momentum 0.9, lr = 0.01 / (1 + 0.00025 *
  iteration), batch 64, 40 epochs, float32), ``fast-mixed`` (`--recipe fast`:
  the same network, a warm-up to 0.02 then a cosine to 0, label smoothing
  0.1, weight decay 5e-4, flips, 15 epochs, with `--mixed-precision`) and
  ``fast`` (the fast recipe in float32). The target is the diary side's
  final test accuracy; each side's time to it is the training time at the
  end of the first epoch whose test accuracy reaches it.
- ``--study minigooglenet`` (`experiments/2020-12-06-minigooglenet/train.py`):
  ``diary`` (lr0 5e-3, power 2, 70 epochs) and ``fast`` (`--recipe fast`:
  a warm-up to 0.05 then a cosine to 0, label smoothing 0.1, weight decay
  5e-4, 16 epochs). The 70-epoch side takes hours on two CPU cores, so by
  default it comes from its recorded run (`bench/reference/`: its test
  accuracy, the target, and its epochs) and only `--diary-epochs` (2) of
  its epochs are trained here, to time one epoch of that recipe on this
  machine, now: the diary side's time is its whole training, the recorded
  epochs timed as the first epoch measured here (it traces the graph) plus
  the others' mean for each further epoch.

`timing.json` of each run keeps the training seconds of each epoch (the
validation pass excluded) and their CPU seconds; CPU seconds are reported
beside wall seconds (other processes on the cores inflate wall time much
more). `--reuse SIDE=RUN` takes a side from a finished run folder of the
same script instead of training it (the report says when it ran). Goal:
fast / diary <= 0.25. The result goes to
``outputs/bench/time_to_accuracy[_minigooglenet].json`` and a plot of test
accuracy against training seconds, one line per side, beside it (`--figure`
also copies it, e.g. into a study's figures/).

    python bench/bench_time_to_accuracy.py --dataset $DATASETS_DIR/cifar10
    python bench/bench_time_to_accuracy.py --dataset $DATASETS_DIR/cifar10 --diary-epochs 10
    python bench/bench_time_to_accuracy.py --study minigooglenet --dataset $DATASETS_DIR/cifar10
    python bench/bench_time_to_accuracy.py --study minigooglenet --reuse fast=outputs/RUN
"""

import argparse
import collections
import datetime
import json
import os
import runpy
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench.common`, `pyimagesearch`
GOAL = 0.25  # the fast recipe's time to the target / the diary's
RESULTS = ROOT / "outputs" / "bench"

Study = collections.namedtuple("Study", "folder script title sides diary_epochs diary_flags "
                                        "reference result")
STUDIES = {
    "minivggnet": Study(
        "2020-11-12-minivggnet", "train_decay.py", "MiniVGGNet",
        {"diary": ["--recipe", "diary"], "fast-mixed": ["--recipe", "fast", "--mixed-precision"],
         "fast": ["--recipe", "fast"]},
        40, lambda n: ["--epochs", str(n), "--decay", str(0.01 / 40)],  # the 40-epoch decay
        None, "time_to_accuracy.json"),
    "minigooglenet": Study(
        "2020-12-06-minigooglenet", "train.py", "MiniGoogLeNet",
        {"diary": ["--recipe", "diary"], "fast": ["--recipe", "fast"]},
        2, lambda n: ["--epochs", str(n)],
        ROOT / "bench" / "reference" / "minigooglenet_diary_70_epochs.json",
        "time_to_accuracy_minigooglenet.json"),
}
RESULT = RESULTS / STUDIES["minivggnet"].result  # what `python -m bench --quick` shows


def first_reaching(timing, target):
    """(epoch, wall s, CPU s) at the end of the first epoch whose accuracy >= target."""
    for epoch, accuracy in enumerate(timing["val_accuracy"]):
        if accuracy >= target - 1e-9:
            return (epoch + 1, timing["train_seconds_total"][epoch],
                    timing["train_cpu_seconds_total"][epoch])
    return None


def whole_training(seconds, epochs):
    """`epochs` epochs' time from some timed ones: the first (it traces) + the others' mean."""
    rest = seconds[1:] or seconds
    return seconds[0] + (epochs - 1) * sum(rest) / len(rest)


def read_side(folder):
    """A side's timing from its run folder: `timing.json`, its precision and start."""
    folder = Path(folder)
    timing = json.loads((folder / "timing.json").read_text())
    args = json.loads((folder / "args.json").read_text())
    timing.update(precision=args["precision"], started=args["started"], folder=str(folder))
    return timing


def run_side(study, args, side, folder, extra):
    """Train `side` through the study script's `main`; its timing."""
    argv = ["--dataset", str(args.dataset), "--verbose", str(args.verbose), "--seed",
            str(args.seed), "--output", str(folder), *study.sides[side], *extra]
    print(f"[INFO] {side}: {study.script} {' '.join(argv)}", flush=True)
    sys.path.insert(0, str(ROOT / "experiments" / study.folder))  # its config.py, as `python`
    try:
        main = runpy.run_path(str(ROOT / "experiments" / study.folder / study.script),
                              run_name=f"bench_{study.folder}")["main"]
        assert main(argv) == 0
    finally:
        sys.path.remove(str(ROOT / "experiments" / study.folder))
        sys.modules.pop("config", None)  # the next study's config.py is another module
    return read_side(folder)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", choices=sorted(STUDIES), default="minivggnet")
    parser.add_argument("--dataset", default="cifar10",
                        help="CIFAR-10 folder, or cifar10 ($DATASETS_DIR's copy)")
    parser.add_argument("--sides", default=None,
                        help="comma-separated, diary first (default: all the study's)")
    parser.add_argument("--diary-epochs", type=int, default=None,
                        help="epochs of the diary side trained here (default: 40 for "
                        "minivggnet; 2 for minigooglenet, timed against its recorded run)")
    parser.add_argument("--fast-epochs", type=int, default=None,
                        help="epochs of the fast sides (default: the recipe's)")
    parser.add_argument("--reuse", action="append", default=[], metavar="SIDE=RUN",
                        help="take SIDE from the finished run folder RUN (not trained here)")
    parser.add_argument("--no-reference", action="store_true",
                        help="minigooglenet: the target is the diary side trained here")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    parser.add_argument("--output", default=None, help="folder of the runs (default: "
                        "outputs/bench/time_to_accuracy/<study>-<date>)")
    parser.add_argument("--json", default=None, help="the result file (default: "
                        "outputs/bench/time_to_accuracy[_<study>].json)")
    parser.add_argument("--figure", default=None, help="also copy the plot here")
    args = parser.parse_args(argv)
    study = STUDIES[args.study]
    args.sides = [s.strip() for s in (args.sides or ",".join(study.sides)).split(",")]
    if args.sides[0] != "diary" or len(args.sides) < 2 or set(args.sides) - set(study.sides):
        parser.error(f"--sides: diary, then one or more of {', '.join(list(study.sides)[1:])}")
    args.reuse = dict(item.split("=", 1) for item in args.reuse if "=" in item)
    if set(args.reuse) - set(args.sides):
        parser.error(f"--reuse: sides are {', '.join(args.sides)}")
    args.diary_epochs = args.diary_epochs or study.diary_epochs
    if args.diary_epochs < 1 or (args.fast_epochs is not None and args.fast_epochs < 1):
        parser.error("--diary-epochs and --fast-epochs must be at least 1")
    return args, study


def measure(argv=None):
    """Run (or reuse) the sides; return their timings, the target and each side's time to it."""
    args, study = parse(argv)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(args.output or RESULTS / "time_to_accuracy" / f"{args.study}-{stamp}")
    reference = (None if args.no_reference or study.reference is None
                 else json.loads(study.reference.read_text()))
    result = {"study": args.study, "title": study.title,
              "started": datetime.datetime.now().isoformat(timespec="seconds"),
              "folder": str(folder), "diary_epochs": args.diary_epochs,
              "cpu_count": os.cpu_count(), "reference": reference, "sides": {}}
    for side in args.sides:
        extra = (study.diary_flags(args.diary_epochs) if side == "diary" else
                 [] if args.fast_epochs is None else ["--epochs", str(args.fast_epochs)])
        result["sides"][side] = (read_side(args.reuse[side]) if side in args.reuse
                                 else run_side(study, args, side, folder / side, extra))
    diary = result["sides"]["diary"]
    if reference:  # the recorded run's accuracy; its whole training, timed per epoch here
        result["target"] = target = reference["test_accuracy"]
        diary["reached"] = (reference["epochs"],
                            *(whole_training(diary[k], reference["epochs"])
                              for k in ("train_seconds", "train_cpu_seconds")))
    else:
        result["target"] = target = diary["val_accuracy"][-1]
        diary["reached"] = first_reaching(diary, target)
    for side, timing in result["sides"].items():
        if side != "diary":
            timing["reached"] = first_reaching(timing, target)
    result["load_average"] = os.getloadavg()
    path = Path(args.json or RESULTS / study.result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    result["figure"] = str(plot(result, path.with_suffix(".png")))
    if args.figure:
        shutil.copyfile(result["figure"], args.figure)
    return result


def plot(result, path):
    """Test accuracy against training seconds, one line per side, the target dashed."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    for side, timing in result["sides"].items():
        if side == "diary" and result.get("reference"):
            epochs, seconds, _ = timing["reached"]
            ax.plot([seconds], [result["target"]], "s", color="black",
                    label=f"diary, {epochs} epochs (recorded run; {epochs} x this run's epoch time)")
            continue
        ax.plot(timing["train_seconds_total"], timing["val_accuracy"], marker=".",
                label=f"{side} ({timing['precision']})")
    ax.axhline(result["target"], color="grey", linestyle="--", linewidth=1,
               label=f"target {result['target']:.4f}")
    ax.set(xlabel="training seconds (validation excluded)", ylabel="test accuracy",
           title=f"{result['title']} on the CIFAR-10 subset: time to the diary's accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def ratios(result, side):
    """(wall ratio, CPU ratio) of `side` / diary, or (None, None) if it never got there."""
    diary, fast = result["sides"]["diary"]["reached"], result["sides"][side]["reached"]
    if fast is None or diary is None:
        return None, None
    return fast[1] / diary[1], fast[2] / diary[2]


def describe_target(result):
    ref = result.get("reference")
    if ref:
        return (f"the recorded {ref['epochs']}-epoch diary run's test accuracy {ref['test_accuracy']:.4f} "
                f"({ref['ran']}); its training time = {ref['epochs']} x the mean of "
                f"{result['diary_epochs']} diary epochs timed in this run")
    return (f"the diary recipe's final test accuracy after {result['diary_epochs']} epochs "
            f"= {result['target']:.4f}")


def report(result):
    print(f"target: {describe_target(result)}")
    for side, timing in result["sides"].items():
        curve = ", ".join(f"{a:.3f}" for a in timing["val_accuracy"])
        print(f"{side} ({timing['precision']}, run {timing['started']}): test accuracy per "
              f"epoch [{curve}]; {timing['train_seconds_total'][-1]:.0f} s of training")
        reached = timing["reached"]
        print(f"  reached {result['target']:.4f} at epoch {reached[0]}: {reached[1]:.0f} s wall, "
              f"{reached[2]:.0f} s CPU" if reached else f"  never reached {result['target']:.4f}")
        if side != "diary":
            wall, cpu = ratios(result, side)
            print(f"  ratio: did not reach the target (goal <= {GOAL}) FAIL" if wall is None else
                  f"  ratio {side} / diary: {wall:.3f} wall, {cpu:.3f} CPU (goal <= {GOAL}) "
                  f"{'PASS' if wall <= GOAL else 'FAIL'}")
    print(f"[INFO] plot: {result['figure']}")


def main(argv=None):
    report(measure(argv))
    return 0


def rows(result, note=""):
    """One row per fast side: its time to the target / the diary's."""
    from bench.common import Row, ratio_row

    out = []
    diary = result["sides"]["diary"]["reached"]
    for side, timing in result["sides"].items():
        if side == "diary":
            continue
        name = f"time to the diary's accuracy ({result.get('title', 'MiniVGGNet')}, CIFAR-10 subset)"
        measure = f"{side} ({timing['precision']}) / diary (float32), training seconds"
        wall, cpu = ratios(result, side)
        if wall is None:
            out.append(Row(name, measure, "not reached", f"<= {GOAL}", False,
                           f"target {result['target']:.4f}: never reached in "
                           f"{len(timing['val_accuracy'])} epochs{note}"))
            continue
        fast = timing["reached"]
        detail = (f"target: {describe_target(result)}: diary {diary[0]} epochs at {diary[1]:.0f} "
                  f"s, {side} epoch {fast[0]} at {fast[1]:.0f} s; CPU-seconds ratio {cpu:.3f}{note}")
        out.append(ratio_row(name, measure, wall, GOAL, detail, unit="", higher=False))
    return out


def suite(quick=False, tiny=False):
    """Full suite: run it (the diary sides are long). --quick: the last results, if any."""
    from bench.common import skipped_row

    out = []
    for name, study in STUDIES.items():
        path = RESULTS / study.result
        if quick or tiny:
            if path.exists():
                result = json.loads(path.read_text())
                out += rows(result, f"; the run of {result['started']} "
                                    "(bench_time_to_accuracy.py, not re-run here)")
            else:
                out.append(skipped_row(f"time to the diary's accuracy ({study.title})",
                                       "fast / diary", "not run by --quick; run bench/"
                                       f"bench_time_to_accuracy.py --study {name}"))
            continue
        result = measure(["--study", name])
        report(result)
        out += rows(result)
    return out


if __name__ == "__main__":
    sys.exit(main())
