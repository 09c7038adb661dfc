"""Turning a failed action at Calendly into a message for the person who tried it.

The services raise typed errors (Calendly refused or failed, nobody may act, a scope is missing,
the connection must be reconnected); ``services.errors.describe_error`` words them the same way
the admin and the REST API do. A page shows the sentence with Django's messages, never a 500.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext

from calendly_integration.client import CalendlyError
from calendly_integration.exceptions import ConnectionUnusable, TokenDecryptionError
from calendly_integration.services.errors import ServiceError, describe_error

logger = logging.getLogger(__name__)

#: What an action at Calendly may raise that a person can be told about.
ACTION_ERRORS = (ServiceError, CalendlyError, ConnectionUnusable, TokenDecryptionError)


def report_failure(request: HttpRequest, exc: BaseException) -> int:
    """Add the failure's sentence as an error message; return the HTTP status it stands for."""
    description = describe_error(exc)
    if description is None:
        logger.warning("Calendly action failed: %s", type(exc).__name__)
        messages.error(
            request,
            gettext("The stored Calendly token cannot be read: ask the site's staff to check it."),
        )
        return 503
    messages.error(request, description.message)
    return description.status
