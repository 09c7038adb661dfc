"""Settings of the chaos soak's stack: the demo site's, with every interval scaled to minutes.

The soak runs for a few minutes, so what production does every quarter hour (sync), hour (token
and subscription checks) or after five minutes (a lapsed sync lease) happens here within a minute.
Timeouts are short enough that the simulator's injected slow answers are real read timeouts.
The database and the Redis broker come from ``DATABASE_URL`` and ``REDIS_URL``, set by the runner;
the simulator's URL and the site's public URL from ``CALENDLY_SIMULATOR_URL`` and
``CALENDLY_PUBLIC_BASE_URL``.
"""

import os

from project.settings import *  # noqa: F403
from tests.soak.stack import READ_TIMEOUT, SIGNING_KEY

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CALENDLY = {
    **CALENDLY,  # noqa: F405
    "WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    "WEBHOOK_RETRY_DELAY": 2,
    "WEBHOOK_CHECK_INTERVAL_MINUTES": 1,
    "SYNC_INTERVAL_MINUTES": 1,
    "SYNC_LOCK_SECONDS": 20,
    "SYNC_TASK_TIME_LIMIT": 60,
    "SYNC_NO_SHOW_RECHECK_MINUTES": 1,
    "TOKEN_CHECK_INTERVAL_MINUTES": 1,
    "TOKEN_REFRESH_MARGIN": 30,
    "READ_TIMEOUT": READ_TIMEOUT,
    "RETRY_BACKOFF": 0.2,
    "RETRY_BACKOFF_MAX": 1.0,
    "RATE_LIMIT_MAX_WAIT": 1.0,
}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
Q_CLUSTER = {
    **Q_CLUSTER,  # noqa: F405
    # One queue per run (the runner names it), so a run never picks up another's tasks.
    "name": os.environ.get("SOAK_QUEUE", "calendly-soak"),
    "workers": 2,
    "timeout": 90,
    "retry": 120,
    "log_level": "WARNING",
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"calendly_integration": {"handlers": ["console"], "level": "WARNING"}},
}
