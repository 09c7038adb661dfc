"""allauth adapters for sites that log in with Calendly.

Set ``SOCIALACCOUNT_ADAPTER = "calendly_integration.providers.calendly.adapter.CalendlySocialAccountAdapter"``
(or mix ``CalendlyAdapterMixin`` into your own adapter). It does three things allauth cannot know:

- the Calendly app's credentials come from ``CALENDLY["CLIENT_ID"]``/``["CLIENT_SECRET"]`` when neither
  a ``SocialApp`` row nor ``SOCIALACCOUNT_PROVIDERS["calendly"]["APP"]`` defines one, so the one
  ``CALENDLY`` dict is all a site configures;
- tokens that allauth parks in the session (a signup that needs a form, a connect that needs
  reauthentication) are encrypted there like everywhere else;
- a failed Calendly login gets a message saying what went wrong and what to do
  (``calendly_error_message`` in the error page's context).

``CalendlyAccountAdapter`` (``ACCOUNT_ADAPTER``, or mix in ``CalendlyAccountAdapterMixin``) keeps a
confirmation e-mail that cannot be sent from turning a finished sign-up into a server error.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialToken
from allauth.socialaccount.providers.base import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext

from calendly_integration import crypto
from calendly_integration.conf import calendly_settings

logger = logging.getLogger(__name__)

PROVIDER_ID = "calendly"
_ENCRYPTED = "calendly-fernet:"
_TOKEN_FIELDS = ("token", "token_secret")


def settings_app() -> SocialApp | None:
    """An unsaved ``SocialApp`` built from the ``CALENDLY`` settings, if they name a client."""
    client_id, secret = calendly_settings.CLIENT_ID, calendly_settings.CLIENT_SECRET
    if not (client_id and secret):
        return None
    return SocialApp(provider=PROVIDER_ID, name="Calendly", client_id=client_id, secret=secret)


class CalendlyAdapterMixin:
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if provider not in (None, PROVIDER_ID):
            return apps
        if any(PROVIDER_ID in (app.provider, app.provider_id) for app in apps):
            return apps
        app = settings_app()
        if app is None or (client_id and app.client_id != client_id):
            return apps
        return [*apps, app]

    def serialize_instance(self, instance: Any) -> dict[str, Any]:
        data = super().serialize_instance(instance)
        if isinstance(instance, SocialToken):
            for field in _TOKEN_FIELDS:
                if data.get(field):
                    data[field] = _ENCRYPTED + crypto.encrypt(data[field])
        return data

    def deserialize_instance(self, model: type, data: Any) -> Any:
        if model is SocialToken and isinstance(data, dict):
            data = dict(data)
            for field in _TOKEN_FIELDS:
                value = data.get(field)
                if isinstance(value, str) and value.startswith(_ENCRYPTED):
                    data[field] = crypto.decrypt(value.removeprefix(_ENCRYPTED))
        return super().deserialize_instance(model, data)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
        if getattr(provider, "id", None) != PROVIDER_ID or extra_context is None:
            return
        message = login_error_message(request, error, exception, extra_context)
        extra_context["calendly_error_message"] = message
        logger.warning(
            "Calendly login failed (%s): %s",
            error or "unknown",
            type(exception).__name__ if exception else message,
        )


class CalendlySocialAccountAdapter(CalendlyAdapterMixin, DefaultSocialAccountAdapter):
    """allauth's default adapter with ``CalendlyAdapterMixin``."""


class CalendlyAccountAdapterMixin:
    """By the time allauth sends a confirmation e-mail the user and their Calendly connection
    exist and they are signed in; a mail server that is down (or was never set up) must not turn
    that into a 500. The failure is logged and the user told they can ask for the mail again."""

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        try:
            super().send_confirmation_mail(request, emailconfirmation, signup)
        except OSError as exc:  # smtplib's errors and refused connections alike
            logger.error(
                "The e-mail address confirmation could not be sent (%s: %s); check EMAIL_BACKEND.",
                type(exc).__name__,
                exc,
            )
            messages.warning(
                request,
                gettext(
                    "We could not send the confirmation e-mail just now. You can ask for it "
                    "again from your e-mail addresses page."
                ),
                fail_silently=True,
            )


class CalendlyAccountAdapter(CalendlyAccountAdapterMixin, DefaultAccountAdapter):
    """allauth's default account adapter with ``CalendlyAccountAdapterMixin``."""


def login_error_message(
    request: HttpRequest,
    error: str | None,
    exception: BaseException | None,
    extra_context: dict[str, Any],
) -> str:
    """One sentence for the person who tried to log in: what went wrong and what to do."""
    if error == AuthError.CANCELLED:
        return gettext("You cancelled the sign-in at Calendly. Nothing was changed.")
    if exception is None and "state_id" in extra_context:
        return gettext(
            "This sign-in link is not valid any more: it was already used, or it was started in "
            "another browser. Start again from “Sign in with Calendly”."
        )
    if exception is None:
        calendly_error = request.GET.get("error")
        if calendly_error:
            return gettext("Calendly did not authorize the sign-in (%(error)s). Start again.") % {
                "error": calendly_error
            }
        return gettext("Calendly sent no authorization code. Start again.")
    if isinstance(exception, OAuth2Error):
        return gettext(
            "Calendly did not accept the authorization code: it expired or was already used, or "
            "the PKCE check failed. Start again."
        )
    return gettext("Your Calendly profile could not be read. Try again in a moment.")
