"""Training recipes chosen with `--recipe`: the diary's, and faster ones for the same network.

- `study_parser(..., recipes=RECIPES, recipe_help=...)` adds `--recipe`
  (the first recipe by default) and `--epochs`, `--batch-size` and
  `--learning-rate`, whose defaults are the chosen recipe's values
  (`add_recipe_arguments`); `parse_args` fills them in (`apply_recipe`), so
  a run's recipe string names only what the command line changed.
- `warmup_cosine(peak, steps_per_epoch, epochs, warmup_epochs)`: a linear
  warm-up from peak / 25 to the peak, then a cosine down to 0, per batch.

Example:

```python
Recipe = collections.namedtuple("Recipe", "epochs batch_size learning_rate label_smoothing")
RECIPES = {"diary": Recipe(40, 64, 0.01, 0.0), "fast": Recipe(15, 64, 0.02, 0.1)}
parser = harness.study_parser(__doc__, recipes=RECIPES, recipe_help="diary: ...; fast: ...")
args = parser.parse_args(argv)          # args.epochs: 15 with --recipe fast
recipe = RECIPES[args.recipe]
```
"""

from pyimagesearch.harness import argtypes

RECIPE_FLAGS = {"epochs": ("-e", "--epochs", argtypes.positive_int, "training epochs"),
                "batch_size": ("-b", "--batch-size", argtypes.positive_int,
                               "mini-batch size per replica"),
                "learning_rate": (None, "--learning-rate", argtypes.positive_float,
                                  "SGD's initial (with a warm-up: peak) learning rate")}


def add_recipe_arguments(parser, recipes, help_text, flags=RECIPE_FLAGS):
    """`--recipe` (first of `recipes` by default) and the flags whose defaults follow it.

    Args:
        parser: an `argparse.ArgumentParser` without `--epochs`/`--batch-size`.
        recipes: ``{name: namedtuple}`` with fields named as `flags`' keys.
        help_text: what `--recipe` chooses between.
        flags: ``{field: (short flag, flag, type, help)}``.
    """
    for field, (short, flag, kind, text) in flags.items():
        defaults = ", ".join(f"{getattr(r, field)} with --recipe {name}"
                             for name, r in recipes.items())
        names = [short, flag] if short else [flag]
        parser.add_argument(*names, type=kind, default=None, help=f"{text} (default: {defaults})")
    parser.add_argument("--recipe", choices=list(recipes), default=next(iter(recipes)),
                        help=f"{help_text} (default {next(iter(recipes))})")
    return parser


def apply_recipe(args, recipes, fields=tuple(RECIPE_FLAGS)):
    """Set the unset `fields` of `args` to the chosen recipe's values; return the recipe.

    They count as defaults (``args._defaults``): a run's recipe string lists
    only the flags given.
    """
    recipe = recipes[args.recipe]
    for name in fields:
        if getattr(args, name, None) is None:
            setattr(args, name, getattr(recipe, name))
            getattr(args, "_defaults", {})[name] = getattr(recipe, name)
    return recipe


def warmup_cosine(peak, steps_per_epoch, epochs, warmup_epochs):
    """A linear rise from ``peak / 25`` to `peak` over `warmup_epochs`, then a cosine to 0.

    >>> schedule = warmup_cosine(0.1, steps_per_epoch=10, epochs=5, warmup_epochs=1)
    >>> [round(float(schedule(step)), 3) for step in (0, 10, 50)]
    [0.004, 0.1, 0.0]
    """
    import keras

    total = max(1, steps_per_epoch * epochs)
    warmup = min(total - 1, steps_per_epoch * warmup_epochs)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 25, decay_steps=total - warmup, alpha=0.0,
        warmup_target=peak, warmup_steps=warmup)
