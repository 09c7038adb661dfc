"""Form fields for query parameters that refuse what they cannot read.

Django's stock fields are forgiving in ways an API must not be: ``NullBooleanField`` reads
"maybe" as "no filter", ``DecimalField`` takes 1.5 for an id, a parameter given empty
(``?status=``) silently means "no filter", and an aware date-time at the edge of the calendar
overflows when converted to UTC deep inside the database layer. These raise a validation error
instead, which answers 400 with the parameter's name. A parameter left out is no filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1
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


class UTCDateTimeField(PresentMeansGiven, forms.Field):
    """An ISO 8601 date-time, returned aware in UTC (a naive one is read as UTC)."""

    default_error_messages = {
        "invalid": _("Must be an ISO 8601 date-time, e.g. 2026-11-24T15:00:00Z."),
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            parsed: datetime | None = value
        else:
            try:
                # RFC 3339 allows a lower-case "t" and "z"; Django's parser wants them upper-case.
                parsed = parse_datetime(str(value).strip().upper())
            except ValueError:
                parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class IdField(PresentMeansGiven, forms.IntegerField):
    """A database id: a whole number from 1 to 2**63 - 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


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
