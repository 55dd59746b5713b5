"""Reproduce a diary of runs, resumably, and write the comparison from the ledger.

A diary (a TOML file, see ``experiments/diary.toml``) lists studies in order, each with
its data set and its runs (script and arguments). `reproduce` runs every study whose data
is present, each run as a subprocess with a fixed ``--output`` under
``outputs/reproduction/<recipe>/<study>/<run>``: the same command after a kill reuses the
finished runs (a ``finished`` ledger row and no rerun mark) and re-runs the others with the
same command, which continues in its own folder. `write_comparison` writes
``REPRODUCTION.md`` and ``REPRODUCTION.html`` from the ledger; `update_readmes` rewrites
the marked tables of READMEs in place.
"""

import base64
import html
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path


from pyimagesearch.harness import files
from pyimagesearch.harness import ledger
from pyimagesearch.harness.argtypes import existing_file
from pyimagesearch.harness.cli import argument_parser
from pyimagesearch.harness.quickdata import make_quick_datasets
from pyimagesearch.harness.resume import INCOMPLETE_MARK

__all__ = ["load_diary", "make_quick_datasets", "reproduce", "comparison_rows",
           "write_comparison", "update_readmes"]

HEAD = ("study", "run", "measures", "diary", "measured", "difference", "recipe", "data",
        "seconds", "run folder", "commit")
MARKS = {"studies": ("<!-- reproduction:studies:start -->", "<!-- reproduction:studies:end -->"),
         "study": ("<!-- reproduction:start -->", "<!-- reproduction:end -->")}


def load_diary(path):
    """The studies of the diary at `path`, in order (dicts with their ``run`` lists)."""
    with open(path, "rb") as f:
        studies = tomllib.load(f).get("study", [])
    for study in studies:
        for run in study.setdefault("run", []):
            run.setdefault("output", ["--output", "{dir}"])
    return studies


def missing_data(study):
    """The data sets of `study` not under `$DATASETS_DIR` (none for built-in ones)."""
    names = [] if study.get("builtin") else [study["data"], *study.get("needs", [])]
    return [name for name in names if not (files.datasets_root() / name).exists()]


def run_folder(recipe, study, run):
    """``outputs/reproduction/<recipe>/<study>/<run>``: the run's fixed ``--output``."""
    return files.outputs_root().absolute() / "reproduction" / recipe / study["folder"] / run["name"]


def is_finished(folder, run):
    """A run is done: its `done` file exists, or its ledger copy has a finished row."""
    if (folder / INCOMPLETE_MARK).exists():
        return False
    if run.get("done"):
        return (folder / run["done"]).exists()
    return any(row.get("status") == "finished"
               for row in ledger.read_rows(folder / "results.csv", warn=False))


def command(study, run, recipe, quick):
    """The subprocess command of `run`: ``sys.executable script args``."""
    data = files.datasets_root()
    args = [*run["args"], *(run.get("fast", []) if recipe == "fast" else []),
            *(run.get("quick", []) if quick else []), *run["output"]]
    values = {"{dir}": run_folder(recipe, study, run), "{data}": data / study["data"]}
    for other in study["run"]:
        values[f"{{run:{other['name']}}}"] = run_folder(recipe, study, other)
    for arg in args:
        for name in arg.split("{data:")[1:]:
            values[f"{{data:{name.split('}')[0]}}}"] = data / name.split("}")[0]
    out = []
    for arg in args:
        for key, value in values.items():
            arg = arg.replace(key, str(value))
        out.append(arg)
    script = files.project_root() / "experiments" / study["folder"] / run["script"]
    return [sys.executable, str(script), *out]


def run_command(argv, log, cwd):
    """Run a run's command `argv` in `cwd`, its output into the open file `log`; its status."""
    log.flush()
    return subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)


def selected(studies, names=None, quick=False, recipe="diary"):
    """The studies named in `names` (all when None) with the runs of `recipe` (or quick runs)."""
    known = [s["folder"] for s in studies]
    unknown = sorted(set(names or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown studies {unknown}; the diary's are {known}")
    picked = [s for s in studies if names is None or s["folder"] in names]
    wanted = (lambda r: "quick" in r) if quick else (
        lambda r: recipe in r.get("recipes", ("diary", "fast")))
    return [{**s, "run": [r for r in s["run"] if wanted(r)]} for s in picked]


def reproduce(studies, recipe="diary", quick=False, say=print):
    """Run every run of `studies` whose data is present; return the failed runs' names."""
    todo, failed = [], []
    for study in studies:
        missing = missing_data(study)
        if missing:
            say(f"[SKIP] {study['folder']}: no data set {', '.join(missing)} under "
                f"{files.datasets_root()}; get it with: python -m pyimagesearch.harness.data "
                f"prepare {missing[0]} --from ...")
            continue
        todo += [(study, run) for run in study["run"]]
    spent, ran = 0.0, 0
    for n, (study, run) in enumerate(todo, 1):
        folder = run_folder(recipe, study, run)
        name = f"{study['folder']}/{run['name']}"
        if is_finished(folder, run):
            say(f"[{n}/{len(todo)}] {name}: finished before, reused ({folder})")
            continue
        eta = f", ETA {spent / ran * (len(todo) - n + 1) / 60:.1f} min" if ran else ""
        say(f"[{n}/{len(todo)}] {name}: running{eta}; log in {folder}.log")
        folder.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(f"{folder}.log", "a") as log:
            status = run_command(command(study, run, recipe, quick), log, files.project_root())
        spent, ran = spent + time.perf_counter() - started, ran + 1
        if status != 0 or not is_finished(folder, run):
            failed.append(name)
            say(f"[FAIL] {name}: exit status {status}; see {folder}.log")
    return failed


def comparison_rows(studies, recipe="diary"):
    """One row per compared run (a `metric`) with a finished ledger row, from the ledger.

    A run's rows are those of its folder's own copy of the ledger (so a run folder
    moved or copied here from another machine counts), else of ``outputs/results.csv``.
    """
    rows, ledger_rows = [], ledger.read_rows(files.outputs_root() / "results.csv", warn=False)
    for study in studies:
        for run in (r for r in study["run"] if r.get("metric")):
            folder = str(run_folder(recipe, study, run))
            own = ledger.read_rows(Path(folder) / "results.csv", warn=False)
            found = [r for r in own or [r for r in ledger_rows if r["run"] == folder]
                     if r["metric"] == run["metric"] and r["status"] == "finished"]
            if not found:
                continue
            row = found[-1]
            measured, diary_value = float(row["value"]), run.get("diary_value")
            difference = "" if diary_value is None else f"{measured - diary_value:+.4f}"
            rows.append({"study": study["folder"], "run": run["name"],
                         "measures": run.get("measures", run["metric"]),
                         "diary": run.get("diary", ""), "measured": row["value"],
                         "difference": difference,
                         "recipe": files.portable(row["recipe"]) or "the script's defaults",
                         "data": _data(row, study), "seconds": row["seconds"],
                         "run folder": _relative(folder), "commit": row["commit"],
                         "plot": Path(folder) / "training_plot.png"})
    return rows


def _data(row, study):
    counts = dict(item.split("=", 1) for item in row.get("images", "").split() if "=" in item)
    if not counts:
        return row.get("data", "")
    total = sum(int(v) for v in counts.values() if v.isdigit())
    size = "full set" if total >= study.get("full_images", 0) else "subset"
    return f"{row.get('data', '')} {size} ({', '.join(f'{k} {v}' for k, v in counts.items())})"


def _relative(folder):
    try:
        return str(Path(folder).relative_to(files.outputs_root().parent))
    except ValueError:
        return str(folder)


def markdown_table(rows, head=HEAD):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(row[h]).replace("|", "/") for h in head) + " |" for row in rows]
    return "\n".join(lines)


def write_comparison(rows, folder=None, title="The diary, reproduced"):
    """Write ``REPRODUCTION.md`` and ``REPRODUCTION.html`` (plots inlined); return both paths."""
    folder = Path(folder or files.outputs_root() / "reproduction")
    folder.mkdir(parents=True, exist_ok=True)
    note = ("Written by experiments/reproduce.py from the ledger (outputs/results.csv); "
            "do not edit by hand.")
    md = folder / "REPRODUCTION.md"
    md.write_text(f"# {title}\n\n{note}\n\n{markdown_table(rows)}\n")
    cells = []
    for row in rows:
        plot = row["plot"]
        image = (f'<img src="data:image/png;base64,{base64.b64encode(plot.read_bytes()).decode()}"'
                 f' width="240" alt="{html.escape(row["study"])}">' if plot.is_file() else "")
        cells.append("<tr>" + "".join(f"<td>{html.escape(str(row[h]))}</td>" for h in HEAD)
                     + f"<td>{image}</td></tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in (*HEAD, "training plot"))
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>td,th{border:1px solid #ccc;padding:4px;font:13px sans-serif}"
            "table{border-collapse:collapse}</style></head>\n"
            f"<body><h1>{title}</h1><p>{note}</p>\n<table><tr>{header}</tr>\n"
            + "\n".join(cells) + "\n</table></body></html>\n")
    page_path = folder / "REPRODUCTION.html"
    page_path.write_text(page)
    return md, page_path


def replace_marked(text, marks, table):
    """`text` with what lies between the `marks` (start, end) replaced by `table`."""
    start, end = marks
    if start not in text or end not in text.split(start, 1)[1]:
        raise ValueError(f"no {start} ... {end} markers")
    before, rest = text.split(start, 1)
    return f"{before}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"


def update_readmes(rows, readme=None, study_readmes=None):
    """Rewrite the marked tables: the studies table of `readme`, each study README's own.

    Args:
        rows: `comparison_rows`.
        readme: the main README (default: the repository's).
        study_readmes: ``{study folder: README path}`` (default: experiments/<study>/README.md).
    Returns:
        the paths rewritten.
    """
    root = files.project_root()
    readme = Path(readme or root / "README.md")
    if study_readmes is None:
        study_readmes = {row["study"]: root / "experiments" / row["study"] / "README.md"
                         for row in rows}
    short = ("study", "run", "measures", "diary", "measured", "difference", "recipe", "data",
             "seconds")
    written = []
    if readme.is_file() and MARKS["studies"][0] in readme.read_text():
        table = markdown_table([{**r, "study": f"[{r['study']}](experiments/{r['study']}/)"}
                                for r in rows], short)
        readme.write_text(replace_marked(readme.read_text(), MARKS["studies"], table))
        written.append(readme)
    for study, path in study_readmes.items():
        mine = [r for r in rows if r["study"] == study]
        path = Path(path)
        if mine and path.is_file() and MARKS["study"][0] in path.read_text():
            table = markdown_table(mine, ("run", "measures", "diary", "measured", "difference",
                                          "recipe", "data", "seconds", "run folder", "commit"))
            path.write_text(replace_marked(path.read_text(), MARKS["study"], table))
            written.append(path)
    return written


def main(argv=None, diary=None):
    """``experiments/reproduce.py``: run the diary (or rewrite the tables); 1 if a run failed."""
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--diary", type=existing_file, default=diary,
                        help="the diary's runs (TOML)")
    parser.add_argument("--recipe", choices=("diary", "fast"), default="diary",
                        help="fast: a study's fast recipe where it has one, the diary's elsewhere")
    parser.add_argument("--studies", nargs="+", metavar="NAME", help="only these study folders")
    parser.add_argument("--quick", action="store_true",
                        help="tiny epochs on generated data sets (a smoke run of every study)")
    parser.add_argument("--update-readmes", action="store_true",
                        help="run nothing: rewrite the comparison and the README tables")
    args = parser.parse_args(argv)
    try:
        studies = selected(load_diary(args.diary), args.studies, args.quick, args.recipe)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        parser.error(str(error))
    label = "quick" if args.quick else args.recipe
    if args.quick:  # generated data, made once, so that the same command resumes
        quick = files.outputs_root().absolute() / "reproduction" / "quick-datasets"
        if not quick.is_dir():  # made in a temporary folder, then renamed: whole or absent
            quick.parent.mkdir(parents=True, exist_ok=True)
            make_quick_datasets(tempfile.mkdtemp(dir=quick.parent)).rename(quick)
        os.environ["DATASETS_DIR"] = str(quick)
    try:
        failed = [] if args.update_readmes else reproduce(studies, label, args.quick)
    except KeyboardInterrupt:  # Ctrl-C reaches the run too: its folder keeps what it finished
        print("[INFO] interrupted: the same command resumes (finished runs are reused)")
        return 130
    rows = comparison_rows(studies, label)
    for path in write_comparison(rows):
        print(f"[INFO] wrote {path}")
    if args.update_readmes:
        for path in update_readmes(rows):
            print(f"[INFO] rewrote the reproduction table of {path}")
    if failed:
        print(f"[INFO] {len(failed)} run(s) failed: {', '.join(failed)}")
    return 1 if failed else 0
