"""Training bodies shared by several study scripts (`experiments/<study>/*.py`).

A study folder's scripts that differ only in one ingredient (the optimizer,
a callback) keep that ingredient and call the shared body from here, so the
recipe lives in one place. Example: `pyimagesearch.studies.cifar`.
"""
