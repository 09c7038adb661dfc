"""What every API request is checked for before authentication, filters or queries see it.

A NUL character or a lone surrogate in a query parameter, a header or a path segment would reach
a query (PostgreSQL refuses NUL in text: a database error, a 500) or be echoed into an error the
JSON renderer cannot encode. One check here covers every view, filter, search and action: such a
request answers 400 naming the parameter or header (404 for a path segment, which names no object),
and a body announced over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413 before it is read.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from calendly_integration.api.pagination import InvalidCursor
from calendly_integration.api.parsers import UNSAFE_TEXT_MESSAGE, check_body_size
from calendly_integration.untrusted import ascii_int, is_safe_text

CURSOR_PARAM = "cursor"


def _header_name(meta_key: str) -> str:
    name = meta_key.removeprefix("HTTP_")
    return "-".join(part.capitalize() for part in name.split("_"))


def _unsafe_query(request: Request) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key, values in request.query_params.lists():
        if all(is_safe_text(text) for text in (key, *values)):
            continue
        if key == CURSOR_PARAM:
            raise InvalidCursor()
        name = key if is_safe_text(key) else "".join(c for c in key if is_safe_text(c))
        errors[name] = [str(UNSAFE_TEXT_MESSAGE)]
    return errors


def _unsafe_headers(request: Request) -> dict[str, list[str]]:
    return {
        _header_name(key): [str(UNSAFE_TEXT_MESSAGE)]
        for key, value in request.META.items()
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"))
        and isinstance(value, str)
        and not is_safe_text(value)
    }


def check_request(request: Request, path_kwargs: dict[str, Any]) -> None:
    """Raise the API error for a request no view should see (see the module docstring)."""
    if any(isinstance(v, str) and not is_safe_text(v) for v in path_kwargs.values()):
        raise Http404
    errors = _unsafe_headers(request)
    errors.update(_unsafe_query(request))
    if errors:
        raise ValidationError(errors)
    length = ascii_int(request.META.get("CONTENT_LENGTH") or None)
    if length:
        check_body_size(length)
