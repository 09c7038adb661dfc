"""Reading text, numbers and JSON that come from outside: query strings, headers, bodies.

Three traps turn hostile input into a 500 instead of a 400:

- PostgreSQL refuses NUL characters in text (and ``\\u0000`` in ``jsonb``), and a lone surrogate
  cannot be encoded as UTF-8, so either one reaching a query or an INSERT is a database error;
- Python's ``int()`` and ``str.isdigit()`` accept every Unicode digit, so ``"٣"`` would name row 3
  and fullwidth ``"10"`` a page of ten;
- ``json.loads`` recurses once per nesting level (``RecursionError`` past a few thousand) and
  accepts ``NaN`` and ``Infinity``, which no JSON column or client can read back.

Every way in (API, webhook receiver, pages) reads outside input through these functions so the
rules are the same everywhere. This module imports nothing of the app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TypeVar
from urllib.parse import unquote_plus

#: Deeper than any Calendly payload (about 6 levels) by a wide margin, far below the recursion limit.
MAX_JSON_DEPTH = 64

_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
#: What ``safe_text`` puts in place of a character no database column can hold.
REPLACEMENT = "\ufffd"
_ASCII_INT = re.compile(r"[0-9]{1,18}")
#: A complete JSON string (escapes included); an unterminated one is left, as JSON refuses it.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class UntrustedJSONError(ValueError):
    """The bytes are not JSON this app will read; ``reason`` says why, in plain English."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_safe_text(value: str) -> bool:
    """``True`` when ``value`` can be stored and queried on every supported database."""
    return _UNSAFE_TEXT.search(value) is None


def unsafe_strings(value: Any) -> Iterator[str]:
    """Every string (keys included) inside decoded JSON that ``is_safe_text`` refuses."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_safe_text(item):
                yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def safe_text(value: str) -> str:
    """``value`` with each NUL or lone surrogate replaced by U+FFFD, for a text column or a page.

    The same string back (no copy) when there is nothing to replace, the usual case.
    """
    if _UNSAFE_TEXT.search(value) is None:
        return value
    return _UNSAFE_TEXT.sub(REPLACEMENT, value)


def scrub(value: Any) -> Any:
    """Decoded JSON with ``safe_text`` applied to every string, keys included.

    The same object back when nothing needs replacing. Recursive: meant for what ``loads`` (depth
    bounded) or an API client decoded, never for unbounded input.
    """
    if not any(True for _ in unsafe_strings(value)):
        return value
    return _scrubbed(value)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(key): _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def ascii_int(value: str | None, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    """``value`` as an int when it is plain ASCII digits within bounds, else ``None``."""
    if value is None or not _ASCII_INT.fullmatch(value):
        return None
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        return None
    return number


def request_texts(request: Any) -> Iterator[str]:
    """A Django request's text outside its body: path, query keys and values, header values."""
    yield request.path
    yield request.path_info
    # Decoded here rather than through ``request.GET``: parsing a query of too many fields
    # raises, and the view (the API answers that in JSON) should be the one to say so.
    yield unquote_plus(request.META.get("QUERY_STRING", ""))
    for key, value in request.META.items():
        if isinstance(value, str) and (
            key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")
        ):
            yield value


#: Set (by ``handles_untrusted_input``) on a view whose own code checks every outside value.
HANDLES_UNTRUSTED_INPUT = "handles_untrusted_input"

V = TypeVar("V")


def handles_untrusted_input(view: V) -> V:
    """Mark a view (function or class) that reads its path, query and headers safely itself.

    ``middleware.RejectUnsafeInputMiddleware`` then leaves its requests to it, so it can answer
    in its own terms (the API names the field; the receiver stores a signed delivery).
    """
    setattr(view, HANDLES_UNTRUSTED_INPUT, True)
    return view


def is_safe_request(request: Any) -> bool:
    """``True`` when ``request_texts`` are all safe text (the body is not read: forms check it)."""
    return all(is_safe_text(text) for text in request_texts(request))


def json_depth_exceeds(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than ``limit``, found without parsing.

    Linear and mostly at C speed, since the webhook receiver runs it on every delivery: text
    with no more opening brackets than ``limit`` cannot nest deeper (a Calendly payload has a
    few dozen); otherwise the strings are cut out and only the brackets are walked, so a body of
    a million ``[`` costs one pass and no recursion.
    """
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise UntrustedJSONError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise UntrustedJSONError("a number is out of range")
    return number


def loads(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON strictly: bounded depth, no ``NaN``/``Infinity``, valid UTF-8.

    Raises ``UntrustedJSONError`` (a ``ValueError``) for anything else; never ``RecursionError``.
    Strings with NUL or lone surrogates decode; callers that store them check ``unsafe_strings``.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UntrustedJSONError("the body is not UTF-8") from error
    else:
        text = data
    if json_depth_exceeds(text, max_depth):
        raise UntrustedJSONError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except UntrustedJSONError:
        raise
    except (ValueError, RecursionError) as error:
        raise UntrustedJSONError("the body is not valid JSON") from error
