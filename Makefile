# salesops — the two commands: `make demo` (run it) and `make test` (test it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install lint check-migrations test-sqlite test-postgres test-browser messages bench deploy-check clean

$(BIN)/salesops: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/salesops

install: $(BIN)/salesops

## Start the system on its embedded default: SQLite under var/, demo data, http://127.0.0.1:$(PORT)
demo: install
	$(BIN)/salesops demo --port $(PORT)

## Run everything: lint, migrations check, the suite on SQLite, on PostgreSQL when reachable, browser tests
test: install lint check-migrations test-sqlite test-postgres test-browser

lint:
	$(BIN)/ruff check .

check-migrations:
	SALESOPS_VAR_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite:
	$(BIN)/pytest -n 2 -m "not browser"

# DATABASE_URL may name any PostgreSQL server; by default the local one is tried and skipped when absent.
# By default the concurrency tests (marked `postgres`) run there, each file in its own process
# so that every one starts from a freshly migrated database with the seeded rules;
# `make test-postgres PG_TESTS="not browser"` runs the whole suite there.
PG_TESTS ?= postgres
test-postgres:
	@url="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/salesops}"; \
	if ! $(BIN)/python -m salesops.core.dbcheck "$$url"; then \
		echo "PostgreSQL not reachable at $$url: PostgreSQL run skipped"; \
	elif [ "$(PG_TESTS)" = postgres ]; then \
		for file in $$(grep -rl --include='test_*.py' 'mark.postgres' salesops | sort); do \
			DATABASE_URL="$$url" $(BIN)/pytest -p no:xdist -m postgres "$$file" || exit 1; \
		done; \
	else DATABASE_URL="$$url" $(BIN)/pytest -n 2 -m "$(PG_TESTS)"; fi

test-browser:
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser -p no:xdist

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
