# The two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install lint format dist clean bench-webhooks bench-sync

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) project/demo.py

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

dist: install
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -c 'import sys, zipfile, glob; names = zipfile.ZipFile(glob.glob("dist/*.whl")[0]).namelist(); bad = [n for n in names if not n.startswith(("calendly_integration/", "django_calendly_integration-"))]; sys.exit(f"unexpected files in the wheel: {bad}" if bad else 0)'

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# The webhook receiver under gunicorn against a bare view (a few minutes, loopback only).
# DATABASE_URL/REDIS_URL pick PostgreSQL and Redis, as for `make test`.
bench-webhooks: install
	$(PY) tests/benchmarks/bench_webhooks.py

# Full sync of 10,000 events against a naive baseline, SQLite and PostgreSQL (about 15 minutes;
# BENCH_ARGS="--size demo" for 2,000 events in about three; --readme writes the figures).
bench-sync: install
	$(PY) -m tests.benchmarks.sync_benchmark $(BENCH_ARGS)
