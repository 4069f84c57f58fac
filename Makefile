# Linli — the two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two are made of.

SHELL := /bin/bash
# uv from PATH, else the copy pip installs into this Python (`python3 -m uv`).
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
PWA_SOURCES := $(shell find pwa -path pwa/node_modules -prune -o -path pwa/dist -prune -o -type f -print 2>/dev/null)
TEST_DB ?= all

.PHONY: run serve test audit fuzz lint fmt migrate demo-data install pwa api-types screenshots clean

## run: install what is missing, migrate, seed demo data into an empty database, serve on :8000
run: install pwa migrate demo-data serve

serve:
	$(UV) run linli serve

migrate: install
	$(UV) run linli migrate

demo-data: install
	$(UV) run linli demo-data

## test: lint, then the whole suite (SQLite, and PostgreSQL when reachable; TEST_DB=sqlite|postgresql)
test: install lint audit
	TEST_DB=$(TEST_DB) UV=$(UV) scripts/run-tests

## audit: pip-audit and npm audit against scripts/audit-allowlist.txt (skips when offline)
audit: install
	UV=$(UV) scripts/audit-deps

## fuzz: schemathesis with every phase and 100 examples per operation, as each role (long)
fuzz: install
	LINLI_FUZZ_EXAMPLES=100 LINLI_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
		$(UV) run pytest -q -s tests/security/test_fuzz.py

## screenshots: redraw docs/screenshots/ (390×844, demo data) from the end-to-end tours in Chromium
screenshots: install pwa
	LINLI_SCREENSHOTS=docs/screenshots LINLI_TEST_DB=sqlite $(UV) run pytest -q \
		tests/e2e/test_screens.py tests/e2e/test_notices.py tests/e2e/test_ventures.py

lint: install
	$(UV) run ruff check backend tests alembic scripts benchmarks
	$(UV) run ruff format --check backend tests alembic scripts benchmarks

fmt: install
	$(UV) run ruff check --fix backend tests alembic scripts benchmarks
	$(UV) run ruff format backend tests alembic scripts benchmarks

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

## pwa: build the phone app when its sources changed (skipped, with a note, without Node.js)
pwa: pwa/dist/index.html

pwa/dist/index.html: $(PWA_SOURCES)
	@if [ ! -f pwa/package.json ]; then echo "no PWA sources yet"; \
	elif ! command -v npm >/dev/null; then echo "Node.js/npm not found: PWA not built (API still serves)"; \
	else cd pwa && npm ci --no-audit --no-fund && npm run build; fi

## api-types: regenerate the PWA's typed API client after changing a route or body
api-types: install
	UV=$(UV) scripts/dump-openapi /tmp/linli-openapi.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error && npm run gen:api -- /tmp/linli-openapi.json

clean:
	rm -rf .venv var pwa/dist pwa/node_modules
