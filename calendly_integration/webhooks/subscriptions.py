"""Webhook subscriptions at Calendly, one per Calendly scope: made, checked, healed, deleted.

A subscription belongs to a Calendly scope (the organization, or one user in it), not to the site
connection that made it: when two site users connect the same Calendly user, or two admins of one
organization connect, a subscription per connection would make Calendly deliver every event twice.
So there is one row per scope, and every connection that sees the scope joins its ``connections``
(the reference count). Any of them may create, heal or delete it with its own token (the
organization scope is joined only by owners and admins, who may manage it); ``connection`` names
the one that does. Disconnecting leaves the subscriptions (``release_subscriptions``): another
connection takes over management, and the last one to leave deletes it at Calendly. Changes to one
subscription happen under its row lock, so two connections ensuring it at once create it once.

``ensure_subscriptions(connection)`` is the one entry point and is safe to call any time: it lists
what Calendly has before it creates anything, adopts a subscription an earlier call created but
never heard back about (Calendly's 409 for a URL it already has), and brings back a subscription
Calendly disabled (after 24 hours of failed deliveries) or that vanished: the old one is deleted,
a new one made for the same callback URL, and a catch-up sync queued, since deliveries were lost
in between. The periodic ``check_all_subscriptions`` task calls it for every active connection,
leaving alone the scopes whose subscription staff deleted on purpose (``pause_subscriptions``):
the heal must not undo a person's decision, so only an explicit ensure (the command, the API, the
admin) brings them back. Deleting the organization subscription does not stop the heal of the
user one, and the other way round.

Every subscription has its own callback URL carrying an unguessable token, so a delivery is tied
to its subscription (and its signing key) by the URL alone; the token is signed by this site
(``callback_tokens``), so the check deletes only the orphans this site made. Subscriptions made with a personal
access token get a signing key of our own choosing, stored encrypted; OAuth ones are signed with
the app's key (``WEBHOOK_SIGNING_KEY``), since Calendly ignores ``signing_key`` for them.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from calendly_integration import queueing
from calendly_integration.client import (
    CalendlyClient,
    CalendlyError,
    Conflict,
    NotFound,
    RateLimited,
)
from calendly_integration.conf import calendly_settings
from calendly_integration.exceptions import (
    ConnectionRevoked,
    ConnectionUnusable,
    NeedsReauth,
    WebhooksNotConfigured,
)
from calendly_integration.mirror.mapping import time_or_none, uri_of
from calendly_integration.mirror.objects import organization_id_for
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.scopes import has_scopes
from calendly_integration.webhooks import callback_tokens

logger = logging.getLogger(__name__)

__all__ = [
    "WebhooksNotConfigured",
    "callback_url",
    "check_all_subscriptions",
    "delete_subscriptions",
    "ensure_subscriptions",
    "events_for",
    "fully_paused",
    "pause_sharers",
    "pause_subscriptions",
    "queue_ensure",
    "release_subscriptions",
]

ORGANIZATION_ONLY_EVENTS = ("routing_form_submission.created",)
ADMIN_ROLES = ("owner", "admin")
Scope = WebhookSubscription.Scope
State = WebhookSubscription.State


def callback_url(token: str) -> str:
    """The public URL of the receiver for one subscription."""
    base = str(calendly_settings.PUBLIC_BASE_URL or "").rstrip("/")
    if not base:
        raise WebhooksNotConfigured(
            "CALENDLY['PUBLIC_BASE_URL'] is not set: webhook subscriptions need a public URL."
        )
    return base + reverse("calendly_integration:webhook", kwargs={"token": token})


def events_for(scope: str) -> list[str]:
    """The events to subscribe to in ``scope``: the setting, plus organization-only ones."""
    events = [str(e) for e in calendly_settings.WEBHOOK_EVENTS]
    if scope == Scope.ORGANIZATION:
        events += [e for e in ORGANIZATION_ONLY_EVENTS if e not in events]
    else:
        events = [e for e in events if e not in ORGANIZATION_ONLY_EVENTS]
    return list(dict.fromkeys(events))


def ensure_subscriptions(
    connection: Connection | int, *, automatic: bool = False
) -> list[WebhookSubscription]:
    """Make sure the connection's subscriptions exist at Calendly and are active; idempotent.

    ``automatic`` is for the background task (the periodic check, a new connection): it leaves
    alone a connection whose subscriptions staff deleted on purpose and returns nothing. Any
    other call is a person asking for the subscriptions, so it lifts that pause.

    Raises ``WebhooksNotConfigured`` without ``PUBLIC_BASE_URL``, ``NeedsReauth`` or
    ``ConnectionRevoked`` for a connection that cannot act, and the client's errors.
    """
    from calendly_integration.oauth.tokens import client_for_connection

    connection = _connection(connection)
    paused = set(connection.webhooks_paused_scopes) if automatic else set()
    if automatic and fully_paused(connection):
        logger.info(
            "Webhook subscriptions of Calendly connection %s were deleted on purpose; not "
            "recreating them",
            connection.pk,
        )
        return []
    if connection.needs_reauth:
        raise NeedsReauth(connection_id=connection.pk)
    if connection.is_revoked:
        raise ConnectionRevoked(connection_id=connection.pk)
    callback_url("probe")  # fail early, before any call, when there is no public URL
    if not automatic and connection.webhooks_paused_scopes:
        # Lifted before the calls, so that if they fail the periodic check keeps trying.
        Connection.objects.filter(pk=connection.pk).update(
            webhooks_paused_at=None, webhooks_paused_scopes=[]
        )
        connection.webhooks_paused_at, connection.webhooks_paused_scopes = None, []
    with client_for_connection(connection) as client:
        organization, user = _identity(client, connection)
        wanted = {Scope.USER: events_for(Scope.USER)}
        if calendly_settings.WEBHOOK_ORGANIZATION_SCOPE and _is_admin(client, user, organization):
            wanted[Scope.ORGANIZATION] = events_for(Scope.ORGANIZATION)
        ensured = [
            _ensure_one(client, connection, scope, events, organization, user)
            for scope, events in wanted.items()
            if scope not in paused
        ]
        for stale in connection.webhook_subscriptions.exclude(scope__in=list(wanted)):
            if (
                stale.scope == Scope.ORGANIZATION
                and not calendly_settings.WEBHOOK_ORGANIZATION_SCOPE
            ):
                _delete_one(client, stale)  # the site stopped wanting it: for everyone
            else:
                _release(client, connection, stale)  # this connection may no longer have it
    return ensured


def fully_paused(connection: Connection) -> bool:
    """Whether staff deleted on purpose the subscription of every scope the connection may have
    (the organization scope counts only when ``WEBHOOK_ORGANIZATION_SCOPE`` asks for it)."""
    possible = {Scope.USER, Scope.ORGANIZATION}
    if not calendly_settings.WEBHOOK_ORGANIZATION_SCOPE:
        possible.discard(Scope.ORGANIZATION)
    return set(connection.webhooks_paused_scopes) >= possible


def delete_subscriptions(connection: Connection | int) -> int:
    """Delete the subscriptions the connection shares, at Calendly and here, for every connection
    sharing them (staff asking for it); returns how many.

    A subscription Calendly cannot delete is forgotten here all the same: its deliveries then
    find no token (404) and Calendly disables it.
    """
    from calendly_integration.oauth.tokens import client_for_connection

    connection = _connection(connection)
    subscriptions = list(connection.webhook_subscriptions.all())
    if not subscriptions:
        return 0
    with client_for_connection(connection) as client:
        for subscription in subscriptions:
            pause_sharers(subscription)
            _delete_one(client, subscription)
    return len(subscriptions)


def pause_sharers(subscription: WebhookSubscription) -> None:
    """Staff are deleting ``subscription`` on purpose: every connection sharing it stops
    healing its scope, or the next periodic check of any one of them would make it again."""
    for pk in subscription.connections.values_list("pk", flat=True):
        pause_subscriptions(pk, [subscription.scope])


def release_subscriptions(connection: Connection | int) -> int:
    """The connection leaves the subscriptions it shares (it is being disconnected); those no
    other live connection shares are deleted at Calendly and here. Returns how many were deleted.

    Called while the connection's token still works: the last one out deletes with it.
    """
    from calendly_integration.oauth.tokens import client_for_connection

    connection = _connection(connection)
    subscriptions = list(connection.webhook_subscriptions.all())
    if not subscriptions:
        return 0
    with client_for_connection(connection) as client:
        return sum(_release(client, connection, subscription) for subscription in subscriptions)


def pause_subscriptions(connection: Connection | int, scopes: list[str] | None = None) -> None:
    """Remember that staff deleted the connection's subscriptions in ``scopes`` (all: None) on
    purpose.

    Without this the periodic check would take the missing subscription for one that vanished
    and make it again within the hour. ``ensure_subscriptions`` (not ``automatic``) lifts it.
    """
    pk = connection.pk if isinstance(connection, Connection) else int(connection)
    with transaction.atomic():
        row = Connection.objects.select_for_update().only("webhooks_paused_scopes").get(pk=pk)
        paused = set(row.webhooks_paused_scopes) | set(scopes or Scope.values)
        Connection.objects.filter(pk=pk).update(
            webhooks_paused_at=timezone.now(), webhooks_paused_scopes=sorted(paused)
        )


def check_all_subscriptions() -> int:
    """Queue ``ensure_subscriptions`` for every active connection allowed to manage webhooks,
    except those whose every subscription staff deleted on purpose."""
    if not calendly_settings.PUBLIC_BASE_URL:
        return 0
    queued = 0
    for connection in Connection.objects.active():
        if not fully_paused(connection) and has_scopes(
            connection, "webhooks:read", "webhooks:write"
        ):
            queueing.queue_ensure_webhooks(connection.pk)
            queued += 1
    return queued


def queue_ensure(connection: Connection) -> None:
    """After a connection is made: subscribe it, once its row is committed, if we can."""
    if (
        calendly_settings.PUBLIC_BASE_URL
        and connection.is_usable
        and has_scopes(connection, "webhooks:read", "webhooks:write")
    ):
        connection_id = connection.pk
        transaction.on_commit(lambda: queueing.queue_ensure_webhooks(connection_id))


# One subscription.


def _ensure_one(
    client: CalendlyClient,
    connection: Connection,
    scope: str,
    events: list[str],
    organization: str,
    user: str,
) -> WebhookSubscription:
    subscription = _local(connection, scope, organization, user)
    with transaction.atomic():
        # The row lock makes a second connection ensuring the same scope wait, then find what
        # the first made instead of creating a second subscription.
        locked = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None:  # the last sharer released it meanwhile: start again
            subscription = _local(connection, scope, organization, user)
            locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        return _ensure_locked(client, connection, locked, scope, events, organization, user)


def _ensure_locked(
    client: CalendlyClient,
    connection: Connection,
    subscription: WebhookSubscription,
    scope: str,
    events: list[str],
    organization: str,
    user: str,
) -> WebhookSubscription:
    if subscription.connection_id != connection.pk and not _manages_well(subscription):
        subscription.connection = connection
    listing = list(client.list_webhook_subscriptions(**_filters(scope, organization, user)))
    remote = find_remote(listing, subscription)
    _delete_orphans(client, listing, keep=remote)
    if remote is not None and _is_current(remote, subscription, events):
        return _adopt(subscription, remote)
    lost_deliveries = False
    if remote is not None:
        lost_deliveries = remote.get("state") == State.DISABLED
        logger.warning(
            "Calendly webhook subscription %s is %s; recreating it",
            remote.get("uri"),
            remote.get("state"),
        )
        _delete_remote(client, uri_of(remote))
    elif subscription.uri:
        lost_deliveries = True  # it vanished at Calendly: whatever happened since is unknown
        logger.warning("Calendly webhook subscription %s vanished; recreating it", subscription.uri)
    recreated = bool(subscription.uri)
    _manage_with(subscription, connection)
    subscription.events = events
    subscription.callback_url = callback_url(subscription.token)
    try:
        created = client.create_webhook_subscription(
            url=subscription.callback_url,
            events=events,
            organization=organization,
            scope=scope,
            user=user if scope == Scope.USER else None,
            signing_key=subscription.signing_key or None,
        )
    except Conflict:
        # Calendly already has our URL: an earlier create whose answer we never got.
        listing = list(client.list_webhook_subscriptions(**_filters(scope, organization, user)))
        created = find_remote(listing, subscription)
        if created is None:
            raise
    if recreated:
        subscription.recreated_count += 1
    subscription = _adopt(subscription, created)
    if lost_deliveries:
        queue_catch_up(connection.pk)
    return subscription


def _local(connection: Connection, scope: str, organization: str, user: str) -> WebhookSubscription:
    """Our row for the Calendly scope, which the connection joins; created (pending) before
    Calendly hears of it."""
    rows = WebhookSubscription.objects.for_scope(scope, organization, user)
    subscription = rows.first()
    if subscription is None:
        subscription = WebhookSubscription(
            connection=connection,
            token=callback_tokens.issue(),
            scope=scope,
            organization_uri=organization,
            user_uri=user if scope == Scope.USER else "",
            events=events_for(scope),
        )
        subscription.callback_url = callback_url(subscription.token)
        if connection.kind == Connection.Kind.PAT:
            subscription.signing_key = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # another connection's ensure got there first
            subscription = rows.get()
        else:
            return subscription
    subscription.connections.add(connection)
    return subscription


def _manages_well(subscription: WebhookSubscription) -> bool:
    """Whether the managing connection can still act (else the connection at hand takes over)."""
    manager = subscription.connection
    return (
        manager.status == Connection.Status.ACTIVE
        and subscription.connections.filter(pk=manager.pk).exists()
    )


def _manage_with(subscription: WebhookSubscription, connection: Connection) -> None:
    """About to (re)create the subscription with ``connection``'s token: it manages it from now
    on, with a signing key that fits its kind (Calendly signs OAuth subscriptions with the app's
    key whatever we send)."""
    subscription.connection = connection
    if connection.kind == Connection.Kind.PAT:
        if not subscription.signing_key:
            subscription.signing_key = secrets.token_urlsafe(32)
    else:
        subscription.signing_key = ""


def _heir(subscription: WebhookSubscription) -> Connection | None:
    """A connection still sharing the subscription, an active one first."""
    sharing = subscription.connections.exclude(status=Connection.Status.REVOKED)
    return (
        sharing.filter(status=Connection.Status.ACTIVE).order_by("pk").first()
        or sharing.order_by("pk").first()
    )


def _release(
    client: CalendlyClient, connection: Connection, subscription: WebhookSubscription
) -> bool:
    """``connection`` leaves ``subscription``; the last one out deletes it. True if deleted."""
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None:
            return False
        locked.connections.remove(connection)
        heir = _heir(locked)
        if heir is None:
            _delete_one(client, locked)
            return True
        if locked.connection_id == connection.pk:
            locked.connection = heir
            locked.save(update_fields=["connection", "updated_at"])
    return False


def _filters(scope: str, organization: str, user: str) -> dict[str, Any]:
    filters: dict[str, Any] = {"organization": organization, "scope": scope}
    if scope == Scope.USER:
        filters["user"] = user
    return filters


def find_remote(listing: list[dict[str, Any]], subscription: WebhookSubscription) -> dict | None:
    """Calendly's copy of ``subscription`` in a listing: by URI, else by our callback URL."""
    for remote in listing:
        if subscription.uri and remote.get("uri") == subscription.uri:
            return remote
    for remote in listing:
        if remote.get("callback_url") == subscription.callback_url:
            return remote
    return None


def _is_current(
    remote: dict[str, Any], subscription: WebhookSubscription, events: list[str]
) -> bool:
    return (
        remote.get("state") == State.ACTIVE
        and remote.get("callback_url") == callback_url(subscription.token)
        and set(remote.get("events") or ()) == set(events)
    )


def _adopt(subscription: WebhookSubscription, remote: dict[str, Any]) -> WebhookSubscription:
    """Copy Calendly's view of the subscription onto our row and save it."""
    subscription.uri = uri_of(remote) or subscription.uri
    subscription.state = str(remote.get("state") or State.ACTIVE)
    subscription.callback_url = str(remote.get("callback_url") or subscription.callback_url)
    subscription.events = list(remote.get("events") or subscription.events)
    subscription.organization_uri = uri_of(remote.get("organization")) or (
        subscription.organization_uri
    )
    if subscription.scope == Scope.USER:
        subscription.user_uri = uri_of(remote.get("user")) or subscription.user_uri
    subscription.organization_id = organization_id_for(subscription.organization_uri)
    subscription.raw = remote
    subscription.calendly_created_at = time_or_none(remote.get("created_at"))
    subscription.calendly_updated_at = time_or_none(remote.get("updated_at"))
    subscription.retry_started_at = time_or_none(remote.get("retry_started_at"))
    subscription.last_checked_at = timezone.now()
    subscription.last_error = ""
    subscription.save()
    return subscription


def _delete_orphans(
    client: CalendlyClient, listing: list[dict[str, Any]], keep: dict[str, Any] | None
) -> None:
    """Delete subscriptions this site made whose row it no longer has.

    They are left over from a database that was reset or restored; their deliveries would only
    ever be answered 404 until Calendly disables them. Only a callback token this site signed
    (``callback_tokens``) counts as ours: another site with the same ``PUBLIC_BASE_URL`` and
    Calendly user (a staging copy, a second deployment) keeps its subscriptions.
    """
    prefix = callback_url("-")[: -len("-/")]
    known = set(WebhookSubscription.objects.values_list("callback_url", flat=True))
    for remote in listing:
        url = str(remote.get("callback_url") or "")
        if remote is keep or not url.startswith(prefix) or url in known:
            continue
        if not callback_tokens.is_ours(url[len(prefix) :].strip("/")):
            continue
        logger.warning("Deleting orphaned Calendly webhook subscription %s", remote.get("uri"))
        _delete_remote(client, uri_of(remote))


def _delete_one(client: CalendlyClient, subscription: WebhookSubscription) -> None:
    if subscription.uri:
        try:
            _delete_remote(client, subscription.uri)
        except (CalendlyError, ConnectionUnusable) as exc:
            logger.warning(
                "Could not delete Calendly webhook subscription %s: %s", subscription.uri, exc
            )
    subscription.delete()


def _delete_remote(client: CalendlyClient, uri: str) -> None:
    with contextlib.suppress(NotFound):
        client.delete_webhook_subscription(uri)


def queue_catch_up(connection_id: int) -> None:
    """Deliveries were lost while a subscription was down: a sync fills the gap."""
    logger.info("Queueing a catch-up sync of Calendly connection %s", connection_id)
    queueing.queue_sync(connection_id)


# Who the connection is.


def _connection(connection: Connection | int) -> Connection:
    pk = connection.pk if isinstance(connection, Connection) else int(connection)
    return Connection.objects.get(pk=pk)


def _identity(client: CalendlyClient, connection: Connection) -> tuple[str, str]:
    """(organization URI, user URI) of the connection, asking Calendly if we lack one."""
    organization, user = connection.organization_uri, connection.calendly_user_uri
    if not organization or not user:
        me = client.get_current_user()
        organization = organization or uri_of(me.get("current_organization"))
        user = user or uri_of(me)
    return organization, user


def _is_admin(client: CalendlyClient, user: str, organization: str) -> bool:
    """Whether ``user`` may have an organization subscription. A rate limit is raised, not taken
    for "no": that answer would delete the organization subscription as stale."""
    try:
        memberships = next(
            client.list_organization_memberships(user=user, organization=organization).pages()
        ).collection
    except RateLimited:
        raise
    except (CalendlyError, StopIteration) as exc:
        logger.info("Cannot read the role of %s: %s", user, exc)
        return False
    return any(m.get("role") in ADMIN_ROLES for m in memberships)
