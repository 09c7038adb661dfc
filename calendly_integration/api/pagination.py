"""Pagination: cursors for the large lists, pages for the short ones, and strict page sizes.

DRF quietly ignores a page size it cannot read; here a ``page_size`` that is not a whole number
from 1 to ``MAX_PAGE_SIZE`` answers 400, as the schema says, so a typo never looks like success.
Cursor pages cost the same at page 1 and page 10,000 and do not skip or repeat rows while new
bookings arrive, which is why the growing lists (events, invitees, deliveries, submissions) use them.

A cursor is the client's to tamper with: anything but one this API wrote (garbage, a huge one, a
position of the wrong type, NUL) answers 400 ``invalid_cursor`` before it reaches a query.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from typing import Any
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request

from calendly_integration.api.fields import MAX_ID, parse_utc_datetime
from calendly_integration.untrusted import ascii_int, is_safe_text

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"
#: Far longer than any cursor this API writes (about 60 characters).
MAX_CURSOR_LENGTH = 512
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class InvalidCursor(APIException):
    status_code = 400
    default_code = "invalid_cursor"
    default_detail = _("The page cursor is not valid: follow a next or previous link as it is.")


def strict_page_size(request: Request, default: int) -> int:
    """``page_size`` as ASCII digits from 1 to ``MAX_PAGE_SIZE`` (``int()`` reads Arabic-Indic digits too)."""
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return default
    size = ascii_int(raw, minimum=1, maximum=MAX_PAGE_SIZE)
    if size is None:
        raise ValidationError(
            {
                PAGE_SIZE_PARAM: [
                    gettext("A whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}
                ]
            }
        )
    return size


def _page_size_parameter() -> dict[str, Any]:
    return {
        "name": PAGE_SIZE_PARAM,
        "required": False,
        "in": "query",
        "description": gettext("Number of results per page (1 to %(max)s).")
        % {"max": MAX_PAGE_SIZE},
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    }


class CursorPage(CursorPagination):
    """Cursor pagination ordered by the view's ``cursor_ordering`` (default newest first)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE
    ordering = "-pk"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.ordering = getattr(view, "cursor_ordering", type(self).ordering)
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's decoding, strict: base64 of ``o``, ``r`` and a ``p`` of the ordering's type."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        if len(encoded) > MAX_CURSOR_LENGTH or not _BASE64.fullmatch(encoded):
            raise InvalidCursor()
        try:
            querystring = b64decode(encoded, validate=True).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InvalidCursor() from None
        if set(tokens) - {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
            raise InvalidCursor()
        offset = ascii_int(tokens.get("o", ["0"])[0])
        reverse = tokens.get("r", ["0"])[0]
        if offset is None or reverse not in ("0", "1"):
            raise InvalidCursor()
        position = tokens.get("p", [None])[0]
        if position is not None:
            position = self._checked_position(position)
        return Cursor(
            offset=min(offset, self.offset_cutoff), reverse=reverse == "1", position=position
        )

    def _checked_position(self, position: str) -> str:
        """The position as the ordering field reads it, or ``InvalidCursor``."""
        if not is_safe_text(position) or not position.isascii():
            raise InvalidCursor()
        name = self.ordering[0].lstrip("-")
        field = self.model._meta.pk if name == "pk" else self.model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            try:
                value = parse_utc_datetime(position)
            except OverflowError:
                value = None
            if value is None:
                raise InvalidCursor()
            return str(value)
        if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
            number = ascii_int(position, maximum=MAX_ID)
            if number is None:
                raise InvalidCursor()
            return str(number)
        try:
            field.to_python(position)
        except DjangoValidationError:
            raise InvalidCursor() from None
        return position

    def get_page_size(self, request: Request) -> int:
        return strict_page_size(request, self.page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": gettext(
                    "The pagination cursor: copy it from the next or previous link (any other "
                    "value answers 400 invalid_cursor)."
                ),
                "schema": {"type": "string"},
            },
            _page_size_parameter(),
        ]


class NumberedPage(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        """DRF reads ``?page=`` as page 1 and ``int()`` "٣" as 3; either is no page (404, like "abc")."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        if ascii_int(raw, minimum=1) is None:
            raise NotFound(self.invalid_page_message)
        return raw

    def get_page_size(self, request: Request) -> int:
        return strict_page_size(request, self.page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": gettext("A page number within the paginated result set."),
                "schema": {"type": "integer", "minimum": 1},
            },
            _page_size_parameter(),
        ]
