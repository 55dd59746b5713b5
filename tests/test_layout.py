"""The three rooms and their budgets: the book's package, the lab, the diary.

- `pyimagesearch/` without `harness/` is the book's package: what a DL4CV
  chapter defines, in Keras 3. It names no study, parses no flag, speaks of
  no flag in its messages, imports no harness.
- `pyimagesearch/harness/` is the lab: arguments, run folders, distribution,
  files, the ledger; every use of private Keras API is in `keras_fixes.py`.
- `experiments/<date>-<study>/` is the diary: scripts a reader of chapter N
  can follow (short, one import block, no distribution words).

Doors open one way: experiments -> harness -> the book's package; nothing
outside `tests/` imports a study. These tests keep it so.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pyimagesearch"
LAB = PACKAGE / "harness"
MODULES = sorted(PACKAGE.rglob("*.py"))
BOOK = [p for p in MODULES if LAB not in p.parents]
HARNESS = sorted(LAB.rglob("*.py"))
SCRIPTS = sorted((ROOT / "experiments").rglob("*.py"))
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
    if module in HARNESS:
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


def _lines(path):
    return len(path.read_text().splitlines())


def _classes(paths):
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                yield path, node


def test_the_book_package_fits_its_budget():
    assert sum(_lines(p) for p in BOOK) <= 5500
    assert not [f"{_relative(p)}: {_lines(p)}" for p in BOOK + HARNESS if _lines(p) > 300]
    assert not [f"{_relative(p)}:{c.name}" for p, c in _classes(BOOK)
                if c.end_lineno - c.lineno + 1 > 200]


def test_run_is_small():
    (run,) = [c for _, c in _classes(HARNESS) if c.name == "Run"]
    assert run.end_lineno - run.lineno + 1 <= 250
    public = [n.name for n in run.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and not n.name.startswith("_")]
    assert len(public) <= 12, public


DOOR = re.compile(r"^\s*(from pyimagesearch(\.harness| import harness)|import pyimagesearch\.harness)",
                  re.M)


@pytest.mark.parametrize("module", BOOK, ids=_relative)
def test_the_book_package_never_opens_the_harness(module):
    assert not DOOR.search(module.read_text())


def test_nothing_outside_the_tests_imports_a_study():
    studies = {p.stem for p in SCRIPTS}
    for path in [*MODULES, *sorted((ROOT / "bench").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            clash = [n for n in names if n.split(".")[0] in studies - {"config"} or n == "config"]
            assert not clash, f"{_relative(path)} imports the study module {clash}"


FLAG = re.compile(r"(^|[\s(`'\"])--[a-z][a-z0-9-]+")


@pytest.mark.parametrize("module", BOOK, ids=_relative)
def test_book_messages_name_parameters_not_flags(module):
    hits = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, (ast.Raise, ast.Call)):
            hits += [m.lineno for m in ast.walk(node) if isinstance(m, ast.Constant)
                     and isinstance(m.value, str) and FLAG.search(m.value)]
    assert not hits, f"{_relative(module)} names flags on lines {sorted(set(hits))}"


@pytest.mark.parametrize("module", BOOK, ids=_relative)
def test_book_modules_check_arguments_through_checks(module):
    if module.name == "_checks.py":
        return
    text = module.read_text()
    assert not re.search(r"isinstance\([^)]*\bbool\b", text), f"{_relative(module)}: use _checks"
    prints = [n.lineno for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id == "print"]
    assert not prints or module.name == "__init__.py", (
        f"{_relative(module)}: library code reports through logging (print on {prints})")


PRIVATE = re.compile(r"_maybe_symbolic_build|reduce_per_replica|_in_multi_worker_mode|"
                     r"\._save_model|_weights_path|_initial_epoch|_get_file_path|"
                     r"_should_save_model|\._actions\b|\._name\b")


def test_private_keras_api_only_in_keras_fixes():
    users = [_relative(p) for p in [*MODULES, *SCRIPTS]
             if p.name != "keras_fixes.py" and PRIVATE.search(p.read_text())]
    assert not users


DISTRIBUTION = re.compile(r"\b(strategy|replicas|global_batch_size|scaled_learning_rate)\b")


@pytest.mark.parametrize("script", SCRIPTS, ids=_relative)
def test_a_study_script_reads_like_the_book(script):
    text = script.read_text()
    assert _lines(script) <= 150, f"{_relative(script)}: {_lines(script)} lines"
    assert not DISTRIBUTION.search(text), f"{_relative(script)} speaks of distribution"
    tree = ast.parse(text)
    inner = sum(isinstance(m, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for m in ast.walk(n))
    assert inner <= 3, f"{_relative(script)}: {inner} imports inside functions"
    if script.name == "config.py" or not script.parent.name.startswith("20"):
        return  # config.py is shared; experiments/reproduce.py follows no chapter
    first = (ast.get_docstring(tree) or "").splitlines()[:1]
    assert first and re.search(r"(Bundle ch\. \d+|PyImageSearch blog)", first[0]), (
        f"{_relative(script)}: the docstring's first line names no DL4CV chapter")
    helpers = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != "main"]
    assert len(helpers) <= 3, f"{_relative(script)}: {[h.name for h in helpers]}"


def test_function_level_imports_in_the_diary_are_few():
    inner = sum(isinstance(m, (ast.Import, ast.ImportFrom)) for p in SCRIPTS
                for n in ast.walk(ast.parse(p.read_text()))
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for m in ast.walk(n))
    assert inner <= 40


def test_a_study_keeps_at_most_one_shared_module():
    for folder in sorted((ROOT / "experiments").glob("20*")):
        shared = [p.name for p in folder.glob("*.py")
                  if 'if __name__ == "__main__":' not in p.read_text()]
        assert shared in ([], ["config.py"]), f"{folder.name}: {shared}"


@pytest.mark.parametrize("readme", sorted((ROOT / "experiments").glob("*/README.md")),
                         ids=lambda p: p.parent.name)
def test_a_study_readme_opens_with_its_chapter(readme):
    head = "\n".join(readme.read_text().splitlines()[:5])
    assert re.search(r"(Bundle,? ch\.|chapter|PyImageSearch blog)", head, re.I), readme.parent.name


@pytest.mark.parametrize("readme", sorted((ROOT / "experiments").glob("*/README.md")),
                         ids=lambda p: p.parent.name)
def test_a_study_readme_shows_a_committed_figure(readme):
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme.read_text())
    assert figures, f"{readme.parent.name}: no figure embedded"
    missing = [f for f in figures if not (readme.parent / f).is_file()]
    assert not missing, f"{readme.parent.name}: {missing} not in the repository"


def test_no_document_or_usage_line_names_a_folder_of_the_development_machine():
    """A user's machine has no ../shared: READMEs and the usage lines of scripts and of the
    package's docstrings say $DATASETS_DIR or a data set's name, and paths are relative."""
    skipped = {".venv", "outputs", ".git", "node_modules", "tests"}
    documents = [p for pattern in ("*.md", "*.ipynb", "*.py") for p in ROOT.rglob(pattern)
                 if not skipped & set(p.relative_to(ROOT).parts)]
    found = [f"{_relative(path)}:{i}" for path in documents
             for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
             if re.search(r"shared/data|/work/(main|shared)", line)]
    assert documents and not found, found
