"""Small renderers the admin pages share: readable JSON, links out to Calendly, links in.

Values come from Calendly (or from whoever sent a webhook), so everything is escaped, and only
http(s) URLs become links: a ``javascript:`` URL in a payload stays text.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

EMPTY = "—"


def pretty_json(value: Any) -> SafeString:
    """JSON indented and sorted, in a ``<pre>`` that keeps long payloads scrollable."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre class="calendly-json">{}</pre>', text)


def is_web_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def external_link(url: str, label: str | None = None) -> SafeString | str:
    """A link that opens in a new tab (``rel=noopener``), or the dash for a missing/odd URL."""
    if not is_web_url(url):
        return url or EMPTY
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, label or url
    )


def calendly_links(*pairs: tuple[str, str]) -> SafeString | str:
    """Several labelled links out to Calendly on one line (missing ones left out)."""
    links = [external_link(url, label) for label, url in pairs if is_web_url(url)]
    if not links:
        return EMPTY
    return format_html(" · ".join(["{}"] * len(links)), *links)


def admin_link(obj: models.Model | None, label: str | None = None) -> SafeString | str:
    """A link to the object's admin page (plain text when it is not registered)."""
    if obj is None:
        return EMPTY
    meta = obj._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(label or obj)
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


def changelist_link(model: type[models.Model], label: str, **filters: Any) -> SafeString:
    """A link to a changelist filtered by ``filters`` (e.g. the invitees of one event)."""
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    if filters:
        url += "?" + urlencode(filters)
    return format_html('<a href="{}">{}</a>', url, label)
