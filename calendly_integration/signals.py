"""Django signals that tell the host site what happened to a Calendly connection.

Every signal is sent with ``sender=Connection`` (the model class) and the keyword arguments listed;
receivers take ``**kwargs`` so that arguments added later do not break them.
"""

from __future__ import annotations

from django.dispatch import Signal

connection_connected = Signal()
"""A connection was created or given new tokens (OAuth login, reconnect, personal access token).

Arguments: ``connection`` (the saved ``Connection``, status active), ``created`` (``True`` the first
time this site user connected this Calendly user), ``kind`` (``"oauth"`` or ``"pat"``).
"""

connection_needs_reauth = Signal()
"""Calendly refused a connection's refresh token or personal access token: its owner must reconnect.

Sent once, when the connection moves to ``needs_reauth`` (after that change is committed), so a
receiver can e-mail the owner or show a banner. Arguments: ``connection`` (the ``Connection``, status
needs_reauth), ``error`` (the client's ``InvalidGrant`` Calendly's token endpoint answered, which
never carries a token; ``None`` when a personal access token was rejected with a 401).
"""

connection_disconnecting = Signal()
"""An active connection is about to be disconnected; its tokens still work while receivers run.

This is where receivers clean up at Calendly with ``client_for_connection(connection)`` (webhook
subscriptions, for instance) before the tokens are revoked. A receiver that raises is logged and does
not stop the disconnect. Arguments: ``connection`` (the ``Connection``, not yet revoked).
"""

connection_disconnected = Signal()
"""A connection was disconnected: tokens revoked at Calendly (when possible) and wiped.

Arguments: ``connection`` (the ``Connection``; its ``pk`` is ``None`` when ``ON_DISCONNECT`` is
``"delete"`` and the row is gone), ``connection_id`` (its former primary key), ``deleted``
(whether the row was deleted), ``revoke_errors`` (messages of revocations that failed; empty when
every revocation succeeded).
"""
