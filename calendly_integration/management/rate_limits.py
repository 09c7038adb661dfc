"""Waiting out Calendly's rate limit in a command, saying how long and until when.

A command runs in the foreground for a person (or a cron job) who asked for the work to be done,
so unlike a task it waits for Calendly's window to reset and carries on. What it prints is the
wait Calendly asked for and the local time the work resumes, never how long the stopped part took.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from django.utils import timezone


def resume_time(retry_after: float) -> datetime:
    """When Calendly takes requests again, ``retry_after`` seconds from now (at least one)."""
    return timezone.now() + timedelta(seconds=max(float(retry_after), 1.0))


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until ``moment`` (rounded up, never negative)."""
    return max(0, math.ceil((moment - timezone.now()).total_seconds()))


def clock(moment: datetime) -> str:
    """``moment`` as the site's local time of day, e.g. ``14:05:09``."""
    return timezone.localtime(moment).strftime("%H:%M:%S")


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))
