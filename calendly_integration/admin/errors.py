"""Any failure of an action as one sentence a member of staff can act on.

Calendly's errors and the services' refusals are described by ``services.errors``, so the admin
and the REST API say the same thing (which scope to grant, how long to wait, who must
reconnect). The few failures only the admin meets are added here. Nothing here includes a token.
"""

from __future__ import annotations

from django.utils.translation import gettext

from calendly_integration.exceptions import (
    CalendlyIntegrationError,
    TokenDecryptionError,
    WebhooksNotConfigured,
)
from calendly_integration.services.errors import describe_error


class ActionRefused(CalendlyIntegrationError):
    """An action cannot go ahead for a reason we know; the message says why."""


def staff_message(exc: BaseException) -> tuple[bool, str]:
    """``(known, sentence)``; ``known`` is False for errors nobody foresaw (they get logged)."""
    description = describe_error(exc)
    if description is not None:
        return True, description.message
    if isinstance(exc, ActionRefused):
        return True, str(exc)
    if isinstance(exc, WebhooksNotConfigured):
        return True, gettext(
            "webhooks are not configured: set CALENDLY['PUBLIC_BASE_URL'] to this site's public "
            "https address."
        )
    if isinstance(exc, TokenDecryptionError):
        return True, gettext(
            "the stored token cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS."
        )
    return False, gettext("an unexpected error happened (it was logged).")
