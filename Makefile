# salesops — the two commands: `make demo` (run it) and `make test` (test it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install lint check-migrations test-sqlite test-fuzz test-postgres test-browser messages bench deploy-check clean

$(BIN)/salesops: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/salesops

install: $(BIN)/salesops

## Start the system on its embedded default: SQLite under var/, demo data, http://127.0.0.1:$(PORT)
demo: install
	$(BIN)/salesops demo --port $(PORT)

## Run everything: lint, migrations check, the suite on SQLite, the API fuzzer, on PostgreSQL when reachable, browser tests
test: install lint check-migrations test-sqlite test-fuzz test-postgres test-browser

lint:
	$(BIN)/ruff check .

check-migrations:
	env -u DATABASE_URL SALESOPS_VAR_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -n 2 -m "not browser and not fuzz"

# Schemathesis over every operation of the OpenAPI schema, as admin and as a rep, on the demo
# company: fails on any 5xx or answer that breaks its schema. FUZZ_EXAMPLES requests per
# operation and mode (valid, invalid input).
FUZZ_EXAMPLES ?= 3
test-fuzz:
	env -u DATABASE_URL SALESOPS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n 2 -m fuzz -rP tests/api

# DATABASE_URL may name any PostgreSQL server; by default the local one is tried and skipped when absent.
# Tests that cannot depend on the engine (marker engine_independent, listed in conftest.py) ran on SQLite.
test-postgres:
	@url="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/salesops}"; \
	if $(BIN)/python -m salesops.core.dbcheck "$$url"; then \
		DATABASE_URL="$$url" $(BIN)/pytest -n 2 -m "not browser and not fuzz and not engine_independent"; \
	else echo "PostgreSQL not reachable at $$url: PostgreSQL run skipped"; fi

test-browser:
	env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser -n 2 --dist loadfile

messages:
	$(BIN)/python -m salesops.core.i18n_tools

bench: install
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

deploy-check:
	SALESOPS_SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))') \
	SALESOPS_ALLOWED_HOSTS=salesops.example.com DJANGO_SETTINGS_MODULE=salesops.settings.production \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var/salesops.db* var/static
