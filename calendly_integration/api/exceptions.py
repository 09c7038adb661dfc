"""One exception handler: every failure answers JSON ``{"code", "detail", ...}``, never a 500.

Typed errors from the services, the oauth package and the Calendly client are described once
(``services.errors.describe_error``): Calendly's 429 becomes our 429 with ``Retry-After``, its
5xx and unreadable answers 502, timeouts 504, its 404 our 404, a missing scope 403 naming the
scope. DRF's own errors get the same shape; validation errors list their messages per field
under ``errors``. Django's own refusals of a request (a body over the upload limit, too many
fields) would be HTML; here they are 413 and 400 in the same shape. Views use this handler whatever the host's ``EXCEPTION_HANDLER`` says.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from calendly_integration.api.parsers import RequestTooLarge
from calendly_integration.services.errors import describe_error

logger = logging.getLogger(__name__)


def _first_message(errors: Any) -> str:
    """The first message of a (possibly nested) DRF error structure."""
    if isinstance(errors, dict):
        for value in errors.values():
            message = _first_message(value)
            if message:
                return message
        return ""
    if isinstance(errors, list):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
        return ""
    return str(errors)


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    errors = exc.detail
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
    return {
        "code": "invalid",
        "detail": _first_message(errors) or gettext("The request is not valid."),
        "errors": errors,
    }


def _api_exception(exc: exceptions.APIException) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        detail = exc.detail
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": detail if isinstance(detail, str) else _first_message(detail),
        }
    return Response(body, status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER`` for the app's views (see the module docstring)."""
    described = describe_error(exc)
    if described is not None:
        set_rollback()
        if described.status >= 500:
            logger.warning("Calendly failed during %s: %s", context.get("view"), exc)
        return Response(described.as_dict(), status=described.status, headers=described.headers)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(gettext("The request has too many parameters."))
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(gettext("The request is malformed."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        return _api_exception(exc)
    return None
