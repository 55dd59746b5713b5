"""Reproduce the diary: every study of DL4CV's Starter and Practitioner Bundles that this project follows, in the diary's order.

The runs, their recipes, the diary's figures and the data sets they need are
listed in `experiments/diary.toml`. Every study whose data set is under
`$DATASETS_DIR` runs, each run as its own process with a fixed output folder,
`outputs/reproduction/<recipe>/<study>/<run>` (under `$PYIMAGESEARCH_OUTPUTS`
if set), and its log beside it (`<run>.log`); the others are skipped with the
command that prepares their data. The same command after a kill or Ctrl-C
reuses the finished runs and continues the interrupted one in its folder.
At the end the comparison with the diary is written from the ledger
(`outputs/results.csv`), never by hand: `outputs/reproduction/REPRODUCTION.md`
and `REPRODUCTION.html` (with each run's training plot). Exit status 1 if a
run failed (the others still run).

    python experiments/reproduce.py
    python experiments/reproduce.py --recipe fast
    python experiments/reproduce.py --studies 2020-11-10-shallownet 2020-11-11-lenet
    python experiments/reproduce.py --quick
    python experiments/reproduce.py --update-readmes
"""

import sys
from pathlib import Path

from pyimagesearch import harness
from pyimagesearch.harness import reproduce

DIARY = Path(__file__).resolve().parent / "diary.toml"


@harness.entrypoint
def main(argv=None):
    # run the diary's studies, then compare them with the diary
    return reproduce.main(argv, diary=DIARY)


if __name__ == "__main__":
    sys.exit(main())
