"""Event hosts are replaced one way, for a sync's page and for a single event alike."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendly_integration.mirror.hosts import replace_hosts
from calendly_integration.mirror.mapping import event_hosts
from calendly_integration.mirror.objects import save_scheduled_event
from calendly_integration.models import CalendlyUser, EventHost, ScheduledEvent

API = "https://api.calendly.com"
ADA, BOB = f"{API}/users/ADA", f"{API}/users/BOB"


def event(uri: str, updated_at: str, *hosts: str) -> dict:
    return {
        "uri": f"{API}/scheduled_events/{uri}",
        "name": "Intro",
        "status": "active",
        "start_time": "2026-11-24T10:00:00.000000Z",
        "end_time": "2026-11-24T10:30:00.000000Z",
        "updated_at": updated_at,
        "event_memberships": [
            {"user": user, "user_email": f"{user[-3:]}@example.com"} for user in hosts
        ],
    }


def hosts_of(row: ScheduledEvent) -> list[tuple[str, int | None]]:
    return list(row.hosts.order_by("position").values_list("user_uri", "user_id"))


@pytest.mark.django_db
def test_a_single_event_gets_its_hosts_replaced_and_linked_to_the_users_we_hold():
    ada = CalendlyUser.objects.create(uri=ADA, raw={})
    first = save_scheduled_event(event("EV1", "2026-11-20T10:00:00Z", ADA, BOB), None)
    assert hosts_of(first) == [(ADA, ada.pk), (BOB, None)]

    later = save_scheduled_event(event("EV1", "2026-11-21T10:00:00Z", BOB), None)
    assert hosts_of(later) == [(BOB, None)]

    older = save_scheduled_event(event("EV1", "2026-11-19T10:00:00Z", ADA), None)
    assert hosts_of(older) == [(BOB, None)]  # an older object leaves event and hosts alone


@pytest.mark.django_db
def test_a_page_replaces_changed_events_hosts_and_keeps_what_others_stored_for_new_ones():
    changed = ScheduledEvent.objects.create(uri=f"{API}/scheduled_events/EV1", raw={})
    new = ScheduledEvent.objects.create(uri=f"{API}/scheduled_events/EV2", raw={})
    EventHost.objects.create(event=changed, user_uri=ADA)
    EventHost.objects.create(event=new, user_uri=BOB, name="stored by a webhook")
    hosts = {
        changed.pk: event_hosts(event("EV1", "", BOB)),
        new.pk: event_hosts(event("EV2", "", BOB, ADA)),
    }

    with CaptureQueriesContext(connection) as queries:
        replace_hosts(hosts, user_ids={}, fresh={new.pk})

    assert len(queries) == 2  # one delete, one insert, whatever the number of events
    assert hosts_of(changed) == [(BOB, None)]
    assert hosts_of(new) == [(BOB, None), (ADA, None)]
    assert new.hosts.get(user_uri=BOB).name == "stored by a webhook"
