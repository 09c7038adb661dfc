# The two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test embed matrix install lint format dist clean bench-webhooks bench-sync bench-api bench-fleet soak

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) project/demo.py

# The suite on every core with pytest-xdist (each worker has its own test database and broker
# queue); TEST_WORKERS=0 runs it in one process, TEST_ARGS adds pytest options.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) $(TEST_ARGS)

# The wheel embedded in a fresh startproject site by the steps of docs/installation.md (about two
# minutes: it builds the wheel and installs it into a new virtualenv). EMBED_DJANGO=6.1 picks the
# Django series; EMBED_PYTHON another interpreter (Django 6 needs 3.12+).
embed: install
	$(PY) -m pytest -m embed tests/embed -p no:xdist -p no:cacheprovider -v $(TEST_ARGS)

# Every (Python, Django) cell of the support matrix, each in its own virtualenv (noxfile.py;
# `.venv/bin/nox -l` lists them). NOX_ARGS="-t newest" picks the newest Python per Django.
matrix: install
	$(VENV)/bin/nox -s tests $(NOX_ARGS)

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
	$(VENV)/bin/twine check --strict dist/*
	$(PY) -c 'import sys, zipfile, glob; names = zipfile.ZipFile(glob.glob("dist/*.whl")[0]).namelist(); bad = [n for n in names if not n.startswith(("calendly_integration/", "django_calendly_integration-"))]; sys.exit(f"unexpected files in the wheel: {bad}" if bad else 0)'
	$(PY) -c 'import sys, tarfile, glob; names = {n.split("/", 1)[-1] for n in tarfile.open(glob.glob("dist/*.tar.gz")[0]).getnames()}; missing = {"LICENSE", "README.md", "CHANGELOG.md", "docs/installation.md", "docs/production.md", "calendly_integration/__init__.py"} - names; sys.exit(f"missing from the sdist: {sorted(missing)}" if missing else 0)'

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# The webhook receivers against reference views (about a minute, loopback only); BENCH_ARGS adds
# options, e.g. --server gevent or --server uvicorn.
# DATABASE_URL/REDIS_URL pick PostgreSQL and Redis, as for `make test`.
bench-webhooks: install
	$(PY) tests/benchmarks/bench_webhooks.py $(BENCH_ARGS)

# The REST API's list endpoints under gunicorn against a bare DRF view, on a mirror synced from
# the simulator (a few minutes, loopback only). Meant for PostgreSQL: set DATABASE_URL.
bench-api: install
	$(PY) tests/benchmarks/bench_api.py $(BENCH_ARGS)

# Full sync of 10,000 events against a naive baseline, SQLite and PostgreSQL (about 15 minutes;
# BENCH_ARGS="--size demo" for 2,000 events in about three; --docs writes the figures into docs/benchmarks.md).
bench-sync: install
	$(PY) -m tests.benchmarks.sync_benchmark $(BENCH_ARGS)

# "Sync all" of 20 organizations x 10 connections (about 20,000 events) against the simulator's
# per-user rate limit, with two qcluster processes (one killed mid-run), the site receiving a
# webhook burst, PostgreSQL and Redis (DATABASE_URL names the server: <name>_bench is dropped and
# created there; REDIS_URL the broker); about 10 minutes. BENCH_ARGS="--orgs 2 --users-per-org 2"
# for a smoke run.
bench-fleet: install
	$(PY) tests/benchmarks/bench_fleet.py $(BENCH_ARGS)

# Chaos soak: the demo stack (gunicorn, two django-q2 clusters) on PostgreSQL and Redis under
# faults for SOAK_ARGS="--minutes 3" (the default), then checks the mirror with calendly_doctor.
# Loopback only; DATABASE_URL names the PostgreSQL server (a scratch database is created and
# dropped), REDIS_URL the Redis (default db 4).
soak: install
	$(PY) -m tests.soak.run $(SOAK_ARGS)

# The documentation site (MkDocs, strict, no network) built into site/.
.PHONY: docs
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict
