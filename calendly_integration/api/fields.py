"""Form fields for query parameters that refuse what they cannot read.

Django's stock fields are forgiving in ways an API must not be: ``NullBooleanField`` reads
"maybe" as "no filter", ``DecimalField`` takes 1.5 for an id, a parameter given empty
(``?status=``) silently means "no filter", and an aware date-time at the edge of the calendar
overflows when converted to UTC deep inside the database layer. These raise a validation error
instead, which answers 400 with the parameter's name. A parameter left out is no filter.

Numbers and times are read in ASCII only (Python reads ``"٣"`` as 3), and times must fall in
``EARLIEST_TIME`` to ``LATEST_TIME``: a year 9999 or 0001 is a typo or a probe, and near the
calendar's ends an offset overflows (or the database refuses the value).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calendly_integration.untrusted import ascii_int

MAX_ID = 2**63 - 1
#: The times the API accepts, in UTC: [EARLIEST_TIME, LATEST_TIME).
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2200, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = _("Must be from 1970-01-01 up to 2200-01-01 (UTC).")
TRUE_VALUES = frozenset({"true", "1"})
FALSE_VALUES = frozenset({"false", "0"})


class PresentMeansGiven:
    """Mixin: a parameter that is present must have a value (absent arrives as ``None``)."""

    default_error_messages = {"empty": _("Give a value or leave the parameter out.")}

    def clean(self, value: Any) -> Any:
        if value == "":
            raise forms.ValidationError(self.error_messages["empty"], code="empty")
        return super().clean(value)  # type: ignore[misc]


class StrictBooleanField(PresentMeansGiven, forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error."""

    default_error_messages = {"invalid": _("Must be true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def parse_utc_datetime(value: str) -> datetime | None:
    """An ISO 8601 date-time in ASCII, aware in UTC (naive read as UTC); ``None`` if unreadable.

    Raises ``OverflowError`` when the value is outside ``EARLIEST_TIME`` to ``LATEST_TIME``.
    """
    text = value.strip()
    if not text.isascii():
        return None
    try:
        # RFC 3339 allows a lower-case "t" and "z"; Django's parser wants them upper-case.
        parsed = parse_datetime(text.upper())
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise OverflowError(value) from None
    if not EARLIEST_TIME <= parsed < LATEST_TIME:
        raise OverflowError(value)
    return parsed


class UTCDateTimeField(PresentMeansGiven, forms.Field):
    """An ISO 8601 date-time, returned aware in UTC (a naive one is read as UTC)."""

    default_error_messages = {
        "invalid": _("Must be an ISO 8601 date-time, e.g. 2026-11-24T15:00:00Z."),
        "out_of_range": OUT_OF_RANGE,
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        try:
            parsed = parse_utc_datetime(str(value))
        except OverflowError:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class IdField(PresentMeansGiven, forms.IntegerField):
    """A database id: a whole number from 1 to 2**63 - 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        """ASCII digits only: Django's ``IntegerField`` reads ``"٣"`` as 3."""
        if value in self.empty_values:
            return None
        number = ascii_int(str(value))
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class StrictChoiceField(PresentMeansGiven, forms.ChoiceField):
    """A choice; empty is not one of them."""


@extend_schema_field({"type": "string", "format": "date-time"})
class DateTimeParameter(serializers.Field):
    """A serializer field reading date-times like ``UTCDateTimeField`` (strict, UTC, no overflow)."""

    def to_internal_value(self, data: Any) -> datetime:
        try:
            value = UTCDateTimeField(required=True).clean(data)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@extend_schema_field({"type": "string", "format": "date"})
class DateParameter(serializers.Field):
    """A ``YYYY-MM-DD`` day in ASCII within the accepted years (DRF's ``DateField`` reads any
    Unicode digits and any year)."""

    default_error_messages = {
        "invalid": _("Must be a date as YYYY-MM-DD, e.g. 2026-11-24."),
        "out_of_range": OUT_OF_RANGE,
    }

    def to_internal_value(self, data: Any) -> date:
        text = str(data).strip()
        if not _ISO_DATE.fullmatch(text):
            self.fail("invalid")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail("invalid")
        if not EARLIEST_TIME.date() <= day < LATEST_TIME.date():
            self.fail("out_of_range")
        return day

    def to_representation(self, value: date) -> str:
        return value.isoformat()


class IdInput(serializers.IntegerField):
    """An id in a JSON body: a JSON integer, or a string of ASCII digits (DRF reads "٣" as 3)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        if isinstance(data, str):
            number = ascii_int(data)
            if number is None:
                self.fail("invalid")
            data = number
        return super().to_internal_value(data)


def choice_output(choices: Any, *, blank: bool = False) -> serializers.CharField:
    """A read-only choice field whose schema is an inline enum ("" included when ``blank``).

    Several models have a ``status`` with different values; inline enums keep their schema
    components from colliding (which drf-spectacular would only warn about and rename), and a
    column that may be empty says so.
    """
    values = [value for value, _label in choices]
    if blank:
        values.append("")
    return extend_schema_field({"type": "string", "enum": values})(
        serializers.CharField(read_only=True)
    )
