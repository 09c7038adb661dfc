"""``{{ value|calendly_when }}``: the one way the app's and the demo's pages show a moment.

Calendly's users live in many time zones and a host site may render in any of them, so a time
without its zone is ambiguous ("3:53 p.m." where?). Every page prints moments the same way,
in the current time zone with its name, inside a ``<time>`` element whose ``datetime`` is exact.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

#: "Sat 5 Dec 2026, 15:53 UTC" (PHP-style format characters, as Django's ``date`` filter).
WHEN_FORMAT = "D j M Y, H:i T"
UNTIL_FORMAT = "H:i T"


def _time_element(value: datetime | None, pattern: str) -> SafeString | str:
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_format(local, pattern)
    )


@register.filter
def calendly_when(value: datetime | None) -> SafeString | str:
    """``value`` in the current time zone, with the zone's name; empty for ``None``."""
    return _time_element(value, WHEN_FORMAT)


@register.filter
def calendly_until(value: datetime | None) -> SafeString | str:
    """The end of a span that started the same day: only the clock time, zone included."""
    return _time_element(value, UNTIL_FORMAT)
