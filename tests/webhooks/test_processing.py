"""Processing: payloads as the simulator sends them become rows and signals, in any order, once.

The simulator delivers to a recorder; each test posts the recorded bodies to the receiver itself,
freshly signed, in the order it wants to test (Calendly does not guarantee one).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from calendly_integration.mirror.fingerprint import fingerprint
from calendly_integration.mirror.mapping import invitee_fields, scheduled_event_fields
from calendly_integration.models import (
    EventType,
    Invitee,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from calendly_integration.webhooks.processing import process_delivery, retry_failed_deliveries

from .conftest import book, names, post_signed, receiver_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(client, sim, django_capture_on_commit_callbacks):
    """Post one recorded (path, body) to the receiver, signed with the app key; process it."""

    def post(path: str, body: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, path, body, sim.webhook_signing_key)
        assert response.status_code == 200, response.content
        return response

    return post


def recorded(sim, recorder, event: str | None = None) -> list[tuple[str, bytes]]:
    assert sim.wait_for_deliveries(10)
    return recorder.bodies(event)


def test_a_booking_becomes_an_event_an_invitee_and_a_signal(
    sim, captured, recorder, deliver, signal_log
):
    invitee_uri = book(sim, name="Ada Lovelace")
    [(path, body)] = recorded(sim, recorder)

    deliver(path, body)

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.status == "active"
    assert invitee.email == "ada@example.com"
    event = invitee.event
    assert event.status == "active"
    assert event.raw == json.loads(body)["payload"]["scheduled_event"]
    assert [h.user_uri for h in event.hosts.all()] == [sim.owner.uri]
    assert names(signal_log) == ["invitee_created"]
    _, kwargs = signal_log[0]
    assert kwargs["invitee"] == invitee
    assert kwargs["scheduled_event"] == event
    assert kwargs["rescheduled_from"] is None
    assert kwargs["replay"] is False
    assert signal_log[-1][0] == "webhook_received"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "processed"
    assert delivery.attempts == 1
    assert delivery.processed_at is not None


def test_a_duplicate_is_stored_answered_200_and_not_processed_again(
    sim, captured, recorder, deliver, signal_log
):
    book(sim)
    [(path, body)] = recorded(sim, recorder)

    first = deliver(path, body)
    second = deliver(path, body)

    assert first.json() == {"status": "received"}
    assert second.json() == {"status": "duplicate"}
    assert names(signal_log) == ["invitee_created"]
    original, duplicate = WebhookDelivery.objects.order_by("pk")
    assert duplicate.status == "duplicate"
    assert duplicate.duplicate_of == original
    assert duplicate.duplicate_key == original.dedupe_key
    assert duplicate.dedupe_key is None
    assert duplicate.attempts == 0


def test_a_cancellation_that_arrives_before_its_booking_ends_canceled(
    sim, captured, recorder, deliver, signal_log
):
    invitee_uri = book(sim)
    sim.cancel_invitee(invitee_uri, reason="Double booked")
    [created] = recorded(sim, recorder, "invitee.created")
    [canceled] = recorded(sim, recorder, "invitee.canceled")

    deliver(*canceled)
    deliver(*created)

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.status == "canceled"
    assert invitee.cancel_reason == "Double booked"
    assert invitee.event.status == "canceled"
    assert names(signal_log) == ["invitee_canceled", "invitee_created"]
    assert WebhookDelivery.objects.filter(status="processed").count() == 2


def test_older_data_never_overwrites_newer(sim, captured, recorder, deliver):
    invitee_uri = book(sim)
    sim.mark_no_show(invitee_uri)
    [created] = recorded(sim, recorder, "invitee.created")
    [no_show] = recorded(sim, recorder, "invitee_no_show.created")

    deliver(*no_show)
    deliver(*created)

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.is_no_show
    newer = json.loads(no_show[1])["payload"]
    del newer["scheduled_event"]
    assert invitee.raw == newer


@pytest.mark.parametrize("order", ["canceled first", "created first"])
def test_reschedule_pairs_are_linked_both_ways_and_announced_once(
    sim, captured, recorder, deliver, signal_log, order
):
    old_uri = book(sim, days=3)
    recorded(sim, recorder)
    deliver(*recorder.bodies("invitee.created")[0])
    signal_log.clear()
    new_uri = sim.reschedule(old_uri, sim.now().replace(microsecond=0) + _days(5))
    [canceled] = recorded(sim, recorder, "invitee.canceled")
    created = recorded(sim, recorder, "invitee.created")[-1]

    for body in (canceled, created) if order == "canceled first" else (created, canceled):
        deliver(*body)

    old, new = Invitee.objects.get(uri=old_uri), Invitee.objects.get(uri=new_uri)
    assert old.status == "canceled" and old.rescheduled
    assert old.new_invitee_uri == new.uri
    assert new.old_invitee_uri == old.uri
    assert new.status == "active"
    rescheduled = [kwargs for name, kwargs in signal_log if name == "invitee_rescheduled"]
    assert len(rescheduled) == 1
    assert rescheduled[0]["old_invitee"] == old
    assert rescheduled[0]["new_invitee"].uri == new.uri
    canceled_kwargs = next(k for n, k in signal_log if n == "invitee_canceled")
    assert canceled_kwargs["rescheduled"] is True
    created_kwargs = next(k for n, k in signal_log if n == "invitee_created")
    if order == "canceled first":
        assert created_kwargs["rescheduled_from"] == old


def test_no_show_created_and_deleted(sim, captured, recorder, deliver, signal_log):
    invitee_uri = book(sim)
    sim.mark_no_show(invitee_uri)
    sim.unmark_no_show(invitee_uri)
    for path_body in recorded(sim, recorder):
        deliver(*path_body)

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert not invitee.is_no_show
    assert invitee.no_show_uri == ""
    assert names(signal_log) == [
        "invitee_created",
        "invitee_no_show_created",
        "invitee_no_show_deleted",
    ]


def test_a_payload_without_the_scheduled_event_fetches_it(sim, captured, recorder, deliver):
    invitee_uri = book(sim)
    [(path, body)] = recorded(sim, recorder)
    envelope = json.loads(body)
    del envelope["payload"]["scheduled_event"]  # the 2023 payload: only the event's URI
    sim.clear_requests()

    deliver(path, json.dumps(envelope).encode())

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.event.uri == envelope["payload"]["event"]
    assert invitee.event.start_time is not None
    fetched = [r.path for r in sim.requests if r.method == "GET"]
    assert fetched == [invitee.event.uri.removeprefix(sim.url)]


def test_a_no_show_payload_that_only_names_the_invitee_fetches_it(sim, captured, recorder, deliver):
    invitee_uri = book(sim)
    no_show_uri = sim.mark_no_show(invitee_uri)
    path, body = recorded(sim, recorder, "invitee_no_show.created")[0]
    envelope = json.loads(body)
    envelope["payload"] = {"uri": no_show_uri, "invitee": invitee_uri}

    deliver(path, json.dumps(envelope).encode())

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.is_no_show
    assert invitee.no_show_uri == no_show_uri


def test_event_type_created_updated_deleted(sim, captured, recorder, deliver, calendly):
    from calendly_integration.oauth.tokens import client_for_connection

    calendly(WEBHOOK_EVENTS=["event_type.created", "event_type.updated", "event_type.deleted"])
    subscription = _resubscribe(captured)
    event_type = next(et for et in sim.event_types_of(sim.owner.uri) if et["active"])
    with client_for_connection(captured) as client:
        client.update_event_type(event_type["uri"], name="Renamed by the host")
    [(path, body)] = recorded(sim, recorder, "event_type.updated")

    deliver(path, body)
    row = EventType.objects.get(uri=event_type["uri"])
    assert row.name == "Renamed by the host"

    deleted = json.loads(body)
    deleted["event"] = "event_type.deleted"
    deleted["created_at"] = "2099-01-01T00:00:00.000000Z"
    deliver(receiver_path(subscription), json.dumps(deleted).encode())
    row.refresh_from_db()
    assert row.removed_at is not None
    assert row.deleted_at is not None


def test_routing_form_submissions_on_organization_scope(
    sim, captured, recorder, deliver, calendly, signal_log
):
    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    _resubscribe(captured)
    assert WebhookSubscription.objects.filter(scope="organization").exists()
    form = next(iter(sim.store.routing_forms.values()))
    submission_uri = sim.submit_routing_form(form["uri"], {})
    path, body = recorded(sim, recorder, "routing_form_submission.created")[0]

    deliver(path, body)

    submission = RoutingFormSubmission.objects.get(uri=submission_uri)
    assert submission.form.uri == form["uri"]
    assert submission.form.name == form["name"]  # the form was read from Calendly
    assert names(signal_log) == ["routing_form_submission_created"]


def test_organization_and_user_subscriptions_deliver_one_booking_once(
    sim, captured, recorder, deliver, calendly, signal_log
):
    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    _resubscribe(captured)
    book(sim)
    bodies = recorded(sim, recorder, "invitee.created")
    assert len(bodies) == 2  # one per subscription

    for path_body in bodies:
        deliver(*path_body)

    assert names(signal_log) == ["invitee_created"]
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == [
        "duplicate",
        "processed",
    ]


def test_a_failed_processing_stays_visible_and_is_retried(
    sim, captured, recorder, deliver, calendly
):
    invitee_uri = book(sim)
    [(path, body)] = recorded(sim, recorder)
    envelope = json.loads(body)
    del envelope["payload"]["scheduled_event"]
    sim.faults.fail_next(4, status=503)  # the first try and the client's three retries

    deliver(path, json.dumps(envelope).encode())

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "503" in delivery.error or "Service" in delivery.error
    assert delivery.attempts == 1
    assert not Invitee.objects.filter(uri=invitee_uri).exists()

    calendly(WEBHOOK_RETRY_DELAY=0)
    assert retry_failed_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == "processed"
    assert delivery.attempts == 2
    assert delivery.error == ""
    assert Invitee.objects.filter(uri=invitee_uri).exists()


def test_a_delivery_whose_task_was_lost_is_queued_again_once_stuck(
    sim, captured, recorder, deliver, calendly, calendly_tasks_inline
):
    book(sim)
    [(path, body)] = recorded(sim, recorder)
    calendly_tasks_inline(False)  # its task goes to a broker no worker reads: lost
    deliver(path, body)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "received"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(seconds=120)
    )

    calendly_tasks_inline(True)
    calendly(WEBHOOK_STUCK_AFTER=600)
    assert retry_failed_deliveries() == 0
    calendly(WEBHOOK_STUCK_AFTER=60)
    assert retry_failed_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("processed", 1)


def test_retries_stop_after_the_last_attempt(sim, captured, recorder, deliver, calendly):
    book(sim)
    [(path, body)] = recorded(sim, recorder)
    envelope = json.loads(body)
    del envelope["payload"]["scheduled_event"]
    sim.faults.fail_next(1000, status=503)
    calendly(WEBHOOK_RETRY_DELAY=0, WEBHOOK_MAX_ATTEMPTS=2)
    deliver(path, json.dumps(envelope).encode())

    assert retry_failed_deliveries() == 1
    assert retry_failed_deliveries() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


def test_a_forced_replay_rewrites_the_same_rows_and_says_it_is_a_replay(
    sim, captured, recorder, deliver, signal_log
):
    invitee_uri = book(sim)
    deliver(*recorded(sim, recorder)[0])
    before = Invitee.objects.values().get(uri=invitee_uri)
    signal_log.clear()

    assert process_delivery(WebhookDelivery.objects.get().pk, force=True) == "processed"

    after = Invitee.objects.values().get(uri=invitee_uri)
    assert {k: v for k, v in after.items() if k != "synced_at"} == {
        k: v for k, v in before.items() if k != "synced_at"
    }
    assert names(signal_log) == ["invitee_created"]
    assert signal_log[0][1]["replay"] is True


def test_processing_without_force_leaves_a_processed_delivery_alone(
    sim, captured, recorder, deliver, signal_log
):
    book(sim)
    deliver(*recorded(sim, recorder)[0])
    signal_log.clear()
    assert process_delivery(WebhookDelivery.objects.get().pk) == "processed"
    assert signal_log == []


def test_rows_match_what_sync_would_write(sim, captured, recorder, deliver):
    """Same mapping, same foreign keys, same fingerprint: a sync finds the rows unchanged."""
    invitee_uri = book(sim)
    deliver(*recorded(sim, recorder)[0])
    event = ScheduledEvent.objects.get(invitees__uri=invitee_uri)
    invitee = Invitee.objects.get(uri=invitee_uri)

    event_fields = scheduled_event_fields(sim.get(event.uri))
    event_fields.update(organization_id=event.organization_id, event_type_id=event.event_type_id)
    invitee_row = invitee_fields(sim.get(invitee_uri))
    invitee_row.update(organization_id=event.organization_id, event_id=event.pk)
    assert event.fingerprint == fingerprint(event_fields)
    assert invitee.fingerprint == fingerprint(invitee_row)


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _resubscribe(connection):
    from calendly_integration.webhooks.subscriptions import ensure_subscriptions

    ensure_subscriptions(connection)
    return WebhookSubscription.objects.get(connection=connection, scope="user")


def test_slack_is_told_once_even_when_a_delivery_is_replayed(
    sim, captured, recorder, deliver, calendly
):
    calendly(SLACK_WEBHOOK_URL=f"{recorder.url}/slack")
    book(sim)
    deliver(*recorded(sim, recorder)[0])
    process_delivery(WebhookDelivery.objects.get().pk, force=True)

    posts = [r for r in recorder.requests if r["path"] == "/slack"]
    assert len(posts) == 1
    assert json.loads(posts[0]["body"])["blocks"][0]["text"]["text"].startswith("New booking")
