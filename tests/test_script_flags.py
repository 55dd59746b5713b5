"""Every study script's command line follows the same rules (issue: one meaning per flag).

The parser of each script is captured at `parse_args` (nothing runs), then:
`--model` is always a network's name (files are `--model-path`, `--db`,
`--checkpoint`), `--output` is always a folder, a short flag means the same
long flag in every script, augmentation is spelled `--augment` only,
`--help` shows the defaults and renders the docstring's examples one per
line, and the training switches appear only where something trains with Keras.
"""

import argparse
import re

import pytest

from conftest import ROOT, load_script

SCRIPTS = sorted(p for p in ROOT.glob("experiments/*/*.py")
                 if 'if __name__ == "__main__":' in p.read_text())
FILE_WORDS = re.compile(r"\.(keras|joblib|hdf5|h5)\b|\bfile\b|checkpoint", re.I)


class _Captured(Exception):
    pass


def _parser(script):
    def capture(self, args=None, namespace=None):
        raise _Captured(self)

    module = load_script(script.parent.name, script.stem)
    original = argparse.ArgumentParser.parse_args
    argparse.ArgumentParser.parse_args = capture
    try:
        module.main([])
    except _Captured as captured:
        return captured.args[0]
    finally:
        argparse.ArgumentParser.parse_args = original
    raise AssertionError(f"{script} parsed no arguments")


PARSERS = {f"{p.parent.name}/{p.name}": _parser(p) for p in SCRIPTS}


def _options(parser):
    return {option: action for action in parser._actions for option in action.option_strings}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_model_is_a_network_name_and_output_a_folder(name):
    options = _options(PARSERS[name])
    if "--model" in options:
        assert not FILE_WORDS.search(options["--model"].help or ""), (
            f"{name}: --model must name a network; a file is --model-path/--db/--checkpoint")
    if "--output" in options:
        assert "folder" in (options["--output"].help or ""), f"{name}: --output is a folder"


def test_a_short_flag_means_one_long_flag_everywhere():
    meaning = {}
    for name, parser in PARSERS.items():
        for action in parser._actions:
            longs = tuple(o for o in action.option_strings if o.startswith("--"))
            for short in (o for o in action.option_strings if not o.startswith("--")):
                meaning.setdefault(short, {}).setdefault(longs, []).append(name)
    clashes = {short: uses for short, uses in meaning.items() if len(uses) > 1}
    assert not clashes, clashes


def test_augmentation_has_one_spelling():
    spellings = {option for parser in PARSERS.values() for option in _options(parser)
                 if "aug" in option}
    assert spellings <= {"--augment"}, spellings


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_help_shows_defaults_and_one_example_per_line(name):
    parser = PARSERS[name]
    text = parser.format_help()
    for action in parser._actions:
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS) \
                and action.help != argparse.SUPPRESS and action.dest != "help":
            assert re.search(r"default", action.help or "") or \
                "%(default)s" in parser.formatter_class(prog="x")._get_help_string(action), (
                    f"{name}: {action.option_strings} hides its default")
    examples = [line for line in (parser.description or "").splitlines()
                if "python experiments/" in line]
    assert examples, f"{name}: its docstring shows no example command"
    for line in examples:
        assert line.count("python ") == 1 and "  --" not in line, (
            f"{name}: a mangled example (backslash-newline in the docstring?): {line.strip()}")
    assert "usage:" in text


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_training_switches_only_where_keras_trains(name):
    options = _options(PARSERS[name])
    code = _code(name)
    trains_keras = ".fit(" in code and "NeuralNetwork(" not in code
    for switch in ("--mixed-precision", "--deterministic"):
        if switch in options:
            assert trains_keras, f"{name}: {switch} does nothing (no Keras training)"


def _code(name):
    """The script's own code and the study modules it imports (its body, config)."""
    script = ROOT / "experiments" / name
    source = script.read_text()
    siblings = [p for p in script.parent.glob("*.py") if p != script and
                re.search(rf"^\s*import {p.stem}\b", source, re.M)]
    return source + "".join(p.read_text() for p in siblings)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_the_distribution_flags_act_where_they_are_offered(name):
    """`--strategy`, `--batch-size` per replica and `--scale-lr` are used, not only parsed.

    `Run` enters the strategy's scope and scales the learning rates the
    parser declares (`study_parser(learning_rates=...)`) by itself, so a
    script that offers the flags declares every learning-rate flag it has,
    feeds `fit` global batches (`Run.dataset` or `Run.sharded`: a bare
    `fit(x, y, batch_size=...)` would split `--batch-size` over the
    replicas) and never names a strategy.
    """
    parser = PARSERS[name]
    options = _options(parser)
    if "--strategy" not in options:
        return
    code = _code(name)
    rates = [a.dest for a in parser._actions if "learning_rate" in a.dest]
    if rates:
        assert "--scale-lr" in options, f"{name}: its learning rates are not declared"
        assert set(rates) <= set(parser.learning_rates), (
            f"{name}: --scale-lr would leave {set(rates) - set(parser.learning_rates)} unscaled")
    for word in ("strategy", "replicas", "global_batch_size", "scaled_learning_rate"):
        assert not re.search(rf"\b{word}\b", code), f"{name}: the script names {word}"
    if ".fit(" in code:
        assert re.search(r"\b\w+\.(dataset|sharded)\(", code), f"{name}: fit gets no global batches"
    bare = re.findall(r"\.fit\([^)]*batch_size=", code)
    assert not bare, f"{name}: fit(..., batch_size=) splits --batch-size over the replicas"
