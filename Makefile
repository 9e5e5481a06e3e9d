# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup check clean-db

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Front-end libraries (ECharts) come from the npm registry at set-up, never from a CDN at run time.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# The embedded default: SQLite in the project folder, Celery tasks in-process.
run: setup
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py bootstrap --address $(HOST)
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# Runs on DATABASE_URL when set (PostgreSQL in CI), else on SQLite.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

check: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
