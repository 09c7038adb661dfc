"""Reading what a client sends: refusing text and JSON that Calendly would never accept.

The simulator can be probed like the real API, so a crafted request must get an answer in
Calendly's shape (a 400), never a 500 or a dropped connection. The traps are the same as for any
server: NUL characters and lone surrogates (no database stores them, UTF-8 cannot encode a lone
surrogate), ``NaN``/``Infinity``/``1e999`` in JSON, and nesting deep enough to exhaust the stack.
The simulator knows nothing of the app, so it keeps its own small copy of these rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

#: Deeper than any Calendly request body by a wide margin, far below the recursion limit.
MAX_JSON_DEPTH = 64
#: Longer than any value a Calendly query parameter or form field takes.
MAX_VALUE_LENGTH = 8192

_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


class InputError(ValueError):
    """Input the simulator refuses; the message says why, for the 400's ``details``."""


def is_safe_text(value: str) -> bool:
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


def bad_field(fields: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The first (name, reason) among query or form fields that no Calendly endpoint takes."""
    for name, value in fields:
        label = name if is_safe_text(name) and len(name) <= 100 else "parameter"
        if not is_safe_text(name) or not is_safe_text(value):
            return label, "contains characters that are not allowed"
        if len(name) > 100 or len(value) > MAX_VALUE_LENGTH:
            return label, "is too long"
    return None


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit``; a linear scan, no recursion."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise InputError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise InputError("a number is out of range")
    return number


def loads(data: bytes) -> Any:
    """Decode a JSON body strictly. Raises ``InputError``, never ``RecursionError``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8") from None
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise InputError(f"is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except InputError:
        raise
    except (ValueError, RecursionError):
        raise InputError("is not valid JSON") from None
    if next(unsafe_strings(value), None) is not None:
        raise InputError("contains characters that are not allowed")
    return value
