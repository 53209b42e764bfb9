# Every target creates .venv and installs into it itself: nothing by hand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench screenshots sandbox clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[demo,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/amitui --demo

sandbox: $(STAMP)
	$(VENV)/bin/amitui sandbox --port 5055

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check amitui tests benchmarks
	$(VENV)/bin/ruff format --check amitui tests benchmarks

bench: $(STAMP)
	$(PY) -m benchmarks.run_all

screenshots: $(STAMP)
	$(PY) -m benchmarks.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
