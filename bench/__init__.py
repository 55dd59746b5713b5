"""The benchmark suite: ``python -m bench`` (or ``make bench``) runs every ``bench_*.py``.

Each benchmark is also a script of its own (``python bench/bench_x.py --help``).
"""
