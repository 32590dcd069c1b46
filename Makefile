# Two commands set everything up on a fresh machine:
#   make demo  -> virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000 (ASGI)
#   make test  -> dev dependencies, ruff, mypy, the whole pytest suite (a short seeded API fuzz included)
#   make fuzz  -> the API fuzzer with a bigger budget (FUZZ_EXAMPLES=100 per operation and role)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# uvicorn does not name itself in a Server header (one less fingerprint for a scanner).
UVICORN_FLAGS := --no-server-header

.PHONY: demo test fuzz install install-dev lint typecheck serve migrate seed worker beat relay bench check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo's e-mails (order confirmations, the invoice) go to one file per message under var/mail/
# (git-ignored), not over the terminal; EMAIL_URL set in the environment wins.
demo seed: export EMAIL_URL ?= filemail:///$(CURDIR)/var/mail
# and eager Celery's one INFO line per task stays out of it too (warnings and errors still show).
demo seed: export LOG_LEVEL ?= WARNING

seed: migrate
	$(BIN)/python manage.py seed_demo

# DEBUG off (DJANGO_DEMO=1 keeps the fake carriers, media and the /platform/ logins): the shop's own
# 404 and 500 pages, static files through WhiteNoise. The logins table comes last, then the server.
demo: migrate
	$(BIN)/python manage.py seed_demo --no-logins
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "  Shop: http://$(HOST):$(PORT)/fr/   Stock grid: http://$(HOST):$(PORT)/stock/   Admin: http://$(HOST):$(PORT)/admin/   API: http://$(HOST):$(PORT)/api/docs/"
	@echo "  Till: http://$(HOST):$(PORT)/pos/   E-mails the demo sends: var/mail/"
	@echo ""
	@$(BIN)/python manage.py demo_logins
	@DJANGO_DEBUG=0 DJANGO_DEMO=1 $(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) $(UVICORN_FLAGS) --log-level warning

serve: install
	DB_POOL=$${DB_POOL:-1} $(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) $(UVICORN_FLAGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

relay: install
	$(BIN)/python manage.py relay_outbox

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs; settings in pyproject.toml [tool.mypy]. Incremental: .mypy_cache/ makes reruns fast.
typecheck: install-dev
	$(BIN)/mypy

# Two pytest-xdist workers (one per core), each with its own test database and Redis database
# (config/settings.py); a test file stays on one worker. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: lint typecheck
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=30 $(PYTEST_ARGS)

# Schemathesis against every API operation, as staff, cashier, shopper and anonymous, every check on
# (tests/fuzz/). `make test` runs it with FUZZ_EXAMPLES=3, without the shopper and anonymous runs of the
# till and stock operations (all 401/403); both are derandomized, so every run is the same.
FUZZ_EXAMPLES ?= 100
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_ALL_ROLES=1 $(BIN)/pytest tests/fuzz -p no:randomly -n 0 -q $(PYTEST_ARGS)

check: install
	$(BIN)/python manage.py check_stock

bench: install-dev
	$(BIN)/python bench/stock_contention.py
	$(BIN)/python bench/stock_push.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
