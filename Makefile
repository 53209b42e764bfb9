# Every target creates .venv and installs into it itself: nothing by hand.
# The interpreter the venv is made from: Debian's python3.11 where it is there with venv
# (built with profile-guided and link-time optimisation; this machine's python3 is pyenv's
# 3.11.7, built without: tests/unit took 7-13% less CPU on Debian's, alternated runs, and
# the whole suite 13% less, sequential runs), else python3.
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 \
            && echo /usr/bin/python3.11 || echo python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
# One stamp per install: the demo needs only the [demo] extra; tests and tools need [dev].
DEMO_STAMP := $(VENV)/.installed-demo-stamp
DEV_STAMP  := $(VENV)/.installed-dev-stamp

.PHONY: demo test lint bench screenshots sandbox clean

# The venv's packages are installed by uv (pinned; pip installs it into the venv): it
# resolves and installs the [demo,dev] set in 9 s where pip took 24 s with a warm cache,
# both compiling the bytecode (2026-12-02, this 2-core machine): a fresh machine's
# `make test` spends that before its first test.
UV_VERSION := 0.13.9
UV         := $(VENV)/bin/uv
INSTALL    := $(UV) pip install --python $(PY) --quiet --compile-bytecode

$(PY):
	$(PYTHON) -m venv $(VENV)

# Its own target: a venv made before uv was used here gets it too.
$(UV): | $(PY)
	$(PY) -m pip install --quiet 'uv==$(UV_VERSION)'

$(DEMO_STAMP): pyproject.toml | $(UV)
	$(INSTALL) -e '.[demo]'
	touch $(DEMO_STAMP)

# [dev] includes what [demo] installs, so it stamps the demo install too.
$(DEV_STAMP): pyproject.toml | $(UV)
	$(INSTALL) -e '.[demo,dev]'
	touch $(DEV_STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(VENV)/bin/amitui --demo

sandbox: $(DEMO_STAMP)
	$(VENV)/bin/amitui sandbox --port 5055

# pytest-xdist workers: one more than the cores. The UI tests are CPU-bound, but a third of
# a worker's time is spent waiting (read timeouts, poll intervals, other processes): the
# extra worker's tests run in those waits (2 cores, quiet: 247 s with 2 workers, 217 s with
# 3; a fourth did not help: 232 s against 229 s with 3, 2026-12-02). Work stealing: a
# worker that runs out takes tests queued on another (xdist's default "load" hands each
# worker a quarter of the suite up front, and one worker idled 70 s).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: $(DEV_STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check amitui tests benchmarks
	$(VENV)/bin/ruff format --check amitui tests benchmarks
	$(VENV)/bin/mypy

bench: $(DEV_STAMP)
	$(PY) -m benchmarks.run_all

screenshots: $(DEV_STAMP)
	$(PY) -m benchmarks.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build dist *.egg-info
