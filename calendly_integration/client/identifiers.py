"""Resource URIs and bare UUIDs, interchangeably.

Calendly names every resource by a URI (``https://api.calendly.com/scheduled_events/<uuid>``) and we
store URIs, but people paste UUIDs. Every method therefore takes either: path identifiers are reduced
to the UUID (and the request goes to the client's own base URL, never to a host named in a URI), and
query/body references are expanded to a full URI, which is what Calendly expects there.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SAFE_UUID = re.compile(r"^[A-Za-z0-9_-]+$")


def _require(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is required: pass its URI or UUID (got {value!r}).")
    return value.strip()


def _segments(value: str) -> list[str] | None:
    """The path segments of a URI, or ``None`` when ``value`` is a bare identifier."""
    if "/" not in value:
        return None
    return [s for s in urlsplit(value).path.split("/") if s]


def _check_uuid(uuid: str, what: str, original: str) -> str:
    if not _SAFE_UUID.match(uuid):
        raise ValueError(f"{what} is not a valid Calendly UUID or URI: {original!r}.")
    return uuid


def resource_uuid(value: str | None, collection: str, what: str) -> str:
    """The UUID from ``<base>/<collection>/<uuid>`` (or the bare UUID itself)."""
    text = _require(value, what)
    segments = _segments(text)
    if segments is None:
        return _check_uuid(text, what, text)
    try:
        index = len(segments) - 1 - segments[::-1].index(collection)
        uuid = segments[index + 1]
    except (ValueError, IndexError):
        raise ValueError(f"{what} should be a /{collection}/<uuid> URI, got {text!r}.") from None
    return _check_uuid(uuid, what, text)


def nested_uuids(
    value: str | None, parent: str, child: str, what: str, parent_value: str | None = None
) -> tuple[str, str]:
    """Parent and child UUIDs from ``<base>/<parent>/<p>/<child>/<c>``, or from two separate values.

    A nested resource (an invitee of an event, an invitation of an organization) is either given by
    its full URI, or by its UUID plus the parent's URI or UUID.
    """
    text = _require(value, what)
    segments = _segments(text)
    if segments is not None and parent in segments and child in segments:
        parent_uuid = resource_uuid(text, parent, what)
        return parent_uuid, resource_uuid(text, child, what)
    child_uuid = resource_uuid(text, child, what)
    if parent_value is None:
        raise ValueError(
            f"{what} given as a bare UUID also needs its parent /{parent}/ URI or UUID."
        )
    return resource_uuid(parent_value, parent, f"The {parent} of {what}"), child_uuid


def resource_uri(base_url: str, value: str | None, collection: str, what: str) -> str:
    """A full resource URI: kept as given when it is one, built on ``base_url`` from a UUID."""
    text = _require(value, what)
    if "/" in text:
        parts = urlsplit(text)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"{what} is not an absolute URI: {text!r}.")
        return text
    return f"{base_url.rstrip('/')}/{collection}/{quote(_check_uuid(text, what, text))}"


def path(*segments: str) -> str:
    """Join already-validated segments into an API path, percent-encoding each one."""
    return "/" + "/".join(quote(s, safe="") for s in segments)
