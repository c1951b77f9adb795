# The two commands: `make run` (the app with its worker, embedded default) and
# `make test` (the whole suite). Everything else is a step they use.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Absolute links (emails, the payment provider's return URL) point here: the address
# `make run` serves on, unless SITE_URL is set.
ifeq ($(strip $(SITE_URL)),)
override SITE_URL = http://$(HOST):$(PORT)
endif

.PHONY: run test install install-dev lock messages makemessages migrate seed worker lint format check-deploy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Runtime dependencies only, exactly as locked in requirements/base.txt (hashes checked);
# stops first when pyproject.toml and the lock disagree (then run `make lock`).
$(VENV)/.installed: pyproject.toml requirements/base.txt | $(BIN)/python
	$(BIN)/python requirements/check_lock.py
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/base.txt
	touch $@

# Runtime and development dependencies (pytest, ruff, playwright...): requirements/dev.txt.
$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(BIN)/python requirements/check_lock.py
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/dev.txt
	touch $(VENV)/.installed $@

# Update the lock files from pyproject.toml, in one command: keeps the versions already
# locked where pyproject still allows them (LOCK_ARGS=--upgrade takes the newest of all).
# Asks PyPI; without a network it retries from uv's cache alone.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --quiet \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu $(LOCK_ARGS)
lock: | $(BIN)/python
	@test -x $(BIN)/uv || $(BIN)/pip install -q "uv>=0.5,<1"
	$(UV_COMPILE) -o requirements/base.txt || $(UV_COMPILE) --offline -o requirements/base.txt
	$(UV_COMPILE) --extra dev -o requirements/dev.txt \
		|| $(UV_COMPILE) --extra dev --offline -o requirements/dev.txt
	$(BIN)/python requirements/check_lock.py
	@echo "requirements/base.txt and requirements/dev.txt updated: commit them."

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compile .po → .mo. The .mo files are committed too, so a machine without GNU gettext
# still runs (with the translations of the last commit). Always recompiled: compilemessages
# skips a .mo that looks newer than its .po, and a fresh clone gives both the same time.
messages: | $(BIN)/python
	@if command -v msgfmt >/dev/null; then \
		touch locale/*/LC_MESSAGES/django.po; \
		$(BIN)/python manage.py compilemessages -v0 -i .venv -i var; \
	else echo "msgfmt not found (apt-get install gettext): using the committed .mo files"; fi

# Extract the strings to translate into locale/{es,en}/LC_MESSAGES/django.po.
makemessages: install-dev
	$(BIN)/python manage.py makemessages -l es -l en --no-location -i ".venv/*" -i "var/*" -i "tests/*" -i "bench/*"

migrate: install messages
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The app at http://$(HOST):$(PORT) with a Celery worker and beat, on the embedded
# default (SQLite, file mail under var/mail, filesystem broker under var/celery).
# Ctrl-C stops all of it.
run: seed
	@echo "Serving on http://$(HOST):$(PORT) — Celery worker and beat log below. Ctrl-C stops."
	@trap 'kill 0' INT TERM EXIT; \
	SITE_URL=$(SITE_URL) $(BIN)/celery -A helpdesk worker --beat --loglevel=INFO --concurrency=2 \
		--schedule=var/celerybeat-schedule & \
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	SITE_URL=$(SITE_URL) $(BIN)/celery -A helpdesk worker --beat --loglevel=INFO --concurrency=2 --schedule=var/celerybeat-schedule

# The whole suite: unit, integration and browser tests. Uses DATABASE_URL and REDIS_URL
# when set (CI sets PostgreSQL and Redis); otherwise SQLite, and PostgreSQL-only tests skip.
# Locally the test database is kept between runs (--reuse-db: migrations still apply, and
# tests/conftest.py empties it and reloads the data migrations' rows); CI passes --create-db.
PYTEST_ARGS ?= --reuse-db
test: install-dev messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DJANGO_SETTINGS_MODULE=helpdesk.settings.production SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-0123456789abcdefghij \
	ALLOWED_HOSTS=helpdesk.example EMAIL_URL=smtp://localhost:25 SITE_URL=https://helpdesk.example \
	DATABASE_URL=postgres://check@localhost:5432/check REDIS_URL=redis://localhost:6379/0 \
	VAULT_KEYS=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Benchmarks print figures; see bench/README.md. Not part of `make test`.
bench: install-dev
	@ls bench/*.py | grep -v __init__ | while read f; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var/db.sqlite3* var/celery var/celerybeat-schedule* var/mail var/test
