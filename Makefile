# Ceangal: `make run` to try it, `make test` to test it. `make help` lists the rest.
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test test-browser lint fmt bench seed migrate reference demo datamap key clean check-deploy

help:
	@echo "make run           set up, load demo data and start the web server and task worker"
	@echo "make test          run the whole test suite (SQLite; set CEANGAL_TEST_DATABASE_URL for PostgreSQL)"
	@echo "make test-browser  only the browser tests (needs Chromium at /usr/bin/chromium)"
	@echo "make lint          ruff, mypy --strict and the import-layer contracts"
	@echo "make bench         print performance figures"
	@echo "make seed N=1000   add N synthetic clients (20 partners, 50 agreements, consents) to the local database"
	@echo "make datamap       rewrite docs/data-map.md from the data map"
	@echo "make key           print a new CEANGAL_FIELD_KEY"

$(STAMP): pyproject.toml requirements.lock
	@py=$$(PYTHON="$(PYTHON)" ./scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	@mkdir -p var
	@$(PY) manage.py migrate --noinput

reference: migrate
	@$(PY) manage.py load_reference

demo: reference
	@CEANGAL_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py demo
	@CEANGAL_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py demo_referrals
	@CEANGAL_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py demo_portal

run: demo
	@$(PY) manage.py collectstatic --noinput -v 0
	@echo "Starting the task worker and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops both)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

test-browser: $(STAMP)
	@$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check ceangal bench
	$(BIN)/ruff format --check ceangal bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format ceangal bench
	$(BIN)/ruff check --fix ceangal bench

bench: $(STAMP)
	@$(PY) bench/run.py

seed: migrate
	@$(PY) manage.py seed --clients $${N:-1000} --seed $${S:-1}

datamap: $(STAMP)
	@$(PY) manage.py datamap --write

key: $(STAMP)
	@$(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'

check-deploy: $(STAMP)
	@mkdir -p var
	@CEANGAL_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
	  CEANGAL_FIELD_KEY=$$($(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())') \
	  ALLOWED_HOSTS=ceangal.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
