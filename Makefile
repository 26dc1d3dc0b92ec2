# Set-up and everyday commands. Each target creates the virtual environment
# .venv (Python 3.12, see .python-version) and installs bioam into it first: the
# package alone for the demo and the experiments, and with its test, CUDA
# (brian2cuda, cuRAND) and docs extras for the tests and the documentation.
PYTHON ?= python3.12
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo capacity reproduce test test-all docs benchmark clean venv dev

$(BIN)/bioam: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BIN)/bioam

$(VENV)/.extras: $(BIN)/bioam setup.cfg
	$(BIN)/python -m pip install --quiet -e '.[test,cuda,docs]'
	touch $(VENV)/.extras

venv: $(BIN)/bioam

dev: $(VENV)/.extras

# The main job: recall all 60,000 MNIST training images with the paper's Section 3.2
# network (symmetric, one global threshold) on compiled C++ to convergence (evaluate's
# defaults: cpp_standalone, 200 ms per image), count
# the distinct fixed points, draw recalls and basic memories (about 1.5 minutes on 2 cores,
# compilation included).
demo: venv
	$(BIN)/bioam evaluate --model models/mnist_nh50_global.npz --dataset mnist --split train \
		--json output/demo/mnist_train.json --figures output/demo

# The capacity experiment of Figure 1 (random weights, N_h = 2 .. 10).
capacity: venv
	$(BIN)/bioam capacity --out output/capacity

# Every figure and table of paper 001 that the shared data allows (92 minutes measured on
# 2 busy cores, docs/reproduction.md): one script per figure in experiments/paper/, the
# tables' bioam commands, and Section 3.2's network retrained from scratch and checked
# bit for bit against models/.
# Writes output/reproduction/ (see docs/reproduction.md).
reproduce: venv
	$(BIN)/python experiments/reproduce.py --out output/reproduction

# The quick test run (slow tests deselected).
test: dev
	$(BIN)/python -m pytest -m "not slow"

# Everything, including the C++ capacity sweep and the CUDA compile check.
test-all: dev
	$(BIN)/python -m pytest

# The documentation site, output/docs/index.html: the pages of docs/, the API reference
# generated from the docstrings, and the example gallery (docs/examples/, each script run),
# with every Sphinx warning an error (the docs extra is installed first). About a minute on
# 2 cores.
docs: dev
	$(BIN)/sphinx-build -W --keep-going -b html docs output/docs

benchmark: venv
	$(BIN)/python experiments/benchmark_backends.py

clean:
	rm -rf output .pytest_cache docs/generated docs/auto_examples docs/sg_execution_times.rst
