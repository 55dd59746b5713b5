"""The data commands: every data set in the layout the studies read.

``python -m pyimagesearch.harness.data list | fetch NAME | prepare NAME
--from ARCHIVE_OR_FOLDER [--subset readme] | verify NAME`` (`cli`); the
table of data sets (`sources`); unpacking (`archives`); each data set's
layout (`layouts`); all-or-nothing prepare (`prepare`); manifests and
verify (`records`); the committed subset manifests (``manifests/``).
"""

from pyimagesearch.harness.data.cli import main

__all__ = ["main"]
