# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
TRANSLATIONS := fundtracker/translations

.PHONY: run test test-sqlite test-postgres setup translations extract-messages db-upgrade bench bench-quick browser-check clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

setup: $(VENV)/.installed translations

db-upgrade: setup
	$(FLASK) db upgrade

run: db-upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) refresh-monitoring
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). The browser suite
# (tests/browser) runs on the SQLite pass when Chromium is installed, and says in one line why not otherwise.
# One worker per core (pytest-xdist), a test file's tests on one worker (a module's fixtures, the
# PostgreSQL role the role tests create, a browser journey's demo server); TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile
test: setup
	$(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		FUNDTRACKER_TEST_DB=postgresql $(PYTEST); \
	fi

# Mark new strings, then fill in the Chinese catalog (English is generated: msgstr = msgid).
extract-messages: $(VENV)/.installed
	# --ignore-dirs: babel skips folders whose name starts with "_" by default, and templates/_macros holds the pager
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* .venv" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -N -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/python scripts/fill_english_catalog.py

# A county (1,000 villages, 20,000 projects, 500,000 entries) served by gunicorn, timed against two
# floors; BENCH_ARGS="--database-url postgresql+psycopg://…/empty_db" for PostgreSQL (see README, Speed).
bench: setup
	nice $(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

bench-quick: setup
	nice $(BIN)/python scripts/benchmark.py --quick $(BENCH_ARGS)

# The browser suite alone (part of `make test`; needs Debian's chromium).
browser-check: setup
	$(BIN)/python -m pytest -q tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
