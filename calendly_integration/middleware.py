"""Refuse requests carrying characters no database can store, before any view reads them.

A NUL character reaching a PostgreSQL query is a database error (a 500), and a lone surrogate
cannot be encoded at all. Such characters have no business in a URL path, a query string or a
header, so this middleware answers them with a 400 (JSON ``{"code", "detail"}``, as the REST API
answers its errors) for the whole site. The app's own views stay safe without it (each guards
what it reads, through ``calendly_integration.untrusted``); it is the recommended first line for
a host site, whose own views may not. Add it first in ``MIDDLEWARE``, before the session and
authentication middleware, so a hostile cookie never reaches the session store either::

    MIDDLEWARE = ["calendly_integration.middleware.RejectUnsafeInputMiddleware", ...]

Request bodies are left to the views and forms (Django's form fields refuse NUL already), since
reading a body here would defeat streaming uploads.

Views that read every outside value through ``untrusted`` themselves say so with
``handles_untrusted_input`` (the REST API, which names the offending field in its own error
shape, and the webhook receiver, which must store a signed delivery even when a header is odd);
the middleware lets their requests through, except for a hostile cookie, which the session store
would read before any view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from calendly_integration.untrusted import HANDLES_UNTRUSTED_INPUT, is_safe_request, is_safe_text

CODE = "unsafe_characters"


def _view_handles_its_input(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view: Any = match.func
    owner = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return bool(
        getattr(view, HANDLES_UNTRUSTED_INPUT, False)
        or getattr(owner, HANDLES_UNTRUSTED_INPUT, False)
    )


def unsafe_request_response() -> JsonResponse:
    return JsonResponse(
        {
            "code": CODE,
            "detail": gettext(
                "The request's address or headers contain characters that are not allowed "
                "(a NUL character or an unpaired surrogate)."
            ),
        },
        status=400,
    )


class RejectUnsafeInputMiddleware:
    """400 for a NUL character or a lone surrogate in the path, the query string or a header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The usual request is safe and costs no URL resolution.
        if not is_safe_request(request) and (
            not is_safe_text(request.META.get("HTTP_COOKIE", ""))
            or not _view_handles_its_input(request)
        ):
            return unsafe_request_response()
        return self.get_response(request)
