# Collective — developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format worker e2e bench reliability migrate demo check-deploy clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## Set up everything, load the demo into the (empty) SQLite database and serve it.
run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ — press Ctrl+C to stop."
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite (unit, API, authorization matrix and Playwright journeys).
test: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

e2e: $(STAMP)
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
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Reliability checks against a real gunicorn and worker (reliability/run.py; docs/reliability.md).
## RELIABILITY_ARGS="writers" (or crash-server, load, all); DATABASE_URL=postgres://... for PostgreSQL.
reliability: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python reliability/run.py $(or $(RELIABILITY_ARGS),all)

check-deploy: $(STAMP)
	COLLECTIVE_PRODUCTION=true SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  ALLOWED_HOSTS=collective.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static test-output
