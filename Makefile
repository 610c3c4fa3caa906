# Diagnoza — the two commands of the README, and a few helpers.
#   make demo   set up .venv and build the demo batch (54 towns, HTML + PDF + index) into reports/demo/
#   make test   set up .venv with the dev extras and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lab clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Diagnoza needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/diagnoza build params/demo.yaml

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lab: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	$(BIN)/jupyter lab notebooks/report.ipynb

clean:
	rm -rf reports/ .pytest_cache .hypothesis
