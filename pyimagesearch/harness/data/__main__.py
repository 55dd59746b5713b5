"""``python -m pyimagesearch.harness.data``: see `pyimagesearch.harness.data.cli`."""

import sys

from pyimagesearch.harness.data.cli import main

if __name__ == "__main__":
    sys.exit(main())
