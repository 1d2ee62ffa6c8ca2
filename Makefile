# Thrive: `make demo` installs and serves the platform on SQLite; `make test` runs the whole suite.
PORT ?= 8000
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PG_URL ?= postgres://postgres@127.0.0.1:5432/thrive
DEMO_ENV := THRIVE_DEMO=1

.PHONY: demo test serve install install-dev assets system-test-deps services lint typecheck pytest-sqlite \
	pytest-postgres browser-test migrate clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --no-dev
	bash scripts/build-assets.sh

install-dev: $(UV)
	$(UV) sync --frozen
	bash scripts/build-assets.sh

migrate:
	$(DEMO_ENV) $(BIN)/thrive migrate --noinput

demo: install
	mkdir -p var
	@touch .env; grep -q '^THRIVE_DEMO=' .env || echo 'THRIVE_DEMO=1' >> .env
	$(DEMO_ENV) $(BIN)/thrive migrate --noinput
	$(DEMO_ENV) $(BIN)/thrive load-geography
	$(DEMO_ENV) $(BIN)/thrive demo-data
	$(DEMO_ENV) PORT=$(PORT) exec bash scripts/serve.sh demo

serve: install
	PORT=$(PORT) exec bash scripts/serve.sh production

# System packages the tests need: Debian's Chromium for browser tests, R surveillance for the comparisons.
system-test-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	 command -v Rscript >/dev/null && Rscript -e 'library(surveillance)' >/dev/null 2>&1 || missing="$$missing r-cran-surveillance"; \
	 if [ -n "$$missing" ]; then \
	   export DEBIAN_FRONTEND=noninteractive; \
	   apt-get install -y -q --no-install-recommends $$missing || (apt-get update -q && apt-get install -y -q --no-install-recommends $$missing); \
	 fi

services:
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done

lint:
	$(BIN)/ruff check thrive bench conftest.py
	$(BIN)/ruff format --check thrive bench conftest.py

typecheck:
	THRIVE_TESTING=1 $(BIN)/mypy thrive

pytest-sqlite:
	THRIVE_TESTING=1 $(BIN)/pytest -q -n 2 -m "not browser" --cov=thrive --cov-report=term:skip-covered --cov-report=xml \
		--cov-fail-under=$$(cat .coverage-floor)

pytest-postgres:
	THRIVE_TESTING=1 THRIVE_DATABASE_TESTS_ONLY=1 DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 -m "not browser and not slow"

browser-test:
	THRIVE_TESTING=1 $(BIN)/pytest -q -m browser

test: install-dev system-test-deps services lint typecheck pytest-sqlite pytest-postgres browser-test

clean:
	rm -rf var staticfiles thrive/static/vendor .coverage coverage.xml
