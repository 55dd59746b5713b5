"""Benchmark: time to the diary's accuracy, MiniVGGNet on CIFAR-10, diary recipe vs fast recipe.

Every side runs `experiments/2020-11-12-minivggnet/train_decay.py` in this
process, one after the other, on the same data and the same machine:

- ``diary``: the diary's recipe (`--recipe diary`): SGD 0.01, Nesterov
  momentum 0.9, lr = 0.01 / (1 + 0.00025 * iteration), batch 64, 40 epochs,
  float32;
- ``fast-mixed``: the fast recipe (`--recipe fast`: the same network; a
  linear warm-up to 0.02 then a cosine decay to 0, label smoothing 0.1,
  weight decay 5e-4, random flips, 15 epochs) with `--mixed-precision`
  (mixed_bfloat16 on CPUs, mixed_float16 on GPUs);
- ``fast``: the fast recipe in float32 (what the recipe gives without the
  faster arithmetic).

Every epoch ends with the test accuracy (the study's `validation_data`),
and `timing.json` of each run keeps the training seconds of each epoch
(the validation pass excluded) and their CPU seconds. The target is the
diary side's final test accuracy; each side's time to it is the training
time at the end of the first epoch whose test accuracy reaches it.
Goal: fast / diary <= 0.25.

The diary side is the long one (40 epochs, ~20-60 min on 2 CPU cores).
`--diary-epochs N` cuts it short for a trial: its decay stays the 40-epoch
recipe's (0.01 / 40 per iteration), so its first N epochs are those of the
full run, and the target becomes its accuracy after N epochs. The CPU
seconds are reported beside the wall seconds: when other processes share
the cores, wall time inflates and CPU time much less.

    python bench/bench_time_to_accuracy.py --dataset ../shared/data/cifar10
    python bench/bench_time_to_accuracy.py --dataset ../shared/data/cifar10 --diary-epochs 10
    python bench/bench_time_to_accuracy.py --dataset ../shared/data/cifar10 --sides diary,fast-mixed
"""

import argparse
import datetime
import importlib.util
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench.common`, `pyimagesearch`
STUDY_DIR = ROOT / "experiments" / "2020-11-12-minivggnet"
GOAL = 0.25  # the fast recipe's time to the target / the diary's
DIARY_DECAY = 0.01 / 40  # the diary's decay per iteration (learning rate / 40 epochs)
RESULT = ROOT / "outputs" / "bench" / "time_to_accuracy.json"


def load_train_decay():
    """The study script as a module (its folder first on sys.path, as `python` does)."""
    sys.path.insert(0, str(STUDY_DIR))
    spec = importlib.util.spec_from_file_location("train_decay", STUDY_DIR / "train_decay.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_reaching(timing, target):
    """(epoch, wall s, CPU s) at the end of the first epoch whose accuracy >= target."""
    for epoch, accuracy in enumerate(timing["val_accuracy"]):
        if accuracy >= target - 1e-9:
            return (epoch + 1, timing["train_seconds_total"][epoch],
                    timing["train_cpu_seconds_total"][epoch])
    return None


SIDES = {"diary": ("diary", []), "fast-mixed": ("fast", ["--mixed-precision"]),
         "fast": ("fast", [])}


def sides(text):
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    if not chosen or chosen[0] != "diary" or set(chosen) - set(SIDES) or len(chosen) < 2:
        raise argparse.ArgumentTypeError(
            f"expected diary then one or more of fast-mixed, fast; got {text!r}")
    return chosen


def run_side(module, args, side, folder, extra):
    recipe, flags = SIDES[side]
    argv = ["--dataset", str(args.dataset), "--recipe", recipe, "--verbose", str(args.verbose),
            "--seed", str(args.seed), "--output", str(folder), *flags, *extra]
    print(f"[INFO] {side}: train_decay.py {' '.join(argv)}", flush=True)
    assert module.main(argv) == 0
    timing = json.loads((folder / "timing.json").read_text())
    timing["precision"] = json.loads((folder / "args.json").read_text())["precision"]
    return timing


def measure(argv=None):
    """Run the sides; return their timings, the target and each side's time to it."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="cifar10",
                        help="CIFAR-10 folder, or cifar10 ($DATASETS_DIR's copy)")
    parser.add_argument("--sides", type=sides, default=["diary", "fast-mixed", "fast"],
                        help="diary, then fast-mixed and/or fast (default: all three)")
    parser.add_argument("--diary-epochs", type=int, default=40,
                        help="epochs of the diary side (default 40, the diary's)")
    parser.add_argument("--fast-epochs", type=int, default=None,
                        help="epochs of the fast sides (default: the recipe's)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    parser.add_argument("--output", default=None,
                        help="folder of the runs (default: outputs/bench/time_to_accuracy/"
                        "<date>)")
    parser.add_argument("--json", default=str(RESULT), help=f"the result file (default {RESULT})")
    args = parser.parse_args(argv)
    if args.diary_epochs < 1 or (args.fast_epochs is not None and args.fast_epochs < 1):
        parser.error("--diary-epochs and --fast-epochs must be at least 1")

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(args.output or ROOT / "outputs" / "bench" / "time_to_accuracy" / stamp)
    module = load_train_decay()
    result = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
              "folder": str(folder), "diary_epochs": args.diary_epochs,
              "cpu_count": os.cpu_count(), "sides": {}}
    for side in args.sides:
        extra = (["--epochs", str(args.diary_epochs), "--decay", str(DIARY_DECAY)]
                 if side == "diary" else
                 ([] if args.fast_epochs is None else ["--epochs", str(args.fast_epochs)]))
        result["sides"][side] = run_side(module, args, side, folder / side, extra)
    result["target"] = target = result["sides"]["diary"]["val_accuracy"][-1]
    for timing in result["sides"].values():
        timing["reached"] = first_reaching(timing, target)
    result["load_average"] = os.getloadavg()
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return result


def ratios(result, side):
    """(wall ratio, CPU ratio) of `side` / diary, or (None, None) if it never got there."""
    diary, fast = result["sides"]["diary"]["reached"], result["sides"][side]["reached"]
    if fast is None:
        return None, None
    return fast[1] / diary[1], fast[2] / diary[2]


def report(result):
    target = result["target"]
    print(f"target: the diary recipe's final test accuracy after {result['diary_epochs']} "
          f"epochs = {target:.4f}")
    for side, timing in result["sides"].items():
        curve = ", ".join(f"{a:.3f}" for a in timing["val_accuracy"])
        print(f"{side} ({timing['precision']}): test accuracy per epoch [{curve}]; "
              f"{timing['train_seconds_total'][-1]:.0f} s of training in all")
        reached = timing["reached"]
        if reached:
            print(f"  first reached {target:.4f} at epoch {reached[0]}: "
                  f"{reached[1]:.0f} s wall, {reached[2]:.0f} s CPU")
        else:
            print(f"  never reached {target:.4f}")
        if side == "diary":
            continue
        wall, cpu = ratios(result, side)
        if wall is None:
            print(f"  ratio: did not reach the target (goal <= {GOAL}) FAIL")
        else:
            print(f"  ratio {side} / diary: {wall:.3f} wall, {cpu:.3f} CPU (goal <= {GOAL}) "
                  f"{'PASS' if wall <= GOAL else 'FAIL'}")


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
        name = "time to the diary's accuracy (MiniVGGNet, CIFAR-10 subset)"
        measure = f"{side} ({timing['precision']}) / diary (float32), training seconds"
        wall, cpu = ratios(result, side)
        if wall is None:
            out.append(Row(name, measure, "not reached", f"<= {GOAL}", False,
                           f"target {result['target']:.4f}: never reached in "
                           f"{len(timing['val_accuracy'])} epochs{note}"))
            continue
        fast = timing["reached"]
        detail = (f"target {result['target']:.4f} (diary, {result['diary_epochs']} epochs): "
                  f"diary epoch {diary[0]} at {diary[1]:.0f} s, {side} epoch {fast[0]} at "
                  f"{fast[1]:.0f} s; CPU-seconds ratio {cpu:.3f}{note}")
        out.append(ratio_row(name, measure, wall, GOAL, detail, unit="", higher=False))
    return out


def suite(quick=False, tiny=False):
    """Full suite: run it (the 40-epoch diary side is long). --quick: the last result, if any."""
    from bench.common import skipped_row

    if quick or tiny:
        if RESULT.exists():
            result = json.loads(RESULT.read_text())
            return rows(result, f"; the run of {result['started']} "
                                "(bench_time_to_accuracy.py, not re-run here)")
        return [skipped_row("time to the diary's accuracy", "fast / diary",
                            "not run by --quick; run bench/bench_time_to_accuracy.py")]
    result = measure([])
    report(result)
    return rows(result)


if __name__ == "__main__":
    sys.exit(main())
