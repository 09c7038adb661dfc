"""The OpenAPI schema: drf-spectacular's, plus every error an operation can answer.

A client (and a fuzzer) must be able to rely on the documented status codes, so each operation
lists the errors it can answer with the one error shape (``ErrorSerializer``): 400, 401, 403 and
404 everywhere, 413 and 415 where a body is read, and for operations that call Calendly also
409, 424, 429 (with ``Retry-After``), 502 and 504. A paginated list's 400 says what its page
parameters refuse (``invalid_cursor``, a page size); a view's own ``extend_schema`` 400 (a range
over 7 days, a refused token) is kept as it is.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework.pagination import CursorPagination

from calendly_integration.api.serializers.errors import ErrorSerializer

COMMON_ERRORS = {
    "400": _("Invalid input; `errors` lists the messages per field."),
    "401": _("Not signed in."),
    "403": _("Not allowed: no permission, a missing Calendly scope, or a connection to renew."),
    "404": _("No such object among those you may see (or no such page number)."),
}
BODY_ERRORS = {
    "413": _("The body is over the site's upload limit (`request_too_large`)."),
    "415": _("The body is not JSON."),
}
CURSOR_LIST_400 = _(
    "Invalid input; `errors` lists the messages per field: a filter value that cannot be read "
    "(text with NUL, a time outside 1970 to 2200), a `page_size` that is not 1 to 100, or code "
    "`invalid_cursor` for a cursor this API did not write."
)
PAGE_LIST_400 = _(
    "Invalid input; `errors` lists the messages per field: a filter value that cannot be read "
    "(text with NUL, a time outside 1970 to 2200) or a `page_size` that is not 1 to 100."
)
CALENDLY_ERRORS = {
    "409": _("The object's state does not allow this (for example, already canceled)."),
    "424": _("Calendly could not reach the host's connected calendar."),
    "429": _("Calendly's rate limit was reached; retry after `Retry-After` seconds."),
    "502": _("Calendly failed or could not be reached."),
    "504": _("Calendly did not answer in time."),
}
TIME_RANGE_400 = _(
    "Invalid input; `errors` lists the messages per field: a time that cannot be read or is "
    "outside 1970 to 2200, an end not after the start, or a range over 7 days."
)
RETRY_AFTER = {
    "Retry-After": {
        "description": _("Seconds to wait before trying again."),
        "schema": {"type": "integer", "minimum": 1},
    }
}


class CalendlyAutoSchema(AutoSchema):
    """Adds the documented error responses to every operation of the app's views."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self._is_list():
            cursor = isinstance(getattr(self.view, "paginator", None), CursorPagination)
            errors["400"] = CURSOR_LIST_400 if cursor else PAGE_LIST_400
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        if self._calls_calendly():
            errors.update(CALENDLY_ERRORS)
        for code, description in errors.items():
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = str(description)
            if code == "429":
                response["headers"] = RETRY_AFTER
            responses[code] = response
        return responses

    def _is_list(self) -> bool:
        return (
            self.method == "GET"
            and getattr(self.view, "pagination_class", None) is not None
            and self._is_list_view()
        )

    def _calls_calendly(self) -> bool:
        action = getattr(self.view, "action", None)
        return action in getattr(self.view, "calendly_actions", ())
