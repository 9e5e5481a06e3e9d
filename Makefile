# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test test-worker setup browser check clean-db

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Front-end libraries (ECharts) come from the npm registry at set-up, never from a CDN at run time.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The app's secret key on this machine, random, made once and kept out of git (/.local/ is
# ignored); settings read it when SECRET_KEY is unset. Production sets SECRET_KEY instead.
SECRET_KEY_FILE ?= .local/secret_key
$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp
	mv $@.tmp $@

setup: $(VENV)/.installed node_modules/.installed $(SECRET_KEY_FILE)

# The end-to-end tests drive Debian's Chromium; CJK fonts make the screenshots readable.
# The bulletins embed WenQuanYi Zen Hei (a TrueType CJK font ReportLab can embed); the tests read
# the PDFs back with poppler's pdftotext/pdffonts and render a page to PNG with pdftoppm.
DEBIAN_PACKAGES := chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils poppler-data
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || { \
	  echo "Installing $(DEBIAN_PACKAGES) from Debian's packages"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; }

# The embedded default: SQLite in the project folder, Celery tasks in-process, demo accounts and
# demo data. With DATABASE_URL set: reference data and the admin account only, never demo data.
# `make run` serves what users see: DEBUG off (the Chinese error pages), static files collected
# and served by WhiteNoise. It is plain HTTP on this machine, so the cookies are not marked
# Secure (SECURE_COOKIES=0; production never sets that, docs/deploy.md), and the host of HOST is
# allowed (any host when HOST listens on 0.0.0.0; ALLOWED_HOSTS, when set, wins).
# `DEBUG=1 make run` for development: Django's debug pages, static files from their folders.
comma := ,
DEBUG_ON = $(filter 1 true yes on True TRUE Yes YES On ON,$(DEBUG))
HOST_NAME = $(firstword $(subst :, ,$(HOST)))
RUN_ALLOWED_HOSTS = $(or $(ALLOWED_HOSTS),$(if $(filter 0.0.0.0,$(HOST_NAME)),*,127.0.0.1$(comma)localhost$(if $(filter-out 127.0.0.1 localhost,$(HOST_NAME)),$(comma)$(HOST_NAME))))
SECURE_COOKIES ?= 0
run: setup $(if $(DEBUG_ON),,staticfiles/staticfiles.json)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py bootstrap --address $(HOST) $(if $(DATABASE_URL),,--demo)
	SECURE_COOKIES=$(SECURE_COOKIES) ALLOWED_HOSTS='$(RUN_ALLOWED_HOSTS)' $(PY) manage.py runserver $(HOST)

# The collected static files (hashed names, compressed) that DEBUG off serves; collected again
# only when a source changed (about 10 s: ECharts is large).
staticfiles/staticfiles.json: $(shell find static -type f) node_modules/.installed $(VENV)/.installed
	DEBUG=0 $(PY) manage.py collectstatic --no-input --verbosity 0

# Runs on DATABASE_URL when set (PostgreSQL in CI), else on SQLite. Tasks run in-process here;
# the tests against a real worker are `make test-worker`. One test process per core (pytest-xdist,
# each with its own test database); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
test: setup browser
	env -u CELERY_BROKER_URL $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The Celery tests against a real worker process on Redis, on PostgreSQL (the worker must reach
# the test database): run once by CI. Defaults: the local PostgreSQL and Redis's database 15.
WORKER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fuling_invest_worker
WORKER_BROKER_URL ?= redis://127.0.0.1:6379/15
test-worker: setup browser
	DATABASE_URL=$(WORKER_DATABASE_URL) CELERY_BROKER_URL=$(WORKER_BROKER_URL) $(PY) -m pytest -m worker $(PYTEST_ARGS)

check: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
