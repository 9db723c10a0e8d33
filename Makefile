# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install browser lint test-sqlite test-postgres test-production messages bench postgis clean

$(BIN)/gridgov: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/gridgov

# The demo on http://127.0.0.1: plain http and no second factor for the demo logins
# (production keeps both on by default; docs/decisions/0010 and 0012).
run: export GRIDGOV_HTTPS ?= false
run: export GRIDGOV_REQUIRE_2FA ?= false
run: install
	$(BIN)/gridgov migrate --no-input
	$(BIN)/gridgov demo
	$(BIN)/gridgov demo_positions
	@# The task queue's consumer (deliveries, plate jobs, periodic sweeps) runs beside the
	@# server and stops with it; its queue is a SQLite file in var/ (docs/decisions/0014).
	trap 'kill 0' EXIT; $(BIN)/gridgov run_huey & $(BIN)/gridgov runserver 127.0.0.1:8000

# Debian's chromium and a CJK font for the browser tests (Playwright drives it; no browser download),
# and poppler's pdftoppm, which renders the reports' PDF pages in tests/reports.
browser:
	@(command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && fc-list :lang=zh | grep -q .) \
	  || (apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk poppler-utils) \
	  || (echo "chromium is missing and could not be installed (run as root: apt-get install -y chromium)" >&2; exit 1)

lint: install
	$(BIN)/ruff check src tests bench

# The suite spread over the cores (pytest-xdist; each worker has its own test database), the
# browser tests apart and one at a time: each starts chromium and a live server of its own.
# xdist's default scheduling keeps each worker's tests in collection order, where
# pytest-django puts the tests that flush the database last (work stealing does not).
XDIST ?= -n auto
FAST_TESTS := -m "not browser" $(XDIST)
BROWSER_TESTS := -m browser -p no:xdist

# While working: ruff and every test but the browser ones, on SQLite only, the OpenAPI fuzz
# with 2 examples per operation and role instead of 6.
check: lint
	env -u DATABASE_URL GRIDGOV_FUZZ_EXAMPLES=2 $(BIN)/pytest $(FAST_TESTS)

test-sqlite: install browser
	env -u DATABASE_URL $(BIN)/pytest $(FAST_TESTS)
	env -u DATABASE_URL $(BIN)/pytest $(BROWSER_TESTS)

# PostgreSQL when one answers at DATABASE_URL (or the local default); said loudly when skipped.
test-postgres: install browser
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1].replace('postgres://', 'postgresql://'), connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== tests on PostgreSQL ($$url)"; \
	  DATABASE_URL="$$url" $(BIN)/pytest $(FAST_TESTS) && DATABASE_URL="$$url" $(BIN)/pytest $(BROWSER_TESTS); \
	else echo "== PostgreSQL not reachable at $$url: PostgreSQL run SKIPPED"; fi

# Production as deployed: PostgreSQL, Redis and three gunicorn workers (when both services answer).
test-production: install
	@if $(BIN)/python -c "import psycopg, redis; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close(); redis.Redis.from_url('redis://127.0.0.1:6379/15', socket_connect_timeout=3).ping()" 2>/dev/null; then \
	  echo "== production smoke test (PostgreSQL, Redis, gunicorn)"; $(BIN)/python tests/production_smoke.py; \
	else echo "== PostgreSQL or Redis not reachable on 127.0.0.1: production smoke test SKIPPED"; fi

test: lint test-sqlite test-postgres test-production

# PostGIS for the baseline of bench/nearest.py (installed like chromium above; the bench
# says loudly that its PostGIS baseline is skipped when it is missing).
postgis:
	@dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 \
	  || (apt-get update -q && apt-get install -y -q postgresql-15-postgis-3) \
	  || echo "== PostGIS could not be installed (as root: apt-get install -y postgresql-15-postgis-3): the PostGIS baseline of bench/nearest.py is SKIPPED" >&2

bench: install postgis
	$(BIN)/python bench/lookup.py
	$(BIN)/python bench/import_divisions.py
	$(BIN)/python bench/event_intake.py
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/plates.py
	$(BIN)/python bench/canvass.py
	$(BIN)/python bench/party_proposal.py

messages: install
	cd src/gridgov && ../../$(BIN)/gridgov makemessages -l zh_Hans -l en --no-obsolete && ../../$(BIN)/gridgov compilemessages

clean:
	rm -rf $(VENV) var

# Load and fault scenarios against gunicorn + PostgreSQL + Redis + Huey with 1M events
# (bench/load.py; docs/decisions/0020). `faults` stops PostgreSQL and Redis for a few seconds:
# never while anyone else uses them.
.PHONY: load faults
$(BIN)/locust: pyproject.toml | install
	$(BIN)/pip install --quiet -e '.[dev,load]'
	touch $@

load: install $(BIN)/locust
	$(BIN)/python bench/load.py --profile

faults: install $(BIN)/locust
	$(BIN)/python bench/load.py --faults
