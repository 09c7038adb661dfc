"""Creating or updating a ``Connection``: from an allauth login, or from a personal access token.

Either way the tokens go straight into the encrypted columns, and a site user has at most one
connection per Calendly user: connecting again (a new login, a reconnect after ``needs_reauth``, a new
personal access token) updates that row and makes it active again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.client import (
    CalendlyClient,
    CalendlyError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from calendly_integration.models import Connection
from calendly_integration.oauth.errors import InvalidPersonalAccessToken
from calendly_integration.signals import connection_connected

logger = logging.getLogger(__name__)

__all__ = [
    "also_connected_notice",
    "connect_personal_access_token",
    "connect_social_login",
    "save_connection",
]


def save_connection(
    *,
    owner: Any,
    kind: str,
    profile: dict[str, Any],
    access_token: str,
    refresh_token: str = "",
    expires_at: datetime | None = None,
    scopes: str = "",
    organization_uri: str = "",
) -> Connection:
    """Create or update the owner's connection to the Calendly user described by ``profile``.

    ``profile`` is Calendly's user resource (``/users/me``): its ``uri`` identifies the Calendly
    user. The row is locked while it is updated, so a refresh running at the same moment cannot
    write an older token pair over the new one.
    """
    calendly_user_uri = str(profile.get("uri") or "")
    if not calendly_user_uri:
        raise ValueError("The Calendly profile has no user URI.")
    with transaction.atomic():
        connection, created = Connection.objects.select_for_update().get_or_create(
            owner=owner, calendly_user_uri=calendly_user_uri
        )
        connection.kind = kind
        connection.status = Connection.Status.ACTIVE
        connection.name = str(profile.get("name") or "")[:255]
        connection.email = str(profile.get("email") or "")[:254]
        connection.organization_uri = organization_uri or str(
            profile.get("current_organization") or ""
        )
        connection.access_token = access_token
        connection.refresh_token = refresh_token
        connection.expires_at = expires_at
        connection.scopes = scopes
        connection.last_refreshed_at = timezone.now() if kind == Connection.Kind.OAUTH else None
        connection.last_error = ""
        connection.save()
    logger.info(
        "Calendly connection %s %s (%s)",
        connection.pk,
        "created" if created else "updated",
        connection.kind,
    )
    connection_connected.send(sender=Connection, connection=connection, created=created, kind=kind)
    return connection


def connect_social_login(sociallogin: Any) -> Connection | None:
    """Store the tokens of a finished Calendly login in the user's connection.

    allauth keeps the token on the ``SocialLogin`` in memory only (``SOCIALACCOUNT_STORE_TOKENS``
    is off); this is where it is saved, encrypted. The provider put the user resource and the
    granted scope in the social account's ``extra_data``. Returns ``None`` when there is nothing to
    store (no token, or no saved user yet).
    """
    token = getattr(sociallogin, "token", None)
    user = getattr(sociallogin, "user", None)
    if token is None or not token.token or user is None or user.pk is None:
        return None
    extra = dict(sociallogin.account.extra_data or {})
    profile = {**extra, "uri": sociallogin.account.uid}
    return save_connection(
        owner=user,
        kind=Connection.Kind.OAUTH,
        profile=profile,
        access_token=token.token,
        refresh_token=token.token_secret or "",
        expires_at=token.expires_at,
        scopes=str(extra.get("scope") or ""),
        organization_uri=str(extra.get("current_organization") or ""),
    )


def connect_personal_access_token(owner: Any, token: str) -> Connection:
    """Connect with a personal access token after Calendly confirmed it (``GET /users/me``).

    Nothing is stored unless Calendly accepts the token. Personal access tokens do not expire and
    are never refreshed; which scopes one carries is not knowable, so the connection records full
    access and Calendly's own 403 stays the final word.
    """
    token = (token or "").strip()
    if not token:
        raise InvalidPersonalAccessToken(gettext("Enter a personal access token."))
    try:
        with CalendlyClient.from_settings(token) as client:
            profile = client.get_current_user()
    except Unauthorized:
        raise InvalidPersonalAccessToken(
            gettext("Calendly did not accept this personal access token.")
        ) from None
    except (TransportError, ServerError, RateLimited) as exc:
        logger.warning("Could not validate a personal access token: %s", exc)
        raise InvalidPersonalAccessToken(
            gettext("Calendly could not be reached to check the token; try again.")
        ) from None
    except CalendlyError as exc:
        raise InvalidPersonalAccessToken(
            gettext("Calendly refused this personal access token: %(reason)s")
            % {"reason": exc.message or exc.title}
        ) from None
    return save_connection(
        owner=owner,
        kind=Connection.Kind.PAT,
        profile=profile,
        access_token=token,
    )


def also_connected_notice(connection: Connection, viewer: Any) -> str:
    """What to tell the person who just connected a Calendly account other site users have
    connected too ("" when nobody has).

    Connecting it is allowed: the connections share the account's webhook subscriptions, so
    Calendly still delivers each event once and every one of them sees it. Who the others are is
    theirs to tell, so only staff are given their names.
    """
    others = (
        Connection.objects.filter(calendly_user_uri=connection.calendly_user_uri)
        .exclude(owner_id=connection.owner_id)
        .exclude(status=Connection.Status.REVOKED)
        .select_related("owner")
        .order_by("pk")
    )
    if not others.exists():
        return ""
    if getattr(viewer, "is_staff", False) and getattr(viewer, "is_active", False):
        return gettext(
            "This Calendly account is also connected by %(users)s. You share its webhook "
            "subscriptions, so each booking still arrives once."
        ) % {"users": ", ".join(sorted({o.owner.get_username() for o in others}))}
    return gettext(
        "This Calendly account is also connected by another user of this site. You share its "
        "webhook subscriptions, so each booking still arrives once."
    )
