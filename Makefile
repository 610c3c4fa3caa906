# Diagnoza — the two commands of the README, and a few helpers.
#   make demo   set up .venv and build the demo batch (54 towns, HTML + PDF + index) into reports/demo/
#   make test   set up .venv with the dev extras, lint (ruff) and run the test suite
#   make test-oldest  the tests again on the oldest dependencies pyproject.toml allows (.venv-oldest)
#   make lab    JupyterLab on the notebooks, with nbstripout as this clone's git filter
#   make a11y   axe-core in headless Chromium on the demo index and one report, at 1280 and 390 px
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-oldest lab preview preview-tools a11y a11y-tools clean

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
	$(BIN)/ruff check analysis diagnoza tests benchmarks notebooks
	$(BIN)/ruff format --check analysis diagnoza tests benchmarks
	$(BIN)/python -m pytest

# The lower bounds of pyproject.toml, tested rather than guessed: every direct dependency at the oldest
# version they allow that has a wheel for this Python (uv's lowest-direct resolution; the libraries those
# need at their newest), in .venv-oldest, then the tests that build no whole batch and one build of two towns
# (kernels, PDF, spreadsheet). CI runs it after `make test`.
OLDEST := .venv-oldest
test-oldest: $(VENV)/.installed-dev
	$(BIN)/uv venv --quiet --allow-existing --python $(BIN)/python $(OLDEST)
	$(BIN)/uv pip install --quiet --python $(OLDEST)/bin/python --resolution lowest-direct --only-binary :all: \
	  -r pyproject.toml --extra dev
	$(BIN)/uv pip install --quiet --python $(OLDEST)/bin/python --no-deps -e .
	$(OLDEST)/bin/python -m pytest -m "not slow"
	$(OLDEST)/bin/python -m pytest -n 0 tests/diagnoza/test_build.py::test_both_towns_are_built_with_html_pdf_and_index

# JupyterLab with the report and explore notebooks. nbstripout becomes a git filter of this clone
# (offline, no pre-commit download): a notebook run and saved in Lab is stored in git without outputs.
# Besides outputs and counts, it strips the language details a run adds, so that a notebook run and
# saved in Lab is byte for byte what git holds.
NBSTRIPOUT_EXTRA_KEYS := metadata.language_info.codemirror_mode metadata.language_info.file_extension \
  metadata.language_info.mimetype metadata.language_info.nbconvert_exporter metadata.language_info.pygments_lexer \
  metadata.language_info.version
LAB_ARGS ?=  # e.g. LAB_ARGS="--no-browser --port 8890", or --allow-root in a container run as root
lab: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install && git config filter.nbstripout.extrakeys "$(NBSTRIPOUT_EXTRA_KEYS)"; fi
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/report.ipynb

# Pictures of one town's report for people without a PDF viewer (and for the README):
#   make preview TOWN=0490013   -> docs/img/report-page-1.png, report-page-2.png, report-html.png
TOWN ?= 0490013
PREVIEW_DIR ?= docs/img
preview: $(VENV)/.installed preview-tools
	$(BIN)/diagnoza preview $(TOWN) --images $(PREVIEW_DIR)

# Debian packages the preview uses: poppler's pdftoppm and headless Chromium.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
preview-tools:
	@command -v pdftoppm >/dev/null && command -v chromium >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends poppler-utils chromium; }

# Accessibility: axe-core (npm, into .tools/) run by Selenium in Debian's Chromium and its matching driver.
# Installs what is missing, brings the demo batch up to date (incremental), fails on a serious or critical violation.
# `make test` runs the same check (tests/diagnoza/test_browser.py) whenever these tools are present.
a11y: $(VENV)/.installed-dev a11y-tools
	$(BIN)/diagnoza build params/demo.yaml
	$(BIN)/diagnoza a11y reports/demo

a11y-tools:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver; }
	@test -f .tools/node_modules/axe-core/axe.min.js || npm install --silent --no-save --prefix .tools axe-core@4

clean:  # keeps .cache/bdl/: the pages fetched from BDL, which only the internet refills
	rm -rf reports/ .cache/validated-stores .pytest_cache .hypothesis $(OLDEST)
