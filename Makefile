PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e bench loadtest lint format install messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The catalogues are kept as locale/*/LC_MESSAGES/django.po; the .mo files the app
# reads are compiled from them here, never committed.
messages: install
	bin/ensure-gettext
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity=0

# The task worker (exports, alert e-mails) runs beside the development server and stops
# with it: in a session of its own, so that Ctrl-C reaches it once, from the trap.
run: messages
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 setsid $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	bin/ensure-chromium
	$(BIN)/pytest

e2e: messages
	bin/ensure-chromium
	$(BIN)/pytest -m e2e

# Timings on the configured database (DATABASE_URL, else SQLite): the mission
# summary on a synthetic mission, then an import of 90,000 generated stations
# beside a plain COPY on PostgreSQL, then a round's reporting progress beside one
# raw SQL query, then (PostgreSQL only) reports posted to the API through gunicorn
# under load and the core team's pages idle. All clean up after themselves.
bench: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py bench_summary
	DEBUG=1 $(BIN)/python manage.py bench_import
	DEBUG=1 $(BIN)/python manage.py bench_progress
	DEBUG=1 $(BIN)/python manage.py bench_api
	DEBUG=1 $(BIN)/python manage.py bench_pages

# Election night under load on PostgreSQL (DATABASE_URL): staff on the web form,
# observers on the API, reviewers deciding and the core team polling progress, at once,
# at 2, 4 and 8 users; each round bounded in time. Cleans up after itself.
loadtest: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py loadtest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
