# Quick start:  make run   (set up .venv, train LeNet on scikit-learn's bundled digits)
#               make test  (set up .venv if needed, run the test suite)
#               make bench (every benchmark, one table in outputs/bench/bench.md;
#                           make bench BENCH_ARGS=--quick: under 5 minutes)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=
# the dev extra of pyproject.toml: tests, and the notebooks run through a Jupyter kernel
DEV_TOOLS := "pytest>=8,<10" "pytest-xdist>=3.5,<4" "nbclient>=0.10,<1" "ipykernel>=6.29,<8" \
             "jupytext>=1.16,<2" "nbformat>=5.10,<6"

.PHONY: install system-deps run test bench clean

# the virtual environment, rebuilt when the requirements change: the ranges
# (requirements.txt, pyproject.toml) pinned to the versions tested together
# (constraints.txt); the dev tools run the tests and the notebooks, and the
# notebooks' kernel ("python3") is ipykernel's own, inside .venv
$(STAMP): pyproject.toml requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt "setuptools>=77" wheel
	$(PY) -m pip install -q -c constraints.txt -r requirements.txt
	$(PY) -m pip install -q -c constraints.txt --no-deps --no-build-isolation -e .
	$(PY) -m pip install -q -c constraints.txt $(DEV_TOOLS)
	touch $(STAMP)

# graphviz (for keras.utils.plot_model) is a system package: install it
# where we can (root with apt-get); elsewhere the code that needs it says how
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	      || echo "[WARN] could not install graphviz; model graphs (plot_model) will be unavailable"; \
	  else \
	    echo "[WARN] graphviz's dot is missing: install it (apt-get install graphviz / brew install graphviz) for model graphs"; \
	  fi; }

install: $(STAMP) system-deps

# the main job: LeNet on scikit-learn's 8x8 digits upscaled to 28x28 (no download)
run: install
	$(PY) experiments/2020-11-11-lenet/train.py --dataset digits --batch-size 32 --momentum 0.9 --verbose 2

test: install
	$(PY) -m pytest -q -n auto $(PYTEST_ARGS)

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
