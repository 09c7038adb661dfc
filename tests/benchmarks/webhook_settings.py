"""Settings of the webhook benchmark's server: the demo site's, as a production site would run it.

Both endpoints measured (the receiver and the bare view) are served with these same settings.
What differs from the demo: a URLconf with the bare view, DEBUG off (no query log in memory),
persistent database connections (the demo opens one per request), SQLite in write-ahead-log mode
when SQLite is used, a fixed signing key, quiet logging, and a queue name of its own so the tasks
the benchmark queues (and purges) never mix with anyone else's.
"""

from project.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.webhook_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CALENDLY = {
    **CALENDLY,  # noqa: F405
    "WEBHOOK_SIGNING_KEY": "bench-signing-key",
    "PUBLIC_BASE_URL": "http://127.0.0.1",
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
Q_CLUSTER = {**Q_CLUSTER, "name": "calendly-bench", "log_level": "WARNING"}  # noqa: F405
