# Croody: `make run` serves the whole system, `make test` proves it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run setup test test-fast lint format bench lock system-packages clean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml requirements.lock
	@echo "==> Python environment ($(VENV))"
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 and run make again." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --progress-bar off -r requirements.lock
	@touch $@

setup: $(INSTALLED) ## Install, migrate, compile translations, create locales, demo content and the admin login
	@echo "==> Database migrations"
	@$(PY) manage.py migrate --noinput -v 0
	@echo "==> Interface translations, locales, demo content, admin"
	@$(PY) manage.py setup_croody
	@echo "==> Static files"
	@$(PY) manage.py collectstatic --noinput -v 0

# SIMULATE=1: demo robots (owned by admin, keys in var/simulator-keys) post readings meanwhile.
SIMULATE ?=
SIMULATOR_ROBOTS ?= 3
SIMULATOR_RATE ?= 1

run: setup ## Set up and serve everything on http://127.0.0.1:8000 (SIMULATE=1: with moving robots)
	@echo "==> Serving on http://$(HOST):$(PORT)/  (site /es/, admin /admin/, APIs /api/telemetry/docs /api/ids/docs; Ctrl+C stops)"
	@$(if $(filter 1,$(SIMULATE)),$(PY) -m apis.telemetry.simulator --create-keys \
		--robots $(SIMULATOR_ROBOTS) --rate $(SIMULATOR_RATE) --url http://$(HOST):$(PORT) \
		--progress-every 60 & trap 'kill $$! 2>/dev/null' EXIT;) \
		$(PY) -m gateway --host $(HOST) --port $(PORT)

# Debian packages the tests drive for real: the browser, fonts for Arabic/CJK/Devanagari
# screenshots, nginx (with brotli) for the gateway configuration tests, and GNU gettext for
# makemessages (the translation catalogues are checked against a fresh extraction).
SYSTEM_PACKAGES := $(CHROMIUM):chromium /usr/sbin/nginx:nginx-light \
	/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so:libnginx-mod-http-brotli-filter \
	/usr/bin/envsubst:gettext-base /usr/bin/xgettext:gettext /usr/bin/openssl:openssl \
	/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk \
	/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf:fonts-noto-core

system-packages: ## Install the Debian packages the tests need (chromium, nginx, fonts) when missing
	@missing=""; for entry in $(SYSTEM_PACKAGES); do \
		[ -e "$${entry%%:*}" ] || missing="$$missing $${entry##*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> Installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing Debian packages:$$missing" >&2; \
			echo "Install them with: sudo apt-get install$$missing (CHROMIUM=/path picks another browser)." >&2; \
			exit 1; \
		fi; \
	fi

# checkov pins versions that clash with boto3 and packaging in .venv, so it gets its own.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements-checkov.lock
	@echo "==> checkov environment ($(CHECKOV_VENV))"
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/pip install --quiet --progress-bar off -r requirements-checkov.lock
	@touch $@

test: $(INSTALLED) $(CHECKOV_VENV)/.installed system-packages ## Run every test: unit, integration and end-to-end in headless Chromium
	@echo "==> pytest (database: $${DATABASE_URL:-SQLite}, cache: $${REDIS_URL:-local memory})"
	@CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(INSTALLED) ## Run the tests without the browser
	@$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

bench: $(INSTALLED) ## Run the benchmarks (bench/results/); fails if a figure misses its target
	@status=0; \
	echo "==> IDS model (in process)"; $(PY) -m bench.ids_model || status=1; \
	echo "==> IDS API (predict over HTTP and in process)"; $(PY) -m bench.ids_api || status=1; \
	echo "==> Catalogue, search, product and API at 25 and 10,000 products (seed_catalogue)"; \
	$(PY) -m bench.catalogue || status=1; \
	echo "==> Pages: home, catalogue, product, Buddy, cold and warm (SQLite; PostgreSQL+Redis when reachable)"; \
	$(PY) -m bench.pages || status=1; \
	echo "==> Telemetry API (SQLite, and PostgreSQL when reachable)"; \
	$(PY) -m bench.telemetry || status=1; \
	echo "==> Memory: the gateway with all three apps, and a CMS worker alone"; \
	$(PY) -m bench.memory || status=1; \
	if [ $$status -ne 0 ]; then echo "==> Some targets were missed: see MISSED above"; fi; \
	exit $$status

lint: $(INSTALLED) ## ruff format --check, ruff check, the import contracts (cms and apis apart), mypy
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/mypy  # the targets and flags are in pyproject.toml ([tool.mypy])

format: $(INSTALLED) ## Format and fix what ruff can
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

lock: ## Re-resolve the dependencies in pyproject.toml into requirements.lock
	@rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	@.lock-venv/bin/pip install --quiet --upgrade pip
	@.lock-venv/bin/pip install --quiet ".[dev]"
	@.lock-venv/bin/pip freeze --exclude croody > requirements.lock
	@rm -rf .lock-venv build *.egg-info
	@echo "requirements.lock updated"

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) $(CHECKOV_VENV) var test-artifacts
