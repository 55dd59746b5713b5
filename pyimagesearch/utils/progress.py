"""Progress bars for long loops (progressbar2)."""

import sys

import progressbar


def progress_bar(total, label="", verbose=True):
    """A started progressbar2 bar of `total` steps (a silent one if not `verbose`).

    Example:

    >>> bar = progress_bar(3, "loading", verbose=False)
    >>> for i in range(3):
    ...     _ = bar.update(i + 1)
    >>> _ = bar.finish()
    """
    if total is None or total < 0:
        raise ValueError(f"`total` must be a non-negative integer. Received: total={total}")
    if not verbose:
        return progressbar.NullBar(max_value=total).start()
    widgets = [
        f"{label}: " if label else "",
        progressbar.Percentage(), " ", progressbar.Bar(), " ",
        progressbar.SimpleProgress(), " ", progressbar.ETA(),
    ]
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
