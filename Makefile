# Safetynet — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH when it works, otherwise a private copy installed from PyPI.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)
MANAGE := $(UV) run python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite spreads over one worker per core (pytest-xdist); WORKERS=0 runs it in one process.
WORKERS ?= auto

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.PHONY: uv
uv: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)

.PHONY: install
install: uv ## Install the locked Python packages (uv sync)
	$(UV) sync --locked

.PHONY: messages
messages: install ## Compile the translation catalogues
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools -v0

.PHONY: migrate
migrate: install ## Create or update the database
	@mkdir -p var
	$(MANAGE) migrate --no-input -v0

.PHONY: seed
seed: migrate ## Load the demo data (idempotent)
	$(MANAGE) seed_demo

.PHONY: run
run: messages migrate ## Install, migrate, seed the demo and serve on 127.0.0.1:8000 with the sweeps (and a Stripe stand-in) beside it
	@echo "Safetynet on http://$(HOST):$(PORT)/ — demo accounts in README.md (password Safetynet-demo-2026, TOTP secret JBSWY3DPEHPK3PXP)"
	@# Without Stripe keys (outside production) stripe_standin starts localstripe and hands
	@# its STRIPE_* variables to the seeding, the sweeps and the server.
	@trap 'kill 0' EXIT; \
	$(MANAGE) stripe_standin --site http://$(HOST):$(PORT) -- bash -c '\
	  $(MANAGE) seed_demo && { $(MANAGE) run_sweeps --loop --interval 60 & exec $(MANAGE) runserver $(HOST):$(PORT); }'

.PHONY: test
test: messages ## Run the whole test suite on the embedded default (no browser tests)
	$(UV) run pytest -m "not e2e" -n $(WORKERS) --dist worksteal $(ARGS)

.PHONY: e2e
e2e: messages ## Browser tests: Playwright driving Debian's chromium
	$(UV) run pytest tests/e2e -m e2e $(ARGS)

.PHONY: lint
lint: install ## ruff lint and format check, the layer contract (import-linter) and the types (mypy)
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	PYTHONPATH=platform:. $(UV) run lint-imports --no-cache
	@$(MAKE) --no-print-directory typecheck

.PHONY: typecheck
typecheck: install ## Type-check platform/, cms/ and matching/ (mypy with django-stubs; strict on core and the services)
	$(UV) run mypy

.PHONY: hooks
hooks: install ## Install the git pre-commit hooks (ruff, the layer contract, mypy)
	$(UV) run pre-commit install

.PHONY: format
format: install ## Apply ruff's fixes and formatting
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

.PHONY: makemessages
makemessages: install ## Refresh the translation catalogues from the code
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=.tools --ignore=var --no-obsolete

.PHONY: check-deploy
check-deploy: install ## Django's deployment checks under production settings
	DJANGO_ENV=production SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=safetynet.example EMAIL_URL=smtp://localhost:25 SITE_URL=https://safetynet.example IDENTITY_HASH_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))') FIELD_ENCRYPTION_KEYS=$$($(UV) run python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	$(MANAGE) check --deploy --fail-level WARNING

.PHONY: ci
ci: ## Everything CI runs (.ci/run)
	bash .ci/run

.PHONY: clean
clean: ## Remove the local database, media and caches (keeps .venv)
	rm -rf var .pytest_cache .ruff_cache .mypy_cache
