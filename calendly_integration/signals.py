"""Django signals that tell the host site what happened to a Calendly connection.

Every signal is sent with ``sender=Connection`` (the model class) and the keyword arguments listed;
receivers take ``**kwargs`` so that arguments added later do not break them. A site with several
Calendly organizations keeps a receiver to one with ``organization_uri_of(**kwargs)``.
"""

from __future__ import annotations

from typing import Any

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


# Webhooks. Sent once per delivery, after its rows are written and committed, with
# ``sender`` the model class of the object the delivery is about. Every one of them also gets
# ``delivery`` (the ``WebhookDelivery``), ``payload`` (Calendly's payload dict, as received) and
# ``replay`` (``True`` when this delivery had been processed before and is being replayed, so a
# receiver with outside effects, a notification say, can skip it). The rows passed are the
# current ones: a late ``invitee.created`` still sends ``invitee_created``, with an invitee whose
# ``status`` is already canceled. Receivers that raise are logged and do not fail the delivery.

invitee_created = Signal()
"""Someone booked (``invitee.created``). Sender ``Invitee``.

Arguments: ``invitee``, ``scheduled_event``, ``rescheduled_from`` (the earlier ``Invitee`` this
booking replaces when it is the new half of a reschedule and we hold it, else ``None``),
``delivery``, ``payload``, ``replay``.
"""

invitee_canceled = Signal()
"""An invitee canceled, or the host canceled for them (``invitee.canceled``). Sender ``Invitee``.

Arguments: ``invitee``, ``scheduled_event``, ``rescheduled`` (``True`` when the cancellation is the
old half of a reschedule; ``invitee_rescheduled`` is sent too), ``reason``, ``canceler_type``
(``"invitee"`` or ``"host"``), ``delivery``, ``payload``, ``replay``.
"""

invitee_rescheduled = Signal()
"""An invitee moved to another time: Calendly canceled the old invitee (``rescheduled``) and made a
new one. Sent once, with the cancellation. Sender ``Invitee``.

Arguments: ``old_invitee``, ``new_invitee`` (fetched from Calendly when its own delivery has not
arrived yet; ``None`` only if that failed), ``new_invitee_uri``, ``delivery``, ``payload``,
``replay``.
"""

invitee_no_show_created = Signal()
"""The host marked an invitee as a no-show (``invitee_no_show.created``). Sender ``Invitee``.

Arguments: ``invitee``, ``scheduled_event``, ``delivery``, ``payload``, ``replay``.
"""

invitee_no_show_deleted = Signal()
"""A no-show mark was removed (``invitee_no_show.deleted``). Sender ``Invitee``.

Arguments: ``invitee``, ``scheduled_event``, ``delivery``, ``payload``, ``replay``.
"""

routing_form_submission_created = Signal()
"""A routing form was submitted (``routing_form_submission.created``, organization scope only).
Sender ``RoutingFormSubmission``.

Arguments: ``submission``, ``form`` (the ``RoutingForm``), ``delivery``, ``payload``, ``replay``.
"""

webhook_received = Signal()
"""Any delivery was processed, whatever its event (sent after the specific signal, if any).
Sender ``WebhookDelivery``.

Arguments: ``delivery``, ``event`` (the event name, e.g. ``"event_type.updated"``), ``payload``,
``instance`` (the main row written: an ``Invitee``, ``RoutingFormSubmission``, ``EventType``, or
``None``), ``replay``.
"""


#: The arguments that may carry a mirrored row, in the order ``organization_uri_of`` reads them.
_ROW_ARGUMENTS = (
    "invitee",
    "old_invitee",
    "new_invitee",
    "scheduled_event",
    "submission",
    "form",
    "instance",
)


def organization_uri_of(**kwargs: Any) -> str:
    """The URI of the Calendly organization a signal is about ("" when nothing names one).

    A site that serves several organizations scopes a receiver with it (``def receiver(sender,
    **kwargs): if organization_uri_of(**kwargs) != mine: return``), whichever signal it is: the
    connection's organization for connection signals, the row's for webhook signals, else the
    organization of the subscription the delivery came through. Reads attributes only, so this
    module stays free of model imports.
    """
    connection = kwargs.get("connection")
    if connection is not None and getattr(connection, "organization_uri", ""):
        return connection.organization_uri
    for name in _ROW_ARGUMENTS:
        organization = getattr(kwargs.get(name), "organization", None)
        if getattr(organization, "uri", ""):
            return organization.uri
    subscription = getattr(kwargs.get("delivery"), "subscription", None)
    if subscription is not None:
        return subscription.organization_uri or subscription.connection.organization_uri
    return ""
