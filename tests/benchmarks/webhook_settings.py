"""Settings of the webhook benchmark's server: the demo site's, as a production site would run it.

Every endpoint measured (the receivers and the reference views) is served with these same
settings. What differs from the demo: a URLconf with the reference views, DEBUG off (no query log
in memory), persistent database connections under gunicorn's threads (the demo opens one per
request), SQLite in write-ahead-log mode when SQLite is used, a fixed signing key, quiet logging
(but the traceback of a failed request), and a queue name of its own so the tasks the benchmark
queues (and purges) never mix with anyone else's.
"""

import os

from project.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.webhook_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CALENDLY = {
    **CALENDLY,  # noqa: F405
    "WEBHOOK_SIGNING_KEY": "bench-signing-key",
    "PUBLIC_BASE_URL": "http://127.0.0.1",
}
LOGGING = {  # quiet, but a request that fails shows its traceback
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
# Django keeps a persistent connection per thread (per asyncio context or greenlet under ASGI and
# gevent, which are new for every request or client): those servers open one per request instead,
# as Django advises when no connection pool is installed.
DATABASES["default"]["CONN_MAX_AGE"] = (  # noqa: F405
    60 if os.environ.get("BENCH_SERVER", "gthread") == "gthread" else 0
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
Q_CLUSTER = {**Q_CLUSTER, "name": "calendly-bench", "log_level": "WARNING"}  # noqa: F405
