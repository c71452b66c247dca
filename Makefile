# Collective — developer commands. `make run` and `make test` are all a newcomer needs: they
# install the system packages they need (scripts/system-deps) and the locked Python packages.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/dev.txt
HOST ?= 127.0.0.1
PORT ?= 8000
# The dates `make test-dates` proves the suite on: a month start, a month end, a leap day.
TEST_DATES ?= 2027-03-01 2026-12-31 2028-02-29

.PHONY: run test test-dates lint format worker e2e bench reliability migrate demo check-deploy \
	lock clean

# Every package pinned with its hash (requirements/*.txt, from `make lock`), then the project
# itself without dependencies: what is installed is exactly what the lock file says.
$(STAMP): $(LOCK) pyproject.toml
	@PYTHON=$(PYTHON) scripts/system-deps python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## Set up everything, load the demo into the (empty) SQLite database and serve it.
run: $(STAMP)
	@PYTHON=$(PYTHON) scripts/system-deps run
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ — press Ctrl+C to stop."
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite (unit, API, authorization matrix and Playwright journeys).
## Exit 5 (no test collected) fails like any other failure.
test: $(STAMP)
	@PYTHON=$(PYTHON) scripts/system-deps test
	@DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: no test was collected (pytest exit 5)." >&2; fi; \
	  exit $$status

## The whole suite once per date in TEST_DATES, the clock frozen there (and moving on).
test-dates: $(STAMP)
	@for day in $(TEST_DATES); do \
	  echo "== make test with the clock at $$day"; \
	  COLLECTIVE_TEST_TODAY=$$day $(MAKE) --no-print-directory test || exit $$?; \
	done

e2e: $(STAMP)
	@PYTHON=$(PYTHON) scripts/system-deps test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The background worker: sends email and runs long imports.
worker: $(STAMP)
	$(BIN)/python manage.py db_worker

## Benchmarks of shared measurement (bench/run.py --help; BENCH_ARGS="--quick" or "--full").
bench: $(STAMP)
	$(BIN)/pip install --quiet --require-hashes -r requirements/bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Reliability checks against a real gunicorn and worker (reliability/run.py; docs/reliability.md).
## RELIABILITY_ARGS="writers" (or crash-server, load, crash-import, all); DATABASE_URL=postgres://... for PostgreSQL.
reliability: $(STAMP)
	$(BIN)/pip install --quiet --require-hashes -r requirements/bench.txt
	$(BIN)/python reliability/run.py $(or $(RELIABILITY_ARGS),all)

check-deploy: $(STAMP)
	COLLECTIVE_PRODUCTION=true SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  ALLOWED_HOSTS=collective.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

## Pin every dependency (and its dependencies) with hashes after a change in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
	  --custom-compile-command "make lock" --quiet -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" --quiet -o requirements/dev.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" --quiet -o requirements/bench.txt

clean:
	rm -rf $(VENV) var/static test-output
