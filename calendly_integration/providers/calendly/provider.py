"""The ``calendly`` provider: OAuth 2.0 with PKCE (S256), profile from ``GET /users/me``.

The uid is the Calendly user URI (stable, unique across organizations). The social account's
``extra_data`` keeps the profile (name, email, timezone, avatar, scheduling URL, organization URI)
and the granted scope; never a token.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

from calendly_integration.conf import calendly_settings
from calendly_integration.providers.calendly.views import CalendlyOAuth2Adapter

PROFILE_FIELDS = (
    "uri",
    "name",
    "slug",
    "email",
    "timezone",
    "avatar_url",
    "scheduling_url",
    "current_organization",
)


class CalendlyAccount(ProviderAccount):
    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("scheduling_url")

    def get_avatar_url(self) -> str | None:
        return self.account.extra_data.get("avatar_url")

    def to_str(self) -> str:
        data = self.account.extra_data
        return data.get("email") or data.get("name") or super().to_str()


class CalendlyProvider(OAuth2Provider):
    id = "calendly"
    name = "Calendly"
    account_class = CalendlyAccount
    oauth2_adapter_class = CalendlyOAuth2Adapter
    pkce_enabled_default = True

    def get_default_scope(self) -> list[str]:
        """``CALENDLY["SCOPES"]``, unless ``SOCIALACCOUNT_PROVIDERS["calendly"]["SCOPE"]`` is set."""
        return list(calendly_settings.SCOPES)

    def get_pkce_params(self) -> dict:
        """PKCE unless the app, the provider settings or ``CALENDLY["USE_PKCE"]`` turn it off."""
        enabled = self.app.settings.get("oauth_pkce_enabled")
        if enabled is None:
            enabled = self.get_settings().get("OAUTH_PKCE_ENABLED", calendly_settings.USE_PKCE)
        return generate_code_challenge() if enabled else {}

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["uri"])

    def extract_extra_data(self, data: dict[str, Any]) -> dict[str, Any]:
        extra = {key: data.get(key) for key in PROFILE_FIELDS}
        extra["scope"] = data.get("scope", "")
        return extra

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        first, _, last = str(data.get("name") or "").strip().partition(" ")
        return {
            "email": data.get("email"),
            "username": data.get("slug"),
            "first_name": first,
            "last_name": last,
        }

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        """Verified unless ``SOCIALACCOUNT_PROVIDERS["calendly"]["VERIFIED_EMAIL"]`` is False:
        Calendly confirms an address before its account can be used, so allauth need not send a
        confirmation e-mail (which, on a site without a mail server, failed the sign-up)."""
        email = data.get("email")
        if not email:
            return []
        verified = bool(self.get_settings().get("VERIFIED_EMAIL", True))
        return [EmailAddress(email=email, verified=verified, primary=True)]


provider_classes = [CalendlyProvider]
