"""``python -m pyimagesearch.compare RUN_DIR ... [--figure PNG]``: compare runs.

Draws the runs' curves in one PNG and prints a Markdown table of their
final metrics (`pyimagesearch.utils.compare.compare_runs`); the command
line itself is parsed by the harness (`harness.compare_main`).
"""

import sys

from pyimagesearch import harness

if __name__ == "__main__":
    sys.exit(harness.compare_main())
