"""Admin pages refuse hostile input: characters no database stores, dates no column holds.

A NUL character in the admin's search box, a list filter or an object id reaches a PostgreSQL
query and fails there (a 500); a lone surrogate cannot even be encoded. The app's admin pages
answer such a request with a 400 before Django's admin code reads it, whether or not the site
uses ``calendly_integration.middleware.RejectUnsafeInputMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext

from calendly_integration.untrusted import ascii_int, is_safe_request

#: The date hierarchy's parts and their bounds; a year stops short of 9999 because Django
#: computes the start of the *next* year (or month, or day) as the end of the range.
DATE_PARTS = (("year", 1, 9998), ("month", 1, 12), ("day", 1, 31))


def refuse_unsafe_requests(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view``, answering 400 when the path, query string or a header is not safe text."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_safe_request(request):
            return HttpResponseBadRequest(
                gettext(
                    "The address or a header of this request contains characters that are not "
                    "allowed (a NUL character or an unpaired surrogate)."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return view(request, *args, **kwargs)

    return guarded


def bad_date_hierarchy(query: QueryDict, field: str | None) -> str:
    """Why the date hierarchy's ``year``/``month``/``day`` in ``query`` name no date ("" when
    they are fine or absent)."""
    if not field:
        return ""
    for part, low, high in DATE_PARTS:
        value = query.get(f"{field}__{part}")
        if value is not None and ascii_int(value, minimum=low, maximum=high) is None:
            return gettext("The %(part)s must be a whole number from %(low)s to %(high)s.") % {
                "part": part,
                "low": low,
                "high": high,
            }
    return ""


def without_date_hierarchy(request: HttpRequest, field: str) -> str:
    """The request's URL without the date hierarchy's parameters."""
    query = request.GET.copy()
    for part, _low, _high in DATE_PARTS:
        query.pop(f"{field}__{part}", None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
