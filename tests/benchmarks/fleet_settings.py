"""Settings of the fleet benchmark's site and workers: the demo site's, run as in production.

What differs from the demo, and why:

- DEBUG off (no query log growing in the workers), persistent database connections, quiet logs;
- a queue name per run (``FLEET_QUEUE``), so the benchmark's tasks never mix with anyone else's;
- ``SYNC_ON_CONNECT`` off: connecting 200 users must not start their syncs one by one; the
  measured "sync all" starts them, the way a site's first scheduled sync does;
- ``SYNC_BACKFILL_DAYS`` from ``FLEET_BACKFILL_DAYS`` (the benchmark passes 200, so the first
  sync takes every one of the simulator's events, which start 180 days back; production's
  default is 30);
- ``SYNC_INTERVAL_MINUTES`` scaled down (``FLEET_SYNC_INTERVAL``, 2 by default): the periodic
  "sync all" is what picks up the syncs a killed worker took with it (Redis has no
  acknowledgements), and in production it runs every 15 minutes; ``SYNC_LOCK_SECONDS`` scaled
  likewise (``FLEET_LOCK_SECONDS``, 60), so a killed worker's lease lapses within the run.

The database and the broker come from ``DATABASE_URL`` and ``REDIS_URL``; the simulator's URL and
the site's public URL from ``CALENDLY_SIMULATOR_URL`` and ``CALENDLY_PUBLIC_BASE_URL``, all set by
``bench_fleet``, which also passes the scheduler's settings it is asked to vary
(``FLEET_SYNC_MAX_PER_ORGANIZATION``, ``FLEET_SYNC_ROUND_SIZE``, ``FLEET_SYNC_ROUND_MINUTES``).
"""

import os

from project.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CALENDLY = {
    **CALENDLY,  # noqa: F405
    "WEBHOOK_SIGNING_KEY": os.environ.get("FLEET_SIGNING_KEY", "fleet-signing-key"),
    "SYNC_ON_CONNECT": False,
    "SYNC_BACKFILL_DAYS": int(os.environ.get("FLEET_BACKFILL_DAYS", "30")),
    "SYNC_INTERVAL_MINUTES": int(os.environ.get("FLEET_SYNC_INTERVAL", "2")),
    "SYNC_LOCK_SECONDS": int(os.environ.get("FLEET_LOCK_SECONDS", "60")),
}
# The scheduler's knobs, when the benchmark is asked to try others than the app's defaults.
for _name in ("SYNC_MAX_PER_ORGANIZATION", "SYNC_ROUND_SIZE", "SYNC_ROUND_MINUTES"):
    if os.environ.get(f"FLEET_{_name}"):
        _value = float(os.environ[f"FLEET_{_name}"])
        CALENDLY[_name] = _value if _name == "SYNC_ROUND_MINUTES" else int(_value)
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
Q_CLUSTER = {
    **Q_CLUSTER,  # noqa: F405
    "name": os.environ.get("FLEET_QUEUE", "calendly-fleet"),
    "workers": int(os.environ.get("FLEET_WORKERS", "2")),
    "log_level": "WARNING",
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"calendly_integration": {"handlers": ["console"], "level": "WARNING"}},
}
