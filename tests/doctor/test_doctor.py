"""``calendly_doctor``: healthy installs pass; every kind of drift or breakage is named, exit 1."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from calendly_integration.client import CalendlyClient, parse_time
from calendly_integration.doctor.verify import PRESENT, Difference, verify_connection
from calendly_integration.models import Connection, Invitee, ScheduledEvent
from calendly_integration.services.webhooks import delete_subscription
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.calendly_helpers import TOKEN_PATTERN
from tests.doctor.conftest import connect, connect_with_scopes, run_doctor

pytestmark = pytest.mark.django_db


def one_on_one_invitee(sim, host_uri: str | None = None) -> dict:
    """An active invitee of an active single-invitee event in the sync window, in the future
    (hosted by ``host_uri`` when given: a user-scoped subscription hears only of those)."""
    events = ScheduledEvent.objects.live().active().filter(invitees_limit=1)
    if host_uri is not None:
        events = events.filter(hosts__user_uri=host_uri)
    for event in events.order_by("start_time", "pk"):
        if event.start_time <= sim.now():
            continue
        invitee = Invitee.objects.live().filter(event=event, status="active").first()
        if invitee is not None:
            return {"event": event.uri, "invitee": invitee.uri}
    raise AssertionError("the dataset has no future one-on-one event")


def test_a_healthy_install_passes_and_the_mirror_equals_calendly(connection):
    code, out = run_doctor("--verify")

    assert code == 0, out
    assert "[FAIL]" not in out
    assert "the mirror equals Calendly" in out
    assert verify_connection(connection) == []


def test_the_report_covers_every_check_and_never_shows_a_token(connection):
    code, out = run_doctor("--verify", "--json")

    assert code == 0, out
    report = json.loads(out)
    assert report["ok"] is True and report["differences"] == 0
    assert {c["check"] for c in report["installation"]} == {
        "settings",
        "encryption_keys",
        "broker",
        "schedules",
    }
    [item] = report["connections"]
    assert item["connection"] == connection.pk
    assert {c["check"] for c in item["checks"]} == {"token", "scopes", "webhooks"}
    assert item["differences"] == []
    keys = next(c for c in report["installation"] if c["check"] == "encryption_keys")
    assert keys["details"] == {"TOKEN_ENCRYPTION_KEYS[0]": 2}
    assert not TOKEN_PATTERN.search(out)


def test_a_canceled_booking_shows_up_as_differences(sim, connection):
    booking = one_on_one_invitee(sim)
    sim.cancel_invitee(booking["invitee"], reason="Changed plans")

    differences = verify_connection(connection)

    assert Difference("invitee", booking["invitee"], "status", "active", "canceled") in (
        differences
    )
    assert Difference("scheduled_event", booking["event"], "status", "active", "canceled") in (
        differences
    )
    code, out = run_doctor("--verify")
    assert code == 1
    assert f'invitee {booking["invitee"]} status: "active" / "canceled"' in out


def test_a_no_show_shows_up_as_a_difference(sim, connection):
    booking = one_on_one_invitee(sim)
    sim.mark_no_show(booking["invitee"])

    assert verify_connection(connection) == [
        Difference("invitee", booking["invitee"], "is_no_show", False, True)
    ]


def test_an_event_deleted_at_calendly_shows_up_as_missing_there(sim, connection):
    past = (
        ScheduledEvent.objects.live()
        .filter(start_time__lt=sim.now() - timedelta(days=1))
        .order_by("-start_time")
        .first()
    )
    assert past is not None
    with CalendlyClient.from_settings(sim.create_token()) as client:
        client.delete_scheduled_event_data(past.start_time, past.start_time + timedelta(seconds=1))

    differences = verify_connection(connection)

    assert Difference("scheduled_event", past.uri, PRESENT, True, False) in differences
    assert run_doctor("--verify")[0] == 1


def test_a_changed_membership_role_shows_up_as_a_difference(sim, connection):
    member = sim.members[0]
    with sim.store.lock:
        membership = next(
            m for m in sim.store.memberships.values() if m["user"]["uri"] == member.uri
        )
        membership["role"] = "admin"
        sim.store.roles[member.uuid] = "admin"

    assert verify_connection(connection) == [
        Difference("membership", membership["uri"], "role", "user", "admin")
    ]


def test_a_booking_the_mirror_never_heard_of_is_missing_in_the_mirror(sim, connection):
    event_type = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "solo"
    )
    start = (sim.now() + timedelta(days=4)).replace(hour=15, minute=0, second=0, microsecond=0)
    invitee_uri = sim.book(event_type["uri"], start, name="Ada Lovelace", email="ada@example.com")
    event_uri = sim.get(invitee_uri)["event"]

    assert verify_connection(connection) == [
        Difference("scheduled_event", event_uri, PRESENT, False, True)
    ]


def test_a_revoked_token_is_reported_and_the_connection_marked(sim, connection):
    sim.revoke_token(connection.access_token)

    code, out = run_doctor("--verify")

    assert code == 1
    assert "needs_reauth" in out
    assert "not compared" in out
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.NEEDS_REAUTH
    assert not TOKEN_PATTERN.search(out)


def test_a_subscription_calendly_disabled_is_reported(make_sim, owner, settings):
    sim = make_sim(retry_delays=(0.01,))
    connection = connect(sim, owner)
    [subscription] = connection.webhook_subscriptions.all()
    # Deliveries go nowhere: after its retry Calendly disables the subscription.
    sim.cancel_invitee(one_on_one_invitee(sim, connection.calendly_user_uri)["invitee"])
    assert sim.wait_for_deliveries(10)
    assert sim.get(subscription.uri)["state"] == "disabled"

    code, out = run_doctor()

    assert code == 1
    assert f"{subscription.uri} is disabled at Calendly" in out


def test_a_subscription_deleted_at_calendly_is_reported_missing(sim, connection):
    [subscription] = connection.webhook_subscriptions.all()
    with CalendlyClient.from_settings(sim.create_token()) as client:
        client.delete_webhook_subscription(subscription.uri)

    code, out = run_doctor()

    assert code == 1
    assert f"{subscription.uri} is missing at Calendly" in out
    ensure_subscriptions(connection)
    assert run_doctor()[0] == 0


def test_webhooks_deleted_on_purpose_are_not_reported_as_a_problem(connection):
    [subscription] = connection.webhook_subscriptions.all()
    delete_subscription(subscription)

    code, out = run_doctor()

    assert code == 0, out
    assert "Webhooks were deleted on purpose" in out
    assert "No webhook subscription" not in out


def test_missing_schedules_fail_the_check(connection):
    Schedule.objects.all().delete()

    code, out = run_doctor()

    assert code == 1
    assert "Run calendly_setup_schedules" in out


def test_one_connection_can_be_checked_alone(sim, connection, django_user_model):
    other = django_user_model.objects.create_user("ben", "ben@example.com", "pw")
    broken = connect(sim, other, user_uri=sim.admin.uri, sync=False)
    sim.revoke_token(broken.access_token)

    assert run_doctor("--verify", "--connection", str(connection.pk))[0] == 0
    assert run_doctor("--connection", str(broken.pk))[0] == 1


def test_an_unknown_connection_id_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no Calendly connection with id 999"):
        call_command("calendly_doctor", "--connection", "999")


def test_events_are_compared_in_the_window_of_the_last_sync(sim, connection):
    run = connection.sync_runs.get()
    mirrored = set(
        ScheduledEvent.objects.live()
        .filter(start_time__gte=run.window_start, start_time__lt=run.window_end)
        .values_list("uri", flat=True)
    )
    outside = [
        e
        for e in sim.store.events.values()
        if not run.window_start <= parse_time(e["start_time"]) < run.window_end
    ]
    assert mirrored and outside  # the dataset has events on both sides of the window
    assert verify_connection(connection) == []


def test_a_members_connection_compares_what_the_member_sees(sim, connection, django_user_model):
    member = sim.members[0]
    site_user = django_user_model.objects.create_user("maya", "maya@example.com", "pw")
    mine = connect(sim, site_user, user_uri=member.uri)
    event = (
        ScheduledEvent.objects.live().active().hosted_by(member.uri).filter(invitees_limit=1)
    ).first()
    invitee = Invitee.objects.live().filter(event=event, status="active").first()
    assert invitee is not None

    assert verify_connection(mine) == []
    sim.mark_no_show(invitee.uri)
    assert verify_connection(mine) == [
        Difference("invitee", invitee.uri, "is_no_show", False, True)
    ]


def test_what_a_connection_may_not_read_is_neither_synced_nor_compared(sim, django_user_model):
    site_user = django_user_model.objects.create_user("nora", "nora@example.com", "pw")
    narrow = connect_with_scopes(sim, site_user, "users:read scheduled_events:read")

    assert verify_connection(narrow) == []
    code, out = run_doctor("--verify", "--connection", str(narrow.pk))
    assert "[WARN] scopes" in out and "the mirror equals Calendly" in out
    assert code == 0, out
