"""A valid access token for a connection, refreshed under a row lock so that only one caller does it.

Calendly's refresh tokens are single-use and rotate: when two workers refresh the same connection at
once, the slower one sends a refresh token the faster one already spent, gets ``invalid_grant``, and
the connection is lost until its owner authorizes again. So a refresh happens inside a transaction
that holds ``select_for_update`` on the connection's row, re-reads the row once it has the lock, and
refreshes only if that fresh copy still needs it; everyone who waited on the lock then finds the new
token and uses it. The rotated pair is saved in the same transaction, before anything else can fail.
(SQLite has no row locks; the demo settings open its transactions with ``BEGIN IMMEDIATE``, which
serializes them just the same.)

Call these outside ``transaction.atomic()``: inside an outer transaction the lock is held until that
transaction ends, and if it rolls back, the rotated refresh token is lost with it. One loss no lock
can prevent: a refresh whose answer never arrives (a timeout after Calendly rotated the pair). The
connection then stays active with the old pair, and the next refresh gets ``invalid_grant``.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.client import CalendlyClient, CalendlyError, InvalidGrant, OAuthClient
from calendly_integration.client.oauth import TokenResponse
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection
from calendly_integration.oauth.errors import ConnectionRevoked, NeedsReauth
from calendly_integration.signals import connection_needs_reauth

logger = logging.getLogger(__name__)

__all__ = [
    "ConnectionTokenProvider",
    "apply_token_response",
    "client_for_connection",
    "get_valid_token",
]


def get_valid_token(
    connection_id: int, force: bool = False, *, rejected_token: str | None = None
) -> str:
    """The connection's access token, refreshed first if it expires within the margin.

    ``force`` refreshes even a token that looks valid: the client asks for that after a 401.
    ``rejected_token`` is the token that got the 401; when another caller has replaced it in the
    meantime, the replacement is returned instead of refreshing again, so a burst of 401s costs one
    refresh, not one each.

    Raises ``NeedsReauth`` when Calendly refuses the refresh token (the connection is marked and
    ``connection_needs_reauth`` sent) or the connection was already marked, ``ConnectionRevoked``
    after a disconnect, and the client's ``CalendlyError`` subclasses when Calendly cannot be reached
    (the connection stays active and the next call tries again).
    """
    connection = Connection.objects.get(pk=connection_id)
    _ensure_usable(connection)
    if not _needs_refresh(connection, force, rejected_token):
        return connection.access_token
    return _refresh_under_lock(connection_id, force, rejected_token)


class ConnectionTokenProvider:
    """The client's ``TokenProvider`` for one connection, by id (safe to build in any thread)."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id
        self._last_token: str | None = None

    def get_token(self, force_refresh: bool = False) -> str:
        token = get_valid_token(
            self.connection_id,
            force=force_refresh,
            rejected_token=self._last_token if force_refresh else None,
        )
        self._last_token = token
        return token

    def __repr__(self) -> str:
        return f"ConnectionTokenProvider(connection_id={self.connection_id})"


def client_for_connection(connection: Connection | int) -> CalendlyClient:
    """A ``CalendlyClient`` acting for a connection, with tokens refreshed as needed.

    A 401 from the API makes the client force one refresh (through ``get_valid_token``) and retry
    once. Build one client per thread; they are cheap.
    """
    connection_id = connection.pk if isinstance(connection, Connection) else int(connection)
    return CalendlyClient.from_settings(ConnectionTokenProvider(connection_id))


def apply_token_response(connection: Connection, tokens: TokenResponse) -> None:
    """Copy a token endpoint answer onto the connection (the caller saves).

    Calendly always rotates the refresh token; should an answer ever come without one, the stored
    one is kept rather than wiped, as RFC 6749 allows.
    """
    now = timezone.now()
    connection.access_token = tokens.access_token
    if tokens.refresh_token:
        connection.refresh_token = tokens.refresh_token
    connection.expires_at = (
        now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None
    )
    connection.scopes = tokens.scope
    if tokens.organization:
        connection.organization_uri = tokens.organization
    connection.last_refreshed_at = now
    connection.last_error = ""


def _ensure_usable(connection: Connection) -> None:
    if connection.status == Connection.Status.NEEDS_REAUTH:
        raise NeedsReauth(connection_id=connection.pk)
    if connection.status == Connection.Status.REVOKED:
        raise ConnectionRevoked(connection_id=connection.pk)


def _needs_refresh(connection: Connection, force: bool, rejected_token: str | None) -> bool:
    if force:
        if rejected_token is None:
            return True
        return hmac.compare_digest(connection.access_token.encode(), rejected_token.encode())
    return connection.expires_within(calendly_settings.TOKEN_REFRESH_MARGIN)


def _refresh_under_lock(connection_id: int, force: bool, rejected_token: str | None) -> str:
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection_id)
        _ensure_usable(connection)
        if not _needs_refresh(connection, force, rejected_token):
            return connection.access_token
        failure = _refresh(connection)
        if failure is None:
            return connection.access_token
    # Out of the transaction: the connection's new state is committed before anyone hears of it.
    if isinstance(failure, NeedsReauth):
        _announce_needs_reauth(connection, failure.__cause__)
    raise failure


def _refresh(connection: Connection) -> Exception | None:
    """Refresh and save inside the caller's locked transaction; return the error to raise, if any.

    Errors are returned rather than raised so that what was learned (needs_reauth, last_error) is
    committed instead of rolled back with the exception.
    """
    if connection.kind == Connection.Kind.PAT:
        # A personal access token cannot be refreshed: a forced "refresh" means it was rejected.
        return _mark_needs_reauth(
            connection, gettext("Calendly rejected the personal access token.")
        )
    if not connection.refresh_token:
        return _mark_needs_reauth(connection, gettext("No refresh token is stored."))
    oauth = OAuthClient.from_settings()
    try:
        tokens = oauth.refresh(connection.refresh_token)
    except InvalidGrant as exc:
        failure = _mark_needs_reauth(connection, str(exc))
        failure.__cause__ = exc
        return failure
    except CalendlyError as exc:
        connection.last_error = str(exc)
        connection.save(update_fields=["last_error", "updated_at"])
        logger.warning("Refreshing Calendly connection %s failed: %s", connection.pk, exc)
        return exc
    finally:
        oauth.close()
    apply_token_response(connection, tokens)
    connection.save(
        update_fields=[
            "encrypted_access_token",
            "encrypted_refresh_token",
            "expires_at",
            "scopes",
            "organization_uri",
            "last_refreshed_at",
            "last_error",
            "updated_at",
        ]
    )
    logger.info("Refreshed the access token of Calendly connection %s", connection.pk)
    return None


def _mark_needs_reauth(connection: Connection, reason: str) -> NeedsReauth:
    connection.status = Connection.Status.NEEDS_REAUTH
    connection.last_error = reason
    connection.save(update_fields=["status", "last_error", "updated_at"])
    logger.warning("Calendly connection %s needs to be reconnected: %s", connection.pk, reason)
    return NeedsReauth(connection_id=connection.pk)


def _announce_needs_reauth(connection: Connection, error: BaseException | None) -> None:
    for receiver, result in connection_needs_reauth.send_robust(
        sender=Connection, connection=connection, error=error
    ):
        if isinstance(result, Exception):
            logger.error(
                "A connection_needs_reauth receiver (%r) failed",
                receiver,
                exc_info=(type(result), result, result.__traceback__),
            )
