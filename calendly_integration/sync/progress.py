"""A plain-text progress bar for the sync command: on a terminal only, no dependency.

It redraws one line with a carriage return. When the output is not a terminal (a log file, cron,
CI) it stays silent, since a hundred half-lines of progress help nobody there.
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from django.utils.translation import gettext

from calendly_integration.sync.context import SyncProgress


class ProgressBar:
    def __init__(self, stream: TextIO, *, label: str = "", enabled: bool | None = None) -> None:
        self.stream = stream
        self.label = label
        isatty = getattr(stream, "isatty", None)
        self.enabled = enabled if enabled is not None else bool(isatty and isatty())
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, progress: SyncProgress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and progress.step == "scheduled_events":
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(progress).ljust(self._width()))
        self.stream.flush()
        self._drawn = True

    def render(self, progress: SyncProgress) -> str:
        details = gettext("%(events)s events, %(pages)s pages, %(requests)s requests") % {
            "events": progress.events,
            "pages": progress.pages,
            "requests": progress.http_requests,
        }
        prefix = f"{self.label} {progress.step:<16}" if self.label else f"{progress.step:<16}"
        if progress.fraction is None:
            return f"{prefix} {details}"[: self._width()]
        width = 24
        filled = round(progress.fraction * width)
        bar = "#" * filled + "-" * (width - filled)
        return f"{prefix} [{bar}] {progress.fraction:4.0%} {details}"[: self._width()]

    def close(self) -> None:
        """End the progress line so the next output starts on its own line."""
        if self.enabled and self._drawn:
            self.stream.write("\r" + " " * self._width() + "\r")
            self.stream.flush()
        self._drawn = False

    @staticmethod
    def _width() -> int:
        return max(shutil.get_terminal_size((100, 20)).columns - 1, 40)
