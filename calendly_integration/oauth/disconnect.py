"""Disconnecting: clean up at Calendly, revoke the tokens there, wipe them here, mark the row.

The order matters. Receivers of ``connection_disconnecting`` run first, while the tokens still work
(deleting this connection's webhook subscriptions at Calendly, for instance). Then, under the same row
lock a refresh takes, both OAuth tokens are revoked at Calendly and wiped from the row, so no refresh
can rotate them mid-way. A revocation that fails does not stop the disconnect: the tokens are wiped
regardless and the failure is kept in ``last_error``. Personal access tokens cannot be revoked through
the API; they are wiped, and their owner can delete them on Calendly's integrations page.

What happens to the row afterwards is the ``ON_DISCONNECT`` setting: ``"keep"`` keeps it (status
revoked, mirrored data untouched), ``"delete"`` deletes it; receivers of ``connection_disconnected``
(``deleted=True``) remove the data that was mirrored only through it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from calendly_integration.client import CalendlyError, OAuthClient
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection
from calendly_integration.signals import connection_disconnected, connection_disconnecting

logger = logging.getLogger(__name__)

__all__ = ["disconnect", "disconnect_social_account"]


def disconnect(connection: Connection | int, *, revoke: bool = True) -> Connection:
    """Disconnect a connection (idempotent); returns it, with ``pk`` ``None`` if it was deleted."""
    connection_id = connection.pk if isinstance(connection, Connection) else int(connection)
    connection = Connection.objects.get(pk=connection_id)
    if connection.status == Connection.Status.ACTIVE:
        _send_disconnecting(connection)
    delete = calendly_settings.ON_DISCONNECT == "delete"
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection_id)
        errors = _revoke(connection) if revoke else []
        connection.wipe_tokens()
        connection.status = Connection.Status.REVOKED
        connection.last_error = "; ".join(errors)
        connection.save()
        if delete:
            connection.delete()
    logger.info(
        "Calendly connection %s disconnected%s",
        connection_id,
        " and deleted" if delete else "",
    )
    connection_disconnected.send(
        sender=Connection,
        connection=connection,
        connection_id=connection_id,
        deleted=delete,
        revoke_errors=errors,
    )
    return connection


def disconnect_social_account(socialaccount: Any) -> list[Connection]:
    """Disconnect what a removed allauth social account had connected (its OAuth connection)."""
    connections = Connection.objects.filter(
        owner_id=socialaccount.user_id,
        calendly_user_uri=socialaccount.uid,
        kind=Connection.Kind.OAUTH,
    ).exclude(status=Connection.Status.REVOKED)
    return [disconnect(connection) for connection in connections]


def _send_disconnecting(connection: Connection) -> None:
    for receiver, result in connection_disconnecting.send_robust(
        sender=Connection, connection=connection
    ):
        if isinstance(result, Exception):
            logger.error(
                "A connection_disconnecting receiver (%r) failed for connection %s",
                receiver,
                connection.pk,
                exc_info=(type(result), result, result.__traceback__),
            )


def _revoke(connection: Connection) -> list[str]:
    """Revoke the refresh and the access token at Calendly; return what failed, in words."""
    if connection.kind != Connection.Kind.OAUTH:
        return []
    tokens = [t for t in (connection.refresh_token, connection.access_token) if t]
    if not tokens:
        return []
    try:
        oauth = OAuthClient.from_settings()
    except ValueError as exc:
        logger.warning("Cannot revoke Calendly tokens of connection %s: %s", connection.pk, exc)
        return [gettext("Tokens not revoked at Calendly: the OAuth app is not configured.")]
    errors = []
    try:
        for token in tokens:
            try:
                oauth.revoke(token)
            except CalendlyError as exc:
                logger.warning(
                    "Revoking a token of Calendly connection %s failed: %s", connection.pk, exc
                )
                errors.append(
                    gettext("Revoking a token at Calendly failed: %(error)s") % {"error": exc}
                )
    finally:
        oauth.close()
    return errors
