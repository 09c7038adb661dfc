"""Whether a new sync continues the unfinished one, and with which window.

An unfinished run left a cursor (its window, whether it was full, the step and page it reached).
The next run picks it up when it asks for the same thing, so interrupted work is finished rather
than started over: the same explicit window; a full sync after a full one; and any background
(incremental) sync after a full one or a recent incremental one, since the background is what
keeps retrying. Anything else starts afresh.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from calendly_integration.sync.window import Window

#: An unfinished incremental sync older than this is abandoned rather than resumed.
RESUME_MAX_AGE = timedelta(days=1)


def plan_run(
    cursor: dict[str, Any],
    full: bool,
    since: date | datetime | None,
    until: date | datetime | None,
    now: datetime,
) -> tuple[Window, bool, dict[str, Any]]:
    """The window, fullness and cursor of a new run: the unfinished run's when this one
    continues it, else fresh ones for what was asked."""
    explicit = since is not None or until is not None
    if cursor.get("step") and continues(cursor, full, explicit, since, until, now):
        return Window.from_json(cursor.get("window")), bool(cursor.get("full")), dict(cursor)
    if explicit:
        window = Window.between(since, until)
    elif full:
        window = Window()
    else:
        window = Window.incremental(now)
    fresh = {
        "full": full,
        "explicit": explicit,
        "window": window.to_json(),
        "started_at": now.isoformat(),
    }
    return window, full, fresh


def continues(
    cursor: dict[str, Any],
    full: bool,
    explicit: bool,
    since: Any,
    until: Any,
    now: datetime,
) -> bool:
    if explicit:
        wanted = Window.between(since, until).to_json()
        return bool(cursor.get("explicit")) and cursor.get("window") == wanted
    if cursor.get("explicit"):
        return False
    if full:
        return bool(cursor.get("full"))
    if cursor.get("full"):
        return True  # a full sync covers an incremental one: finish it
    started = cursor.get("started_at")
    try:
        return now - datetime.fromisoformat(started) < RESUME_MAX_AGE
    except (TypeError, ValueError):
        return False
