"""A delivery Calendly never got through, then a later one about the same event: sync still heals.

Found by the chaos soak: the sync re-reads an event's invitees only when the event's
``updated_at`` moved since it last looked. A webhook about one invitee stores the event as
Calendly has it now, newest ``updated_at`` included; when the delivery about another invitee of
that event was lost (a disabled subscription), the sync then saw nothing new about the event and
the lost change stayed out of the mirror for good.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from calendly_integration.models import Invitee
from calendly_integration.sync import sync_connection
from calendly_integration.testing.simulator.timeutil import iso

from .conftest import post_signed

pytestmark = pytest.mark.django_db


def group_event_type(sim) -> dict:
    return next(
        et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "group"
    )


def test_a_lost_cancellation_is_synced_after_a_webhook_about_another_invitee(
    sim, captured, recorder, client, django_capture_on_commit_callbacks
):
    event_type = group_event_type(sim)
    start = iso((sim.now() + timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0))
    ada = sim.book(event_type["uri"], start, "Ada Lovelace", "ada@example.com")
    sim.book(event_type["uri"], start, "Grace Hopper", "grace@example.com")
    assert sync_connection(captured.pk).status == "succeeded"
    assert Invitee.objects.get(uri=ada).status == "active"

    sim.cancel_invitee(ada)  # its invitee.canceled is lost: never posted to our receiver
    alan = sim.book(event_type["uri"], start, "Alan Turing", "alan@example.com")
    assert sim.wait_for_deliveries(10)
    [(path, body)] = [(p, b) for p, b in recorder.bodies("invitee.created") if alan.encode() in b]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, path, body, sim.webhook_signing_key)
    assert response.status_code == 200
    assert Invitee.objects.get(uri=alan).event.invitees.count() == 3

    assert sync_connection(captured.pk).status == "succeeded"

    assert Invitee.objects.get(uri=ada).status == "canceled"
