"""Prefilled booking URLs: a Calendly booking page with the invitee's details already filled in.

Calendly reads ``name``, ``email``, ``first_name``, ``last_name``, UTM and Salesforce tracking,
answers ``a1``..``a10`` and the ``month``/``date`` to open from the query string of any booking URL
(a scheduling page or a single-use link). Values are percent-encoded with ``%20`` for spaces and
``%2B`` for ``+`` (a literal ``+`` in a query reads as a space, so ``ann+tag@example.com`` would
otherwise arrive as ``ann tag@example.com``). The URL's own query parameters are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from calendly_integration.client.tracking import TRACKING_KEYS

MAX_ANSWERS = 10


def _month(value: date | str) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    try:
        return datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except (TypeError, ValueError):
        raise ValueError(f"month must be a date or a 'YYYY-MM' string, got {value!r}.") from None


def _date(value: date | str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValueError(f"date must be a date or a 'YYYY-MM-DD' string, got {value!r}.") from None


def _answers(answers: Sequence[str] | Mapping[int, str]) -> dict[str, str]:
    """``a1``..``a10`` from a list (in question order) or a {question number: answer} mapping."""
    if isinstance(answers, str):
        raise ValueError("answers must be a list or a mapping of answers, not a string.")
    pairs = (
        list(answers.items()) if isinstance(answers, Mapping) else list(enumerate(answers, start=1))
    )
    if len(pairs) > MAX_ANSWERS:
        raise ValueError(f"Calendly prefills at most {MAX_ANSWERS} answers (a1..a10).")
    prefill = {}
    for number, answer in pairs:
        if (
            isinstance(number, bool)
            or not isinstance(number, int)
            or not 1 <= number <= MAX_ANSWERS
        ):
            raise ValueError(f"Answer numbers run from 1 to {MAX_ANSWERS}, got {number!r}.")
        if answer is not None:
            prefill[f"a{number}"] = str(answer)
    return prefill


def prefilled_booking_url(
    booking_url: str,
    *,
    name: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    answers: Sequence[str] | Mapping[int, str] = (),
    month: date | str | None = None,
    date: date | str | None = None,
    **tracking: str | None,
) -> str:
    """``booking_url`` with the given details added to its query string (``None`` left out).

    ``tracking`` takes the keys of ``TRACKING_KEYS`` (``utm_source`` ... ``salesforce_uuid``).
    """
    unknown = sorted(set(tracking) - set(TRACKING_KEYS))
    if unknown:
        raise TypeError(
            f"prefilled_booking_url() got an unexpected keyword argument {unknown[0]!r}"
        )
    parts = urlsplit(booking_url or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"booking_url must be an absolute http(s) URL, got {booking_url!r}.")
    given = {"name": name, "email": email, "first_name": first_name, "last_name": last_name}
    given.update((key, tracking.get(key)) for key in TRACKING_KEYS)
    prefill: dict[str, str] = {key: value for key, value in given.items() if value is not None}
    prefill.update(_answers(answers))
    if month is not None:
        prefill["month"] = _month(month)
    if date is not None:
        prefill["date"] = _date(date)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in prefill]
    query = urlencode([*kept, *prefill.items()], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
