"""Calendly API v2 client: our own small client on ``requests``.

Import everything from here::

    from calendly_integration.client import CalendlyClient, RateLimited

    client = CalendlyClient.from_settings(token)
    for event in client.list_scheduled_events(user=user_uri, status="active"):
        ...

It knows nothing about Django models; only the ``from_settings`` factories read the settings.
"""

from calendly_integration.client.booking_urls import prefilled_booking_url
from calendly_integration.client.client import DEFAULT_BASE_URL, CalendlyClient
from calendly_integration.client.errors import (
    BadRequest,
    CalendlyError,
    Conflict,
    ExternalCalendarError,
    InsufficientScope,
    InvalidGrant,
    InvalidResponse,
    NotFound,
    OAuthError,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from calendly_integration.client.oauth import DEFAULT_AUTH_BASE_URL, OAuthClient, TokenResponse
from calendly_integration.client.pagination import Page, PagedCollection
from calendly_integration.client.pkce import code_challenge_s256, generate_code_verifier
from calendly_integration.client.rate_limits import RateLimitInfo
from calendly_integration.client.times import format_time, parse_time
from calendly_integration.client.tokens import StaticToken, TokenProvider

__all__ = [
    "DEFAULT_AUTH_BASE_URL",
    "DEFAULT_BASE_URL",
    "BadRequest",
    "CalendlyClient",
    "CalendlyError",
    "Conflict",
    "ExternalCalendarError",
    "InsufficientScope",
    "InvalidGrant",
    "InvalidResponse",
    "NotFound",
    "OAuthClient",
    "OAuthError",
    "Page",
    "PagedCollection",
    "PermissionDenied",
    "RateLimitInfo",
    "RateLimited",
    "ServerError",
    "StaticToken",
    "Timeout",
    "TokenProvider",
    "TokenResponse",
    "TransportError",
    "Unauthorized",
    "code_challenge_s256",
    "format_time",
    "generate_code_verifier",
    "parse_time",
    "prefilled_booking_url",
]
