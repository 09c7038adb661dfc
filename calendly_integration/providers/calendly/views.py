"""The OAuth2 adapter and the login and callback views of the ``calendly`` provider.

Endpoint URLs are read from ``CALENDLY`` on every request (not at import), so tests and the demo can
point them at the simulator. The code is exchanged by allauth's OAuth2 client with the client
credentials in an HTTP Basic header, as Calendly documents; the profile comes from our API client.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.http import HttpRequest
from django.utils.http import urlencode

from calendly_integration.client import CalendlyClient, CalendlyError
from calendly_integration.conf import calendly_settings


class CalendlyOAuth2Client(OAuth2Client):
    def get_redirect_url(self, authorization_url: str, scope: Any, extra_params: dict) -> str:
        """allauth's URL, but scopes in the configured order and no ``scope`` at all when empty
        (an older Calendly app's implicit full scope)."""
        params = {
            self.client_id_parameter: self.consumer_key,
            "redirect_uri": self.callback_url,
            "response_type": "code",
        }
        scopes = list(dict.fromkeys(scope or ()))
        if scopes:
            params["scope"] = self.scope_delimiter.join(scopes)
        if self.state:
            params["state"] = self.state
        params.update(extra_params)
        return f"{authorization_url}?{urlencode(params)}"


class CalendlyOAuth2Adapter(OAuth2Adapter):
    provider_id = "calendly"
    basic_auth = True
    client_class = CalendlyOAuth2Client

    @property
    def authorize_url(self) -> str:
        return calendly_settings.AUTH_BASE_URL.rstrip("/") + "/oauth/authorize"

    @property
    def access_token_url(self) -> str:
        return calendly_settings.AUTH_BASE_URL.rstrip("/") + "/oauth/token"

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        response = kwargs.get("response") or {}
        try:
            with CalendlyClient.from_settings(token.token) as client:
                profile = client.get_current_user()
        except CalendlyError as exc:
            raise ProviderException(f"Reading the Calendly profile failed: {exc}") from exc
        owner = response.get("owner")
        if owner and owner != profile.get("uri"):
            raise ProviderException("The token's owner is not the user /users/me describes.")
        data = {**profile, "scope": str(response.get("scope") or "")}
        return self.get_provider().sociallogin_from_response(request, data)


oauth2_login = OAuth2LoginView.adapter_view(CalendlyOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(CalendlyOAuth2Adapter)
