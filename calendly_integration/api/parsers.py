"""The API's JSON parser: strict JSON through ``untrusted.loads``, refused strings named by field.

DRF's ``JSONParser`` recurses once per nesting level (a body of 100,000 ``[`` is a
``RecursionError``, a 500) and accepts ``NaN``; strings with NUL or lone surrogates would reach
the database (PostgreSQL refuses NUL) or the JSON renderer (which cannot encode a surrogate).
Here each of those answers 400 before any view code runs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser

from calendly_integration.untrusted import UntrustedJSONError, is_safe_text, loads

UNSAFE_TEXT_MESSAGE = gettext_lazy("Must not contain NUL characters or unpaired surrogates.")


class RequestTooLarge(APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's own check answers an HTML 400)."""

    status_code = 413
    default_code = "request_too_large"
    default_detail = gettext_lazy("The request body is too large.")


def check_body_size(length: int) -> None:
    """Raise ``RequestTooLarge`` when ``length`` bytes are over Django's upload limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        raise RequestTooLarge()


def _safe_name(part: Any) -> str:
    text = str(part)
    return text if is_safe_text(text) else "".join(c if is_safe_text(c) else "\ufffd" for c in text)


def unsafe_fields(value: Any, path: str = "") -> dict[str, list[str]]:
    """Field paths (``candidates.0.name``) whose key or string is not ``is_safe_text``."""
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if not is_safe_text(item):
                found[where or "non_field_errors"] = [str(UNSAFE_TEXT_MESSAGE)]
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{_safe_name(key)}" if where else _safe_name(key)
                if not is_safe_text(key):
                    found[name] = [str(UNSAFE_TEXT_MESSAGE)]
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend(
                (f"{where}.{index}" if where else str(index), child)
                for index, child in enumerate(item)
            )
    return found


class StrictJSONParser(JSONParser):
    """``application/json`` read by ``untrusted.loads`` (bounded depth, no NaN, UTF-8)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read() if limit is None else stream.read(limit + 1)
        check_body_size(len(data))
        try:
            decoded = loads(data)
        except UntrustedJSONError as exc:
            raise ParseError(
                gettext("JSON parse error: %(reason)s.") % {"reason": exc.reason}
            ) from None
        refused = unsafe_fields(decoded)
        if refused:
            raise ValidationError(refused)
        return decoded
