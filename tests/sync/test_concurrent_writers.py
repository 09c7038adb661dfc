"""A webhook writing an event while a sync is busy with the same event does not fail the sync.

Found by the chaos soak: a sync reads which events it holds, then fetches the invitees of the new
ones over HTTP, then writes the page. When a webhook stored one of those events (and its hosts) in
between, the sync inserted the hosts a second time and the whole page failed on
``calendly_event_host_unique``; two syncs of one organization (its owner's and an admin's)
writing the same event's hosts at once failed the same way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection as db_connection

from calendly_integration.mirror.objects import save_scheduled_event
from calendly_integration.models import EventHost, ScheduledEvent, SyncRun
from calendly_integration.sync import sync_connection
from calendly_integration.testing.simulator.timeutil import iso

ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


class WebhookMeanwhile:
    """Sits in the simulator's validator slot: before it answers the first listing of
    ``event_uri``'s invitees, it stores the event as a webhook delivery would."""

    def __init__(self, sim: Any, event_uri: str, organization_id: int | None) -> None:
        self.sim, self.event_uri, self.organization_id = sim, event_uri, organization_id
        self.violations: list[str] = []
        self.done = False

    def check(self, request: Any, response: Any, template: Any) -> None:
        if self.done or not request.path.endswith(self.event_uri.rsplit("/", 1)[1] + "/invitees"):
            return
        self.done = True
        try:
            save_scheduled_event(self.sim.get(self.event_uri), self.organization_id)
        finally:
            db_connection.close()  # this thread's own connection


@pytest.mark.skipif(not ON_POSTGRES, reason="a second writer needs a second PostgreSQL connection")
@pytest.mark.django_db(transaction=True)
def test_hosts_a_webhook_stored_meanwhile_do_not_fail_the_sync(sim, owner_connection):
    assert sync_connection(owner_connection.pk).status == SyncRun.Status.SUCCEEDED
    event_type = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "solo"
    )
    start = (sim.now() + timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0)
    invitee_uri = sim.book(event_type["uri"], iso(start), "Ada Lovelace", "ada@example.com")
    event_uri = sim.get(invitee_uri)["event"]
    organization_id = ScheduledEvent.objects.values_list("organization_id", flat=True).first()
    sim.validator = hook = WebhookMeanwhile(sim, event_uri, organization_id)

    run = sync_connection(owner_connection.pk)

    assert hook.done
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert EventHost.objects.filter(event__uri=event_uri).count() == 1
