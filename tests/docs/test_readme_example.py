"""The README's example of using the simulator in a host site's own tests, run as written."""

from datetime import timedelta

import pytest
from django.dispatch import receiver

from calendly_integration.models import Invitee
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.signals import invitee_created
from calendly_integration.sync import sync_connection


@pytest.mark.django_db
def test_a_booking_reaches_the_mirror(
    calendly_simulator, calendly_settings_for_simulator, django_user_model
):
    sim = calendly_simulator
    user = django_user_model.objects.create_user("olivia")
    connection = connect_personal_access_token(user, sim.create_token(user_uri=sim.owner.uri))

    event_type = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "solo"
    )
    start = (sim.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    invitee_uri = sim.book(event_type["uri"], start, name="Ada Lovelace", email="ada@example.com")

    run = sync_connection(connection.pk)

    assert run.succeeded, run.error
    assert Invitee.objects.get(uri=invitee_uri).email == "ada@example.com"


@pytest.mark.django_db(transaction=True)
def test_a_booking_sends_invitee_created_through_the_webhook(
    calendly_simulator,
    calendly_settings_for_simulator,
    calendly_tasks_inline,
    django_user_model,
    live_server,
):
    calendly_settings_for_simulator.update(PUBLIC_BASE_URL=live_server.url)
    sim = calendly_simulator
    booked = []

    @receiver(invitee_created, weak=False)
    def record(sender, invitee, **kwargs):
        booked.append(invitee.email)

    try:
        user = django_user_model.objects.create_user("olivia")
        connect_personal_access_token(user, sim.create_token(user_uri=sim.owner.uri))
        # Connecting subscribed the connection to webhooks (inline, as PUBLIC_BASE_URL is set).
        event_type = next(
            et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "solo"
        )
        start = (sim.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
        sim.book(event_type["uri"], start, name="Ada Lovelace", email="ada@example.com")
        assert sim.wait_for_deliveries(10)
    finally:
        invitee_created.disconnect(record)

    assert booked == ["ada@example.com"]
