"""Pagination: cursors for the large lists, pages for the short ones, and strict page sizes.

DRF quietly ignores a page size it cannot read; here a ``page_size`` that is not a whole number
from 1 to ``MAX_PAGE_SIZE`` answers 400, as the schema says, so a typo never looks like success.
Cursor pages cost the same at page 1 and page 10,000 and do not skip or repeat rows while new
bookings arrive, which is why the growing lists (events, invitees, deliveries, submissions) use them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"


def strict_page_size(request: Request, default: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
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
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        return strict_page_size(request, self.page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": gettext(
                    "The pagination cursor: copy it from the next or previous link."
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
        """DRF reads ``?page=`` as page 1; an empty page number is no page (404, like "abc")."""
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)

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
