# Two commands on a fresh machine (Python 3.11 with venv, make, and PyPI reachable):
#   make run    # set up .venv, then run the whole series headless (default profile: binder)
#   make test   # set up .venv, then run the tests (unit tests, nbval, papermill)
PYTHON ?= python3
VENV ?= .venv
PROFILE ?= binder
SITE_PROFILE ?= binder
BIN := $(VENV)/bin

.PHONY: run test test-fast lint check-notebooks site lock clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m coursekit run --profile $(PROFILE)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# Unit and static checks only (no notebook, cluster, browser or build): under two minutes.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow" tests

# ruff (lint + format), nbqa ruff on the notebooks, nbstripout, the course's notebook check,
# codespell: the hooks of .pre-commit-config.yaml, all run from the locked .venv (offline).
lint: $(BIN)/.installed
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# The course's website in site/ (offline): runs the series with SITE_PROFILE, then renders the
# executed notebooks and the other pages with Sphinx. Open site/index.html.
site: $(BIN)/.installed
	$(BIN)/python -m coursekit site --profile $(SITE_PROFILE) --out site

check-notebooks: $(BIN)/.installed
	$(BIN)/python -m coursekit notebooks --check

# Re-resolve the pinned tree after editing requirements*.txt (needs pip-tools).
lock:
	pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock requirements.txt requirements-dev.txt

clean:
	rm -rf $(VENV) runs site .site-src
