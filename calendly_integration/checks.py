"""System checks: say at ``manage.py check`` time what is missing or unsafe in ``CALENDLY``.

Misconfiguration otherwise shows up much later and far away (a webhook that never verifies, a login
that fails at Calendly's consent page), so each check names the setting and how to fix it.
"""

from __future__ import annotations

import numbers
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from calendly_integration.conf import calendly_settings

ID = "calendly_integration.{}"


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _is_https(value: str) -> bool:
    return urlsplit(value).scheme == "https"


@register(Tags.compatibility)
def check_settings_shape(app_configs=None, **kwargs) -> list:
    raw = getattr(settings, "CALENDLY", None)
    if raw is not None and not isinstance(raw, dict):
        return [
            Error(
                "settings.CALENDLY must be a dict.",
                hint="Set CALENDLY = {...} with the keys documented in the settings reference (docs/settings.md).",
                id=ID.format("E001"),
            )
        ]
    unknown = [
        Warning(
            f"Unknown key CALENDLY[{key!r}] is ignored.",
            hint="Check the spelling against the settings reference (docs/settings.md).",
            id=ID.format("W001"),
        )
        for key in calendly_settings.unknown_keys()
    ]
    deprecated = [
        Warning(
            f"CALENDLY[{setting.name!r}] is deprecated.",
            hint=setting.deprecated,
            id=ID.format("W011"),
        )
        for setting in calendly_settings.deprecated_keys()
    ]
    return unknown + deprecated


@register(Tags.compatibility)
def check_urls(app_configs=None, **kwargs) -> list:
    messages = []
    for name in ("API_BASE_URL", "AUTH_BASE_URL"):
        value = getattr(calendly_settings, name)
        if not _is_url(value):
            messages.append(
                Error(
                    f"CALENDLY[{name!r}] must be an http(s) URL, got {value!r}.",
                    hint="Leave it unset for Calendly itself, or point it at the simulator.",
                    id=ID.format("E002"),
                )
            )
        elif not settings.DEBUG and not _is_https(value):
            messages.append(
                Warning(
                    f"CALENDLY[{name!r}] is not https while DEBUG is off: tokens travel in clear.",
                    hint="Use https in production; plain http is only for the local simulator.",
                    id=ID.format("W002"),
                )
            )
    public = calendly_settings.PUBLIC_BASE_URL
    if not public:
        messages.append(
            Warning(
                "CALENDLY['PUBLIC_BASE_URL'] is not set: webhook subscriptions cannot be created.",
                hint="Set it to the public https address of this site, e.g. https://example.com.",
                id=ID.format("W003"),
            )
        )
    elif not _is_url(public):
        messages.append(
            Error(
                f"CALENDLY['PUBLIC_BASE_URL'] must be an http(s) URL, got {public!r}.",
                id=ID.format("E003"),
            )
        )
    elif not settings.DEBUG and not _is_https(public):
        messages.append(
            Warning(
                "CALENDLY['PUBLIC_BASE_URL'] is not https: Calendly only delivers webhooks to "
                "https URLs.",
                id=ID.format("W004"),
            )
        )
    return messages


@register(Tags.security)
def check_credentials(app_configs=None, **kwargs) -> list:
    messages = []
    client_id, secret = calendly_settings.CLIENT_ID, calendly_settings.CLIENT_SECRET
    if bool(client_id) != bool(secret):
        messages.append(
            Error(
                "CALENDLY needs both CLIENT_ID and CLIENT_SECRET, or neither.",
                hint="Copy both from your OAuth app in Calendly's developer portal.",
                id=ID.format("E004"),
            )
        )
    if not client_id and not calendly_settings.PERSONAL_ACCESS_TOKEN:
        messages.append(
            Warning(
                "Neither an OAuth client (CLIENT_ID/CLIENT_SECRET) nor a PERSONAL_ACCESS_TOKEN "
                "is configured: users can only connect with their own personal access tokens.",
                id=ID.format("W005"),
            )
        )
    if client_id and not calendly_settings.WEBHOOK_SIGNING_KEY:
        messages.append(
            Warning(
                "CALENDLY['WEBHOOK_SIGNING_KEY'] is empty: deliveries to subscriptions made with "
                "OAuth tokens cannot be verified and will be rejected.",
                hint="Copy the webhook signing key from your OAuth app's page in Calendly.",
                id=ID.format("W006"),
            )
        )
    if getattr(settings, "SOCIALACCOUNT_STORE_TOKENS", False):
        messages.append(
            Warning(
                "SOCIALACCOUNT_STORE_TOKENS is on: allauth keeps Calendly tokens in plaintext.",
                hint="Set SOCIALACCOUNT_STORE_TOKENS = False; this app stores them encrypted.",
                id=ID.format("W007"),
            )
        )
    return messages


@register(Tags.security)
def check_encryption_keys(app_configs=None, **kwargs) -> list:
    keys = calendly_settings.TOKEN_ENCRYPTION_KEYS
    if isinstance(keys, str):
        keys = [keys]
    if not keys:
        return [
            Warning(
                "CALENDLY['TOKEN_ENCRYPTION_KEYS'] is empty: tokens are encrypted with a key "
                "derived from SECRET_KEY, so rotating SECRET_KEY makes them unreadable.",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id=ID.format("W008"),
            )
        ]
    messages = []
    for index, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            messages.append(
                Error(
                    f"CALENDLY['TOKEN_ENCRYPTION_KEYS'][{index}] is not a valid Fernet key.",
                    hint="A Fernet key is 32 url-safe base64-encoded bytes (44 characters).",
                    id=ID.format("E005"),
                )
            )
    return messages


NUMBER_RULES = {
    "PAGE_SIZE": (1, 100),
    "CONNECT_TIMEOUT": (0.001, None),
    "READ_TIMEOUT": (0.001, None),
    "MAX_RETRIES": (0, 10),
    "RETRY_BACKOFF": (0, None),
    "RETRY_BACKOFF_MAX": (0, None),
    "RATE_LIMIT_MAX_WAIT": (0, None),
    "WEBHOOK_TOLERANCE": (1, None),
    "WEBHOOK_MAX_BODY_BYTES": (1, None),
    "TOKEN_REFRESH_MARGIN": (0, 7200),
    "SYNC_BACKFILL_DAYS": (0, None),
    "SYNC_HORIZON_DAYS": (0, None),
    "SYNC_INTERVAL_MINUTES": (1, None),
    "SYNC_ROUND_MINUTES": (1, None),
    "SYNC_ROUND_SIZE": (0, None),
    "SYNC_MAX_PER_ORGANIZATION": (0, None),
    "DELIVERY_RETENTION_DAYS": (1, None),
    "SYNC_RUN_RETENTION_DAYS": (1, None),
}


@register(Tags.compatibility)
def check_numbers(app_configs=None, **kwargs) -> list:
    messages = []
    for name, (low, high) in NUMBER_RULES.items():
        value = getattr(calendly_settings, name)
        valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
        valid = valid and value >= low and (high is None or value <= high)
        if not valid:
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            messages.append(
                Error(
                    f"CALENDLY[{name!r}] must be a number {bounds}, got {value!r}.",
                    id=ID.format("E006"),
                )
            )
    scopes = calendly_settings.SCOPES
    if isinstance(scopes, str) or not all(isinstance(s, str) for s in scopes):
        messages.append(
            Error(
                "CALENDLY['SCOPES'] must be a list of scope names, e.g. ['users:read'].",
                id=ID.format("E007"),
            )
        )
    return messages


ON_DISCONNECT_CHOICES = ("keep", "delete")


@register(Tags.compatibility)
def check_on_disconnect(app_configs=None, **kwargs) -> list:
    value = calendly_settings.ON_DISCONNECT
    if value in ON_DISCONNECT_CHOICES:
        return []
    return [
        Error(
            f"CALENDLY['ON_DISCONNECT'] must be 'keep' or 'delete', got {value!r}.",
            hint=(
                "'keep' keeps a disconnected connection's row (status revoked); 'delete' deletes "
                "it. Mirrored rows belong to the organization and stay either way."
            ),
            id=ID.format("E008"),
        )
    ]


@register(Tags.compatibility)
def check_installed_apps(app_configs=None, **kwargs) -> list:
    """Without these apps nothing fails at startup: the "Connect Calendly" button posts to a 404,
    and syncs and webhook processing are queued to a broker no one reads."""
    from django.apps import apps

    messages = []
    provider = "calendly_integration.providers.calendly"
    if calendly_settings.CLIENT_ID and not apps.is_installed(provider):
        messages.append(
            Error(
                f"CALENDLY['CLIENT_ID'] is set but {provider!r} is not in INSTALLED_APPS: signing "
                "in and connecting with Calendly lead to a 404.",
                hint=f"Add {provider!r} to INSTALLED_APPS, after 'allauth.socialaccount'.",
                id=ID.format("E009"),
            )
        )
    if not apps.is_installed("django_q"):
        messages.append(
            Error(
                "'django_q' is not in INSTALLED_APPS: background syncs, webhook processing and "
                "the periodic schedules cannot run.",
                hint="Add 'django_q' to INSTALLED_APPS, set Q_CLUSTER and run "
                "`manage.py qcluster` (see the installation guide).",
                id=ID.format("E010"),
            )
        )
    return messages


@register(Tags.compatibility)
def check_login_app(app_configs=None, **kwargs) -> list:
    """CLIENT_ID/SECRET only reach allauth through our adapter (or an explicit APP entry)."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    if not apps.is_installed("calendly_integration.providers.calendly"):
        return []
    if not (calendly_settings.CLIENT_ID and calendly_settings.CLIENT_SECRET):
        return []
    provider_settings = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("calendly", {})
    apps_in_settings = provider_settings.get("APPS") or [provider_settings.get("APP") or {}]
    if any(app.get("client_id") for app in apps_in_settings):
        return [
            Warning(
                "SOCIALACCOUNT_PROVIDERS['calendly'] names a client id other than "
                "CALENDLY['CLIENT_ID']: tokens from a login could not be refreshed or revoked.",
                hint="Refreshing and revoking use CALENDLY['CLIENT_ID'] and ['CLIENT_SECRET']; "
                "give allauth the same credentials, or leave its APP out.",
                id=ID.format("W010"),
            )
            for app in apps_in_settings
            if app.get("client_id") and app.get("client_id") != calendly_settings.CLIENT_ID
        ][:1]
    from calendly_integration.providers.calendly.adapter import CalendlyAdapterMixin

    path = getattr(
        settings,
        "SOCIALACCOUNT_ADAPTER",
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter",
    )
    try:
        adapter = import_string(path)
    except ImportError:
        return []
    if isinstance(adapter, type) and issubclass(adapter, CalendlyAdapterMixin):
        return []
    return [
        Warning(
            "CALENDLY['CLIENT_ID'] is set, but allauth's Calendly login will not use it: the "
            "socialaccount adapter lacks CalendlyAdapterMixin.",
            hint="Set SOCIALACCOUNT_ADAPTER = 'calendly_integration.providers.calendly.adapter."
            "CalendlySocialAccountAdapter' (or mix CalendlyAdapterMixin into yours), or add a "
            "Calendly SocialApp in the admin.",
            id=ID.format("W009"),
        )
    ]
