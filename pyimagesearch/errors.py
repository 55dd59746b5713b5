"""Errors that a user can fix: study scripts print them as one line and exit 2."""


class PyImageSearchError(Exception):
    """A problem with the user's input (a path, a name, a file).

    Study scripts wrapped by `pyimagesearch.harness.entrypoint` print the
    message on one line (``error: ...``) and exit with status 2, without a
    traceback. Library code raises the more specific subclasses below.
    """

    exit_code = 2


class DatasetError(PyImageSearchError, ValueError):
    """A data set is missing, empty, unreadable or of the wrong layout."""


class OutputExistsError(PyImageSearchError, FileExistsError, ValueError):
    """Writing would overwrite something that already exists.

    Also a `ValueError`: the book's `HDF5DatasetWriter` raised `ValueError`
    for an existing output path, and the book's scripts catch that.
    """


class MissingDependencyError(PyImageSearchError, RuntimeError):
    """An optional system tool (e.g. graphviz's ``dot``) is not installed."""


def one_line(error, limit=None):
    """The first line of an exception's message, whitespace collapsed.

    For wrapping a third-party error (h5py, Keras, OpenCV...) into the
    one-line message of a `PyImageSearchError`; the type's name when the
    message is empty.

    Example:

    >>> one_line(OSError("Unable to open file\\n  (truncated file: eof = 96)"))
    'Unable to open file'
    """
    lines = [line for line in str(error).splitlines() if line.strip()]
    text = " ".join(lines[0].split()) if lines else type(error).__name__
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
