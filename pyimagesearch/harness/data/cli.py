"""Get every data set in the layout the studies read.

    python -m pyimagesearch.harness.data list
    python -m pyimagesearch.harness.data fetch cifar10
    python -m pyimagesearch.harness.data prepare flowers17 --from 17flowers.tgz
    python -m pyimagesearch.harness.data prepare dogs_vs_cats --from train.zip --subset readme
    python -m pyimagesearch.harness.data verify flowers17

Data sets are written under $DATASETS_DIR (default: the repo's datasets/
folder). `fetch` downloads from the official source (checking the
published SHA-256 where there is one) and prepares the download; for a
source behind a login (Kaggle) or with none (animals) it says what to
download. `prepare` works offline from an archive or a folder; `verify`
checks a prepared folder file by file.
"""

import sys

from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line
from pyimagesearch.harness.cli import argument_parser
from pyimagesearch.harness.cli import entrypoint
from pyimagesearch.harness.data import records
from pyimagesearch.harness.data.prepare import prepare
from pyimagesearch.harness.data.prepare import refuse_existing
from pyimagesearch.harness.data.prepare import source_of
from pyimagesearch.harness.data.sources import SOURCES
from pyimagesearch.harness.files import datasets_root


def build_parser():
    parser = argument_parser(__doc__)
    parser.prog = "python -m pyimagesearch.harness.data"
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="every data set: where it is, its source, licence, size")
    names = {"choices": list(SOURCES), "metavar": "NAME",
             "help": f"one of: {', '.join(SOURCES)}"}
    fetch = commands.add_parser("fetch", help="download from the official source, then prepare")
    fetch.add_argument("name", **names)
    fetch.add_argument("--subset", default=None, help="prepare only a committed subset "
                       "(readme: the subset the READMEs measured; cifar10, dogs_vs_cats)")
    fetch.add_argument("--force", action="store_true", help="replace an existing folder")
    prep = commands.add_parser("prepare", help="write the layout from an archive or folder")
    prep.add_argument("name", **names)
    prep.add_argument("--from", dest="source", required=True, metavar="ARCHIVE_OR_FOLDER",
                      help="the official archive (.tar.gz, .tgz, .zip), its unpacked folder, "
                      "or mnist.npz")
    prep.add_argument("--subset", default=None, help="prepare only a committed subset "
                      "(readme: the subset the READMEs measured; cifar10, dogs_vs_cats)")
    prep.add_argument("--sha256", default=None, help="refuse an archive with another SHA-256")
    prep.add_argument("--force", action="store_true", help="replace an existing folder")
    verify = commands.add_parser("verify", help="check a prepared folder file by file")
    verify.add_argument("name", **names)
    return parser


def list_command(args):
    root = datasets_root()
    print(f"data sets under {root}:")
    for name, spec in SOURCES.items():
        folder = root / name
        state = "present" if folder.exists() else "absent "
        print(f"{name:<21} {state} {folder}")
        print(f"    {spec.title}; {spec.size}")
        print(f"    source: {spec.url}")
        print(f"    license: {spec.license}")
    return 0


def fetch_command(args):
    import keras

    spec = source_of(args.name)
    if spec.manual:
        print("\n".join(spec.manual))
        return 0
    refuse_existing(args.name, args.force)
    downloads = datasets_root() / ".downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    try:
        path = keras.utils.get_file(fname=spec.archive, origin=spec.url,
                                    file_hash=spec.sha256, cache_dir=str(datasets_root()),
                                    cache_subdir=".downloads")
    except ValueError as error:  # Keras: the file's hash is not the published one
        raise DatasetError(f"{spec.archive} from {spec.url} does not match its published "
                           f"SHA-256 ({one_line(error, 120)}); it was not prepared") from None
    except Exception as error:
        raise DatasetError(f"could not download {spec.url} ({one_line(error, 160)}); download "
                           f"it by hand and run: prepare {args.name} --from "
                           f"{spec.archive}") from None
    # get_file checked the published SHA-256 already
    prepare(args.name, path, subset=args.subset, force=args.force,
            fetched_from=spec.url)
    return 0


def prepare_command(args):
    prepare(args.name, args.source, subset=args.subset, force=args.force, sha256=args.sha256)
    return 0


def verify_command(args):
    folder = datasets_root() / args.name
    checked, problems = records.verify(folder, args.name)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{args.name}: {len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 2
    print(f"{args.name}: all {checked} files as recorded in {folder}")
    return 0


COMMANDS = {"list": list_command, "fetch": fetch_command, "prepare": prepare_command,
            "verify": verify_command}


@entrypoint
def main(argv=None):
    """``python -m pyimagesearch.harness.data``; returns the exit status."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)
