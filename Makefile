# The two commands of the README: `make run` (set up and serve) and `make test` (the whole suite).
# Both build and use the project's own virtual environment in .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup lint clean-venv check-system

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@$(PYTHON) scripts/check_system.py
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# The map's state boundaries (us-atlas, Census Bureau, public domain) from npm, exact version in the lock file.
assets/node_modules/.package-lock.json: assets/package.json assets/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix assets --no-audit --no-fund --loglevel=error; \
	else echo "npm is not installed: the public map shows a plain outline (sudo apt-get install npm, then make run)"; fi

check-system:
	@$(PYTHON) scripts/check_system.py

setup: check-system $(VENV)/.installed assets/node_modules/.package-lock.json
	APP_ENV=$${APP_ENV:-development} $(FLASK) db upgrade
	APP_ENV=$${APP_ENV:-development} $(FLASK) setup $(if $(CONTACT),--contact-email '$(CONTACT)')

# The schedule (syncs, alerts, digests, retries) runs inside the server (SCHEDULER_IN_PROCESS); links point to
# this HOST and PORT unless BASE_URL is set. The server exits with make (Ctrl+C or kill), leaving no process.
run: setup
	@echo ""
	@echo "  Advocacy is starting on http://$(HOST):$(PORT)  (stop with Ctrl+C; another port: make run PORT=5100)"
	@echo ""
	exec env APP_ENV=$${APP_ENV:-development} SCHEDULER_IN_PROCESS=1 FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) \
		$(FLASK) run

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, formatting, types (mypy, settings in pyproject.toml) and the complexity limit; `.ci/run` runs it.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python scripts/check_complexity.py

clean-venv:
	rm -rf $(VENV)
