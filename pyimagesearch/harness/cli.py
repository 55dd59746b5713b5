"""The command line of a study script: its parser, its recipe, its entry point.

- `study_parser(doc, epochs=, batch_size=, dataset=, learning_rates=)`: the
  common arguments (`--dataset`, `--output`, `--seed`, `--verbose`,
  `--epochs`, `--batch-size`, `--deterministic`) and those of distribution
  and precision, which `Run` applies by itself;
- `recipe(args)`: the flags that differ from the script's defaults;
- ``--config RUN/args.json`` (every study parser): replay a run's arguments,
  the command line's own flags winning;
- `entrypoint`: a user's mistake or an environment error (no space left, a
  read-only folder...) is one ``error: ...`` line and exit status 2.

Example:

>>> parser = study_parser("doc", epochs=5, batch_size=8, dataset="digits")
>>> recipe(parser.parse_args(["--epochs", "9", "--deterministic"]))
'--epochs 9 --deterministic'
"""

import argparse
import functools
import json
import logging
import sys

from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.io import imagefile
from pyimagesearch.harness import argtypes
from pyimagesearch.harness import distribute
from pyimagesearch.harness import recipes as recipes_module
from pyimagesearch.harness.files import describe_os_error, portable

_LOGGER = logging.getLogger("pyimagesearch")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """`--help` that keeps the script's docstring as written and shows every default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        if action.option_strings or action.nargs in ("?", "*"):
            return f"{text} (default: %(default)s)"
        return text


class StudyParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one line and whose namespaces know their recipe.

    The namespace remembers each argument's default (`recipe`), the
    learning rates `--scale-lr` scales (`Run`), and ``--verbose`` sets the
    level of the package's messages (0: warnings only).
    """

    learning_rates = ()
    recipes = None

    def error(self, message):
        self.exit(2, f"error: {' '.join(str(message).split())} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else list(args)
        config, namespace = self._config_values(args), namespace or argparse.Namespace()
        for dest, value in config.items():  # the command line's flags replace them
            vars(namespace).setdefault(dest, value)
        required = [a for a in parser_actions(self) if a.required and a.dest in config
                    ] if config else []
        for action in required:
            action.required = False
        try:
            namespace = super().parse_args(args, namespace)
        finally:
            for action in required:
                action.required = True
        namespace._defaults = {dest: self.get_default(dest) for dest in vars(namespace)
                               if not dest.startswith("_")}
        namespace._learning_rates = tuple(self.learning_rates)
        if self.recipes:  # --epochs, --batch-size, --learning-rate: the recipe's by default
            recipes_module.apply_recipe(namespace, self.recipes)
        if getattr(namespace, "verbose", 1) == 0:
            _LOGGER.setLevel(logging.WARNING)
        return namespace

    def _config_values(self, args):
        """The ``"args"`` of the ``--config`` file in `args` (typed and checked), but
        ``output`` (a replay is a new run); learning rates as asked, not as scaled."""
        probe = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
        probe.add_argument("--config", nargs="?")
        path = probe.parse_known_args(args)[0].config
        if path is None or not getattr(self, "replays_config", False):
            return {}
        try:
            with open(path, encoding="utf-8") as file:
                recorded = json.load(file)
        except OSError as error:
            self.error(f"--config {path}: {describe_os_error(error)}")
        except ValueError as error:
            self.error(f"--config {path}: not a run's args.json (damaged: {error})")
        values = recorded.get("args") if isinstance(recorded, dict) else None
        if not isinstance(values, dict):
            self.error(f"--config {path}: not a run's args.json (no \"args\" object)")
        actions = {a.dest: a for a in parser_actions(self) if a.dest != argparse.SUPPRESS}
        unknown = sorted(set(values) - set(actions))
        if unknown:
            self.error(f"--config {path}: unknown arguments of this script: {', '.join(unknown)}")
        for dest, rates in (recorded.get("learning_rates") or {}).items():
            if dest in values and isinstance(rates, dict) and "asked" in rates:
                values[dest] = rates["asked"]
        values = {k: self._config_value(path, actions[k], v) for k, v in values.items()
                  if k not in ("output", "config")}
        for group in self._mutually_exclusive_groups:  # a flag given here replaces its rivals
            given = [a for a in group_actions(group) if any(
                t == o or t.startswith(o + "=") for t in args for o in a.option_strings)]
            for action in group_actions(group) if given else ():
                if action not in given:
                    values.pop(action.dest, None)
        return values

    def _config_value(self, path, action, value):
        """A recorded value through `action`'s type and choices, as if typed again."""
        try:
            if action.type is not None and value is not None and not isinstance(value, bool):
                many = isinstance(value, list) and action.nargs not in (None, "?")
                value = ([action.type(str(v)) for v in value] if many else action.type(
                    ",".join(map(str, value)) if isinstance(value, list) else str(value)))
        except (argparse.ArgumentTypeError, TypeError, ValueError) as error:
            self.error(f"--config {path}: {action.dest}={value!r}: {error}")
        for item in value if isinstance(value, list) and action.nargs else [value]:
            if action.choices is not None and item is not None and item not in action.choices:
                self.error(f"--config {path}: {action.dest}={item!r} is not one of "
                           f"{', '.join(map(str, action.choices))}")
        return value


def argument_parser(description):
    """A bare `StudyParser` for scripts with their own flags (builds, extraction...)."""
    return StudyParser(description=description, formatter_class=HelpFormatter)


def recipe(args, skip=("output", "verbose", "dataset", "config")):
    """The flags of `args` that differ from their defaults, as a command-line string.

    Paths are written as on any machine (`files.portable`): ``$DATASETS_DIR/...``
    and relative to the project.
    """
    parts = []
    for dest, default in getattr(args, "_defaults", {}).items():
        value, flag = getattr(args, dest, default), "--" + dest.replace("_", "-")
        if dest in skip or value == default or (value is None and default == ""):
            continue  # ("" is a default that its type turns into None)
        if value is True:
            parts.append(flag)
        elif isinstance(value, (list, tuple)):
            parts.append(f"{flag} {' '.join(str(v) for v in value)}")
        else:
            parts.append(f"{flag} {value}")
    return portable(" ".join(parts))


def _max_pixels(text):
    """`--max-pixels`: applied at once to every image reader ("": the default limit)."""
    value = argtypes.positive_int(text) if text else None
    imagefile.set_max_pixels(value)
    return value


def study_parser(description, *, epochs=None, batch_size=None, dataset=None,
                 dataset_help=None, seed=True, keras=True, learning_rates=(), recipes=None,
                 recipe_help=""):
    """An `argparse.ArgumentParser` with the arguments every study shares.

    Args:
        description: the script's docstring (shown by ``--help``).
        epochs, batch_size: the study's defaults (the diary's recipe); `None`
            for both leaves out the training arguments (a script that only
            predicts). `--batch-size` is per replica: `Run.dataset` batches
            N x that on N replicas.
        dataset: the default of `--dataset`; `None` makes it required,
            `False` leaves it out.
        dataset_help: help text of `--dataset`.
        seed: add `--seed`.
        keras: add `--deterministic` and the distribution and precision flags.
        learning_rates: the destinations of the script's learning-rate
            flags (e.g. ``("learning_rate",)``): with `--scale-lr`, `Run`
            multiplies them by the replicas on entry (offered only then).
        recipes: ``{name: namedtuple}`` with at least ``epochs``,
            ``batch_size`` and ``learning_rate``: adds `--recipe` (the first
            by default) and those three flags, whose defaults are the chosen
            recipe's (`recipes.add_recipe_arguments`); `recipe_help` says
            what `--recipe` chooses between.
    """
    parser = argument_parser(description)
    parser.learning_rates = tuple(learning_rates)
    if dataset is not False:
        parser.add_argument("-d", "--dataset", default=dataset, required=dataset is None,
                            help=dataset_help or "data set folder or file, or a data set name "
                            "looked up under $DATASETS_DIR (else the repo's datasets/ folder)")
        parser.add_argument("--max-pixels", type=_max_pixels, default="", metavar="N",
                            help="refuse images of more than N pixels before decoding them "
                            f"(default ${imagefile.MAX_PIXELS_ENV}, else "
                            f"{imagefile.DEFAULT_MAX_PIXELS})")
    parser.add_argument("-o", "--output", default=None,
                        help="output folder (new or empty); default: a new folder per run "
                        "under outputs/<study>/")
    if seed:
        parser.add_argument("--seed", type=argtypes.random_seed, default=42,
                            help="random seed, in [0, 2**32 - 1] (default 42)")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 progress bars, 2 one line per epoch")
    parser.replays_config = True
    parser.add_argument("--config", metavar="RUN/args.json", default=None,
                        help="replay the arguments of a run (its args.json); the flags given "
                        "here win, and the output is a new run folder")
    if recipes:  # --recipe, and the training flags whose defaults follow it
        parser.recipes = recipes
        parser.learning_rates = tuple(dict.fromkeys(("learning_rate", *learning_rates)))
        recipes_module.add_recipe_arguments(parser, recipes, recipe_help)
    elif epochs is None and batch_size is None:
        return parser
    else:
        parser.add_argument("-e", "--epochs", type=argtypes.positive_int, default=epochs,
                            help=f"training epochs (default {epochs})")
        parser.add_argument("-b", "--batch-size", type=argtypes.positive_int,
                            default=batch_size, help=f"mini-batch size per replica (default "
                            f"{batch_size}); the global batch is this x the replicas")
    if not keras:
        return parser
    parser.add_argument("--deterministic", action="store_true",
                        help="use deterministic TensorFlow ops (slower, repeatable)")
    parser.add_argument("--backup", metavar="DIR", help="folder of the training's backup, "
                        "saved every epoch, deleted once the model is saved (default: "
                        "RUN/backup/); after a kill the same command resumes at the next epoch")
    return add_scale_arguments(parser, scale_lr=bool(parser.learning_rates))


def add_scale_arguments(parser, scale_lr=True):
    """The flags of distribution and precision; `Run` applies them all by itself."""
    group = parser.add_argument_group("distribution and precision")
    group.add_argument("--strategy", choices=distribute.STRATEGIES, default="auto",
                       help="tf.distribute strategy: auto (multiworker when TF_CONFIG names "
                       "several workers, mirrored when several GPUs are visible, else "
                       "default), default (one device), mirrored (every GPU of this machine, "
                       "else every logical CPU), multiworker (MultiWorkerMirroredStrategy "
                       "from TF_CONFIG) (default: auto)")
    if scale_lr:
        group.add_argument("--scale-lr", action="store_true",
                           help="multiply the learning rate by the number of replicas (linear "
                           "scaling for the larger global batch)")
    group.add_argument("--logical-cpus", type=argtypes.positive_int, default=None,
                       help="split the CPU into N logical devices, so that --strategy mirrored "
                       "runs N replicas without GPUs (they share the same cores)")
    precision = group.add_mutually_exclusive_group()
    precision.add_argument("--mixed-precision", action="store_true",
                           help="mixed precision: mixed_float16 on GPUs (with loss scaling), "
                           "mixed_bfloat16 on CPUs")
    precision.add_argument("--precision", choices=distribute.PRECISIONS, default=None,
                           help="the Keras dtype policy, explicitly (default: float32, or "
                           "what --mixed-precision picks)")
    return parser


def entrypoint(main):
    """Decorate a study's `main(argv=None)`: user and environment errors exit 2 on one line.

    A `PyImageSearchError` (bad path, unknown name, existing output...) or an
    `OSError` (no space left, read-only folder, name too long...) is printed
    as ``error: <message>`` on stderr and the process exits with status 2
    (`SystemExit(2)`, which tests can catch); Ctrl-C exits 130. Any other
    exception is a bug and keeps its traceback.
    """

    @functools.wraps(main)
    def wrapper(argv=None):
        level = _LOGGER.level
        try:
            return main(argv)
        except PyImageSearchError as error:
            print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
            raise SystemExit(error.exit_code)
        except OSError as error:
            print(f"error: {describe_os_error(error)}", file=sys.stderr)
            raise SystemExit(2)
        except KeyboardInterrupt:
            print("error: interrupted", file=sys.stderr)
            raise SystemExit(130)
        finally:
            _LOGGER.setLevel(level)

    return wrapper


def parser_actions(parser):  # keras_fixes (and keras) only once --config is given
    from pyimagesearch.harness import keras_fixes
    return keras_fixes.parser_actions(parser)


def group_actions(group):
    from pyimagesearch.harness import keras_fixes
    return keras_fixes.group_actions(group)
