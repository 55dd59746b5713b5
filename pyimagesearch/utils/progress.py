"""Progress bars for long loops (progressbar2).

In a terminal a bar redraws in place. In a Jupyter kernel (stderr is the
kernel's stream, not a terminal) each redraw becomes a stream message kept
in the notebook, so there a bar is drawn without colours and at most once
every `NOTEBOOK_INTERVAL` seconds: a few frames that the notebook shows as
one line, redrawn in place.
"""

import sys

import progressbar

from pyimagesearch import _checks

#: seconds between two redraws of a bar in a Jupyter kernel
NOTEBOOK_INTERVAL = 2.0


def in_notebook(stream=None):
    """Whether `stream` (default: stderr) is a Jupyter kernel's stream, not a terminal.

    >>> in_notebook()  # doctest and script alike: a file or a terminal
    False
    """
    stream = sys.stderr if stream is None else stream
    if "ipykernel" not in sys.modules:
        return False
    isatty = getattr(stream, "isatty", None)
    return type(stream).__module__.startswith("ipykernel") and not (isatty and isatty())


def progress_bar(total, label="", verbose=True):
    """A started progressbar2 bar of `total` steps (a silent one if not `verbose`).

    Example:

    >>> bar = progress_bar(3, "loading", verbose=False)
    >>> for i in range(3):
    ...     _ = bar.update(i + 1)
    >>> _ = bar.finish()
    """
    _checks.non_negative_int("total", total)
    if not verbose:
        return progressbar.NullBar(max_value=total).start()
    widgets = [
        f"{label}: " if label else "",
        progressbar.Percentage(), " ", progressbar.Bar(), " ",
        progressbar.SimpleProgress(), " ", progressbar.ETA(),
    ]
    if in_notebook():
        return progressbar.ProgressBar(max_value=total, widgets=widgets, fd=sys.stderr,
                                       enable_colors=False, line_breaks=False,
                                       poll_interval=NOTEBOOK_INTERVAL,
                                       min_poll_interval=NOTEBOOK_INTERVAL).start()
    return progressbar.ProgressBar(max_value=total, widgets=widgets, fd=sys.stderr).start()


def track(iterable, total=None, label="", verbose=True):
    """Iterate over `iterable` while showing a progress bar.

    Example:

    >>> [x * 2 for x in track(range(3), label="doubling", verbose=False)]
    [0, 2, 4]
    """
    if total is None:
        total = len(iterable)
    bar = progress_bar(total, label, verbose)
    for i, item in enumerate(iterable, 1):
        yield item
        bar.update(min(i, total))
    bar.finish()
