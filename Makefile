# The two commands of the README: `make run` and `make test`. Everything else they need,
# they install into .venv/ themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

# make run serves HTTPS (cheroot, the kiosk's own certificate authority) off the loopback
# (KIOSK_HOST=0.0.0.0: KIOSK_TLS=auto), plain HTTP on 127.0.0.1; KIOSK_TLS=1/0 force either.
run: $(VENV)/.installed-run
	$(BIN)/python -m kiosk.serve

# The whole suite twice: on SQLite, then on PostgreSQL (127.0.0.1:5432 or
# KIOSK_TEST_DATABASE_URL); the second pass leaves out the tests that touch no database,
# which the first ran (tests/conftest.py, KIOSK_TEST_SECOND_PASS). Without PostgreSQL or
# Chromium the suite says what it skipped; with KIOSK_TEST_STRICT=1 a missing one fails.
# Each run spreads its tests over every core (pytest-xdist; TEST_WORKERS=0 runs them in
# one process); worksteal evens out the long browser tests.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test
	$(BIN)/ruff check kiosk printer tests bench scripts
	KIOSK_TEST_DB=sqlite $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
	KIOSK_TEST_DB=postgresql KIOSK_TEST_SECOND_PASS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The schemathesis run of make test, with many more cases per operation (a few thousand in
# all, some minutes: no per-test limit here, --timeout=0): zero 5xx expected.
# FUZZ_EXAMPLES changes how many.
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed-test
	KIOSK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -s --timeout=0 tests/test_api_fuzz.py tests/test_properties.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check kiosk printer tests bench scripts

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
