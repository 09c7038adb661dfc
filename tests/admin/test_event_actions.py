"""Cancelling, refreshing and no-shows from the admin act on Calendly, after a confirmation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from calendly_integration.models import Connection, Invitee, ScheduledEvent
from tests.admin.helpers import messages_of, pick_action, run_action

pytestmark = pytest.mark.django_db


def upcoming_events(count: int) -> list[ScheduledEvent]:
    events = list(
        ScheduledEvent.objects.filter(status="active", start_time__gt=timezone.now())
        .exclude(invitees_active=0)
        .order_by("start_time")[:count]
    )
    assert len(events) == count
    return events


def past_invitees(count: int, *, no_show: bool = False) -> list[Invitee]:
    invitees = list(
        Invitee.objects.filter(
            status="active",
            is_no_show=no_show,
            event__status="active",
            event__start_time__lt=timezone.now(),
        ).order_by("pk")[:count]
    )
    assert len(invitees) == count
    return invitees


def test_picking_cancel_only_leads_to_a_confirmation_page(admin_client, sim, synced):
    events = upcoming_events(2)
    canceled = ScheduledEvent.objects.filter(status="canceled").first()
    sim.clear_requests()

    picked = pick_action(admin_client, ScheduledEvent, "cancel_on_calendly", [*events, canceled])
    assert picked.status_code == 302
    page = admin_client.get(picked["Location"])

    html = page.content.decode()
    assert page.status_code == 200
    assert "Cancel on Calendly" in html
    for event in events:
        assert str(event) in html
    assert "Will be canceled at Calendly" in html
    assert "already canceled" in html  # the canceled one is listed as skipped, with why
    assert 'name="reason"' in html
    assert [r for r in sim.requests if r.method == "POST"] == []  # nothing happened yet


def test_cancel_asks_for_a_reason(admin_client, sim, synced):
    [event] = upcoming_events(1)
    picked = pick_action(admin_client, ScheduledEvent, "cancel_on_calendly", [event])

    response = admin_client.post(picked["Location"], {"ids": str(event.pk), "reason": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert sim.get(event.uri)["status"] == "active"


def test_cancel_cancels_at_calendly_and_reports_each_row(admin_client, sim, synced):
    events = upcoming_events(2)
    canceled = ScheduledEvent.objects.filter(status="canceled").first()

    response = run_action(
        admin_client,
        ScheduledEvent,
        "cancel_on_calendly",
        [*events, canceled],
        reason="The office is closed that week.",
    )

    assert response.status_code == 302
    for event in events:
        remote = sim.get(event.uri)
        assert remote["status"] == "canceled"
        assert remote["cancellation"]["reason"] == "The office is closed that week."
        event.refresh_from_db()
        assert event.status == "canceled"
        assert event.cancel_reason == "The office is closed that week."
        assert set(event.invitees.values_list("status", flat=True)) == {"canceled"}
    found = messages_of(response)
    assert ("error", "Cancel on Calendly: 2 done, 1 skipped, 0 failed.") not in found
    assert ("success", "Cancel on Calendly: 2 done, 1 skipped, 0 failed.") in found
    for event in events:
        assert (
            "success",
            f"{ScheduledEvent.objects.get(pk=event.pk)} — Done: canceled at Calendly.",
        ) in found
    assert ("warning", f"{canceled} — Skipped: already canceled.") in found


def test_the_confirmation_page_keeps_the_list_filters(admin_client, sim, synced):
    [event] = upcoming_events(1)
    response = admin_client.post(
        "/admin/calendly_integration/scheduledevent/?status__exact=active",
        {"action": "cancel_on_calendly", "_selected_action": [event.pk], "index": 0},
    )
    confirmation = response["Location"]
    assert "_changelist_filters=status__exact%3Dactive" in confirmation

    done = admin_client.post(confirmation, {"ids": str(event.pk), "reason": "x"})
    assert done["Location"].endswith("/scheduledevent/?status__exact=active")


def test_a_missing_scope_is_a_clear_message_not_a_500(admin_client, sim, connect):
    connection = connect(
        scopes="users:read organizations:read scheduled_events:read event_types:read"
    )
    from calendly_integration.sync import sync_connection

    assert sync_connection(connection.pk).succeeded
    Connection.objects.filter(pk=connection.pk).update(scopes="scheduled_events:read")
    [event] = upcoming_events(1)

    response = run_action(admin_client, ScheduledEvent, "cancel_on_calendly", [event], reason="x")

    assert response.status_code == 302
    found = messages_of(response)
    assert (
        "error",
        f"{event} — Failed: Reconnect Calendly and grant scheduled_events:write.",
    ) in found
    assert sim.get(event.uri)["status"] == "active"


def test_calendly_refusing_a_scope_is_a_clear_message(admin_client, sim, connect):
    connection = connect(
        scopes="users:read organizations:read scheduled_events:read event_types:read"
    )
    from calendly_integration.sync import sync_connection

    assert sync_connection(connection.pk).succeeded
    Connection.objects.filter(pk=connection.pk).update(scopes="")  # we think it has everything
    [event] = upcoming_events(1)

    response = run_action(admin_client, ScheduledEvent, "cancel_on_calendly", [event], reason="x")

    found = messages_of(response)
    assert any(
        level == "error" and "grant scheduled_events:write" in text for level, text in found
    ), found


def test_a_rate_limit_is_a_clear_message(admin_client, sim, synced, settings):
    settings.CALENDLY = {**settings.CALENDLY, "RATE_LIMIT_MAX_WAIT": 0.1}
    [event] = upcoming_events(1)
    sim.faults.rate_limit_next(1, retry_after=42)

    response = run_action(admin_client, ScheduledEvent, "cancel_on_calendly", [event], reason="x")

    found = messages_of(response)
    assert (
        "error",
        f"{event} — Failed: Calendly's rate limit was reached; try again in 42 seconds.",
    ) in found


def test_a_connection_that_needs_reconnecting_is_a_clear_message(admin_client, sim, synced):
    Connection.objects.filter(pk=synced.pk).update(status=Connection.Status.NEEDS_REAUTH)
    [event] = upcoming_events(1)

    response = run_action(admin_client, ScheduledEvent, "cancel_on_calendly", [event], reason="x")

    found = messages_of(response)
    assert any(level == "error" and "reconnect" in text.lower() for level, text in found), found
    assert sim.get(event.uri)["status"] == "active"


def test_a_calendly_outage_fails_the_row_not_the_page(admin_client, sim, synced):
    events = upcoming_events(2)
    sim.faults.fail_next(1, status=500)

    response = run_action(admin_client, ScheduledEvent, "cancel_on_calendly", events, reason="x")

    assert response.status_code == 302
    found = messages_of(response)
    assert ("error", "Cancel on Calendly: 1 done, 0 skipped, 1 failed.") in found
    statuses = sorted(sim.get(e.uri)["status"] for e in events)
    assert statuses == ["active", "canceled"]


def test_refresh_reads_the_event_and_its_invitees_again(admin_client, sim, synced):
    [event] = upcoming_events(1)
    invitee = event.invitees.filter(status="active").first()
    sim.cancel_invitee(invitee.uri, reason="Cannot make it")

    response = run_action(admin_client, ScheduledEvent, "refresh_from_calendly", [event])

    invitee.refresh_from_db()
    assert invitee.status == "canceled"
    assert invitee.cancel_reason == "Cannot make it"
    assert any(level == "success" and "read again" in text for level, text in messages_of(response))


def test_mark_and_unmark_no_show(admin_client, sim, synced):
    invitees = past_invitees(2)
    upcoming = Invitee.objects.filter(status="active", event__start_time__gt=timezone.now()).first()

    marked = run_action(admin_client, Invitee, "mark_no_show", [*invitees, upcoming])

    for invitee in invitees:
        assert sim.get(invitee.uri)["no_show"] is not None
        invitee.refresh_from_db()
        assert invitee.is_no_show and invitee.no_show_uri
    assert sim.get(upcoming.uri)["no_show"] is None
    found = messages_of(marked)
    assert ("success", "Mark as no-show on Calendly: 2 done, 1 skipped, 0 failed.") in found
    assert ("warning", f"{upcoming} — Skipped: the meeting has not started yet.") in found

    unmarked = run_action(admin_client, Invitee, "unmark_no_show", invitees)

    for invitee in invitees:
        assert sim.get(invitee.uri)["no_show"] is None
        invitee.refresh_from_db()
        assert not invitee.is_no_show
    assert ("success", "Unmark no-show on Calendly: 2 done, 0 skipped, 0 failed.") in messages_of(
        unmarked
    )


def test_unmark_skips_invitees_that_are_not_no_shows(admin_client, sim, synced):
    [invitee] = past_invitees(1)
    sim.clear_requests()

    response = run_action(admin_client, Invitee, "unmark_no_show", [invitee])

    assert ("warning", f"{invitee} — Skipped: not marked as a no-show.") in messages_of(response)
    assert [r for r in sim.requests if r.method in ("POST", "DELETE")] == []
