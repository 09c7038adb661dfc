"""Calendly's list pagination: ``collection`` + ``pagination`` with keyset page tokens.

Tokens encode the sort key of the last (or first) row served rather than an offset, as Calendly's
keyset pagination does, so a row created while a client is paging neither repeats nor pushes
another row out of view. ``count`` is validated exactly like Calendly (1..100, else 400).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from .errors import invalid_argument
from .messages import Request

SortKey = Callable[[dict[str, Any]], tuple[Any, ...]]


def parse_count(request: Request, default: int = 20, maximum: int = 100) -> int:
    raw = request.param("count")
    if raw is None:
        return default
    try:
        count = int(raw)
    except ValueError:
        raise invalid_argument(("count", f"must be an integer between 1 and {maximum}")) from None
    if not 1 <= count <= maximum:
        raise invalid_argument(("count", f"must be between 1 and {maximum}"))
    return count


def parse_sort(request: Request, allowed: Sequence[str], default: str) -> tuple[str, bool]:
    """``field:direction`` (direction defaults to asc) -> (field, descending)."""
    raw = request.param("sort") or default
    field, _, direction = raw.partition(":")
    direction = direction or "asc"
    if field not in allowed or direction not in ("asc", "desc"):
        choices = ", ".join(f"{name}:asc, {name}:desc" for name in allowed)
        raise invalid_argument(("sort", f"must be one of {choices}"))
    return field, direction == "desc"


def _encode(kind: str, key: tuple[Any, ...]) -> str:
    raw = json.dumps([kind, list(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> tuple[str, tuple[Any, ...]]:
    try:
        padded = token + "=" * (-len(token) % 4)
        kind, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if kind not in ("after", "before") or not isinstance(key, list):
            raise ValueError(token)
        return kind, tuple(key)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise invalid_argument(("page_token", "is invalid")) from None


def _page_url(base: str, request: Request, token: str, count: int) -> str:
    params = [(k, v) for k, values in request.query.items() for v in values if k != "page_token"]
    params = [(k, v) for k, v in params if k != "count"] + [("count", str(count))]
    params.append(("page_token", token))
    return f"{base}{request.path}?{urlencode(params)}"


def paginate(
    request: Request,
    base: str,
    rows: list[dict[str, Any]],
    key: SortKey,
    *,
    descending: bool = False,
    default_count: int = 20,
    max_count: int = 100,
) -> dict[str, Any]:
    """Sort ``rows`` by ``key`` and cut the page the request's count/page_token ask for.

    ``key`` must be unique per row (end it with the uuid) so the keyset is total.
    """
    count = parse_count(request, default_count, max_count)
    ordered = sorted(rows, key=key, reverse=descending)
    keys = [key(row) for row in ordered]

    def after(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
        return a < b if descending else a > b

    token = request.param("page_token")
    if token:
        kind, mark = _decode(token)
        try:
            if kind == "after":
                start = next((i for i, k in enumerate(keys) if after(k, mark)), len(keys))
                end = start + count
            else:
                end = next((i for i, k in enumerate(keys) if not after(mark, k)), len(keys))
                start = max(0, end - count)
        except TypeError:
            raise invalid_argument(("page_token", "is invalid")) from None
    else:
        start, end = 0, count
    page = ordered[start:end]
    next_token = _encode("after", keys[end - 1]) if page and end < len(ordered) else None
    previous_token = _encode("before", keys[start]) if page and start > 0 else None
    return {
        "collection": page,
        "pagination": {
            "count": len(page),
            "next_page": _page_url(base, request, next_token, count) if next_token else None,
            "previous_page": (
                _page_url(base, request, previous_token, count) if previous_token else None
            ),
            "next_page_token": next_token,
            "previous_page_token": previous_token,
        },
    }
