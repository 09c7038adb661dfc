"""The hosts of scheduled events: replaced whole whenever their event is written.

Calendly gives an event's hosts only inside the event (``event_memberships``), so the rows
follow the event: when an event is created or changed, its hosts become the ones the object
lists. A page of a sync and a single event from a webhook or an action go through the same
function, so the rows look the same whichever way the event arrived.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.db import router

from calendly_integration.mirror.upsert import sqlite_variable_limit
from calendly_integration.models import CalendlyUser, EventHost

Fields = dict[str, Any]


def replace_hosts(
    hosts: Mapping[int, Sequence[Fields]],
    *,
    user_ids: Mapping[str, int] | None = None,
    fresh: Collection[int] = (),
) -> None:
    """Make the hosts of each event id in ``hosts`` the ones given (``mapping.event_hosts``).

    ``user_ids`` maps user URIs to row ids when the caller holds them (a sync does), else they
    are read in one query. ``fresh`` names events inserted just now, which have no hosts to
    delete. Two queries at most for any number of events, three when users are looked up.
    """
    stale = [event_id for event_id in hosts if event_id not in fresh]
    if stale:
        EventHost.objects.filter(event_id__in=stale).delete()
    if user_ids is None:
        uris = {host["user_uri"] for event_hosts in hosts.values() for host in event_hosts}
        user_ids = dict(CalendlyUser.objects.filter(uri__in=uris).values_list("uri", "pk"))
    objs = [
        EventHost(event_id=event_id, user_id=user_ids.get(host["user_uri"]), **host)
        for event_id, event_hosts in hosts.items()
        for host in event_hosts
    ]
    if objs:
        # A webhook, or another connection's sync of the same organization, may have stored
        # these hosts since the event was read: theirs are Calendly's too, so keep them.
        with sqlite_variable_limit(router.db_for_write(EventHost)):
            EventHost.objects.bulk_create(objs, ignore_conflicts=True)
