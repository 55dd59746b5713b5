"""The layout rule: the library names no study, and only the harness parses flags.

`pyimagesearch/` is the reusable library: a notebook user imports it and gets
tools, not command lines. A study's code (its scripts, their shared body, its
config.py) lives in `experiments/<date>-<study>/`. These tests keep it so.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pyimagesearch"
MODULES = sorted(PACKAGE.rglob("*.py"))
DATED_NAME = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")
# module-level names that carry one study's configuration
STUDY_SETTINGS = re.compile(r"^(STUDY|SPLITS|(TRAIN|VAL|TEST)_(FRACTION|COUNT)|"
                            r"IMAGE_SIZE|CROP_SIZE|DATASET_PATH|.*_PATH)$")


def _relative(path):
    return str(path.relative_to(ROOT))


def test_there_is_no_studies_package():
    assert not (PACKAGE / "studies").exists()


@pytest.mark.parametrize("module", MODULES, ids=_relative)
def test_no_module_names_a_dated_study(module):
    hits = [f"line {n}: {line.strip()}" for n, line in
            enumerate(module.read_text().splitlines(), 1) if DATED_NAME.search(line)]
    assert not hits, f"{_relative(module)} names a study: {hits}"


@pytest.mark.parametrize("module", MODULES, ids=_relative)
def test_only_the_harness_parses_command_lines(module):
    if module == PACKAGE / "harness.py":
        return
    tree = ast.parse(module.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {
        (node.module or "").split(".")[0] for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)}
    assert "argparse" not in imported, f"{_relative(module)} imports argparse"
    calls = [node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    assert "parse_args" not in calls, f"{_relative(module)} parses arguments"
    assert "sys.argv" not in module.read_text(), f"{_relative(module)} reads sys.argv"


@pytest.mark.parametrize("module", MODULES, ids=_relative)
def test_no_module_carries_a_study_configuration(module):
    tree = ast.parse(module.read_text())
    names = [target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    settings = [name for name in names if STUDY_SETTINGS.match(name)]
    assert not settings, f"{_relative(module)} holds study settings {settings}"


def test_every_study_folder_has_a_readme_and_a_dated_name():
    folders = sorted(p for p in (ROOT / "experiments").iterdir() if p.is_dir()
                     and not p.name.startswith((".", "_")))
    assert folders
    for folder in folders:
        assert re.fullmatch(r"20\d\d-[01]\d-[0-3]\d-[a-z0-9-]+", folder.name), folder.name
        assert (folder / "README.md").is_file(), f"{folder.name} has no README.md"


def _long_functions(paths, limit=60):
    """`(file:function, lines)` of functions over `limit` lines (docstrings aside)
    whose docstring does not say why they are longer."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            doc = ast.get_docstring(node)
            body = node.body[1:] if doc and len(node.body) > 1 else node.body
            length = node.end_lineno - body[0].lineno + 1
            if length > limit and not (doc and "60 lines" in doc):
                found.append((f"{_relative(path)}:{node.name}", length))
    return found


def test_no_function_over_60_lines_without_a_reason():
    scripts = sorted((ROOT / "experiments").glob("*/*.py"))
    benchmarks = sorted((ROOT / "bench").glob("*.py"))
    assert not _long_functions([*MODULES, *scripts, *benchmarks])
