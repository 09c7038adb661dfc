"""A delivery on organization A's subscription that names organization B's objects (issue 18).

Two simulators are two Calendly organizations, both mirrored into one database. Each test posts,
signed with the app's key to A's organization subscription, a delivery whose payload is one of
B's, built from B's simulator exactly as it sends them (the invitee with its ``scheduled_event``,
a routing form submission, an event type), followed by a real delivery of A's. B's delivery is
stored as it came and ends ``misrouted`` with a warning; nothing outside A changes (every row of
B and every row without an organization, field for field); A's delivery is processed.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from calendly_integration.testing.simulator.timeutil import iso
from calendly_integration.webhooks.processing import process_delivery, retry_failed_deliveries
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.admin.helpers import messages_of, run_action
from tests.api.conftest import calendly_at
from tests.calendly_helpers import make_oauth_connection
from tests.conftest import UNLIMITED

from .conftest import book, future_slot, names, post_signed, receiver_path

pytestmark = pytest.mark.django_db

PROCESSING_LOGGER = "calendly_integration.webhooks.processing"
OWNED = (
    CalendlyUser,
    Membership,
    EventType,
    ScheduledEvent,
    Invitee,
    RoutingForm,
    RoutingFormSubmission,
    AvailabilitySchedule,
)
_serial = itertools.count(1)


@pytest.fixture
def sim_calendly(calendly_tasks_inline) -> dict[str, Any]:
    """Processing inline; a narrow sync window keeps both mirrors small."""
    return {"SYNC_BACKFILL_DAYS": 3, "SYNC_HORIZON_DAYS": 7}


@pytest.fixture
def sim_b(calendly_simulator_factory) -> Any:
    return calendly_simulator_factory(seed=2, size="small", rate_limit_per_minute=UNLIMITED)


@pytest.fixture
def a_subscription(sim, recorder, calendly, owner) -> WebhookSubscription:
    """A's organization subscription (delivering to the recorder), A mirrored by a sync."""
    calendly(PUBLIC_BASE_URL=recorder.url, WEBHOOK_ORGANIZATION_SCOPE=True)
    connection = make_oauth_connection(sim, owner)
    ensure_subscriptions(connection)
    run = sync_connection(connection.pk)
    assert run.succeeded, run.error
    return WebhookSubscription.objects.get(connection=connection, scope="organization")


@pytest.fixture
def org_a(a_subscription, sim) -> Organization:
    return Organization.objects.get(uri=sim.organization_uri)


@pytest.fixture
def org_b(sim_b, settings, a_subscription) -> Organization:
    """B mirrored by its owner's sync, in the same database."""
    site_user = get_user_model().objects.create_user("b-owner", "b-owner@example.com", "pw")
    with calendly_at(settings, sim_b):
        connection = connect_personal_access_token(
            site_user, sim_b.create_token(user_uri=sim_b.owner.uri)
        )
        run = sync_connection(connection.pk)
    assert run.succeeded, run.error
    organization = Organization.objects.get(uri=sim_b.organization_uri)
    assert Invitee.objects.filter(organization=organization).exists()
    return organization


@pytest.fixture
def deliver(client, sim, django_capture_on_commit_callbacks) -> Callable[[str, bytes], Any]:
    """Post a body to a receiver path, signed with the app's key; process it inline."""

    def post(path: str, body: bytes) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, path, body, sim.webhook_signing_key)
        assert response.status_code == 200, response.content
        return response

    return post


@pytest.fixture
def legit_a(sim, recorder, a_subscription) -> Callable[[], tuple[str, bytes]]:
    """A new booking in A, as delivered to A's organization subscription: (invitee URI, body)."""

    def make() -> tuple[str, bytes]:
        invitee_uri = book(sim, days=4, hour=9 + next(_serial) % 8, name="Grace Hopper")
        assert sim.wait_for_deliveries(10)
        path = receiver_path(a_subscription)
        bodies = [
            body
            for p, body in recorder.bodies("invitee.created")
            if p == path and json.loads(body)["payload"]["uri"] == invitee_uri
        ]
        return invitee_uri, bodies[0]

    return make


def envelope(event: str, payload: dict[str, Any], created_by: str) -> bytes:
    """A delivery of ``payload`` as Calendly sends one (a fresh ``created_at`` each time)."""
    moment = timezone.now() + timedelta(microseconds=next(_serial))
    body = {"event": event, "created_at": iso(moment), "created_by": created_by, "payload": payload}
    return json.dumps(body, separators=(",", ":")).encode()


def invitee_payload(sim: Any, invitee_uri: str) -> dict[str, Any]:
    """An invitee delivery's payload as the simulator sends it: the invitee and its event."""
    with sim.store.lock:
        invitee = sim.store.invitee_by_uri(invitee_uri)
        payload = copy.deepcopy(dict(invitee))
        payload["scheduled_event"] = copy.deepcopy(
            sim.store.events[sim.store.event_uuid_of(invitee)]
        )
    return payload


def outside(organization: Organization) -> dict[str, list[dict[str, Any]]]:
    """Every mirrored row not in ``organization`` (other organizations' and unowned), as stored."""
    rows = {
        model.__name__: list(
            model.objects.exclude(organization=organization).order_by("pk").values()
        )
        for model in OWNED
    }
    rows["EventHost"] = list(
        EventHost.objects.exclude(event__organization=organization).order_by("pk").values()
    )
    rows["Organization"] = list(Organization.objects.order_by("pk").values())
    return rows


def rows_in(organization: Organization, url: str) -> list[str]:
    """URIs of rows in ``organization`` that another simulator (at ``url``) made."""
    return [
        uri
        for model in OWNED
        for uri in model.objects.filter(organization=organization, uri__startswith=url).values_list(
            "uri", flat=True
        )
    ]


def b_invitee(org_b: Organization, *, past: bool) -> Invitee:
    now = timezone.now()
    window = {"event__start_time__lt": now} if past else {"event__start_time__gt": now}
    invitee = (
        Invitee.objects.filter(
            organization=org_b, status="active", is_no_show=False, event__status="active", **window
        )
        .order_by("pk")
        .first()
    )
    assert invitee is not None
    return invitee


# What B's Calendly sends, one builder per kind of delivery: (event, payload).


def b_booking(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    """A new booking in B: the event and invitee are new, its host and event type are B's."""
    event_type = next(
        et for et in sim_b.event_types_of(sim_b.owner.uri) if et["active"] and et["kind"] == "solo"
    )
    assert EventType.objects.filter(uri=event_type["uri"], organization=org_b).exists()
    uri = sim_b.book(event_type["uri"], future_slot(sim_b, 5), name="Bo B", email="bo@example.com")
    return "invitee.created", invitee_payload(sim_b, uri)


def b_cancellation(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    uri = b_invitee(org_b, past=False).uri
    sim_b.cancel_invitee(uri, reason="Moved to A?")
    return "invitee.canceled", invitee_payload(sim_b, uri)


def b_no_show(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    uri = b_invitee(org_b, past=True).uri
    sim_b.mark_no_show(uri)
    return "invitee_no_show.created", invitee_payload(sim_b, uri)


def b_no_show_undone(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    uri = b_invitee(org_b, past=True).uri
    sim_b.mark_no_show(uri)
    sim_b.unmark_no_show(uri)
    return "invitee_no_show.deleted", invitee_payload(sim_b, uri)


def b_submission(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    form = next(iter(sim_b.store.routing_forms.values()))
    assert RoutingForm.objects.filter(uri=form["uri"], organization=org_b).exists()
    uri = sim_b.submit_routing_form(form["uri"], {"Email": "lead@example.com"})
    return "routing_form_submission.created", sim_b.get(uri)


def _b_event_type(org_b: Organization) -> dict[str, Any]:
    row = EventType.objects.filter(organization=org_b, active=True).order_by("pk").first()
    return copy.deepcopy(row.raw)


def b_event_type_updated(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    data = _b_event_type(org_b)
    data["name"] = "Renamed in B"
    data["updated_at"] = iso(timezone.now())
    return "event_type.updated", data


def b_event_type_deleted(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    data = _b_event_type(org_b)
    data["deleted_at"] = iso(timezone.now())
    return "event_type.deleted", data


def b_event_type_created(sim_b: Any, org_b: Organization) -> tuple[str, dict[str, Any]]:
    """A new event type of B's owner: unknown itself, its owner is B's."""
    data = _b_event_type(org_b)
    data["uri"] = f"{sim_b.url}/event_types/NEWINBXXXXXXXXXX"
    data["profile"] = {"type": "User", "name": sim_b.owner.name, "owner": sim_b.owner.uri}
    return "event_type.created", data


B_DELIVERIES = {
    "invitee.created": b_booking,
    "invitee.canceled": b_cancellation,
    "invitee_no_show.created": b_no_show,
    "invitee_no_show.deleted": b_no_show_undone,
    "routing_form_submission.created": b_submission,
    "event_type.created": b_event_type_created,
    "event_type.updated": b_event_type_updated,
    "event_type.deleted": b_event_type_deleted,
}


def assert_misrouted(
    delivery: WebhookDelivery, body: bytes, subscription: WebhookSubscription, caplog: Any
) -> None:
    """Stored as it came on A's subscription, marked misrouted, warned about without secrets."""
    assert delivery.subscription == subscription
    assert delivery.body_bytes == body
    assert delivery.signature == WebhookDelivery.Signature.VALID
    assert delivery.status == WebhookDelivery.Status.MISROUTED
    assert delivery.error.startswith("Misrouted: names objects of another organization")
    assert delivery.processed_at is None
    assert delivery.attempts == 1
    warnings = [
        r
        for r in caplog.records
        if r.name == PROCESSING_LOGGER
        and r.levelno == logging.WARNING
        and "misrouted" in r.getMessage()
        and f"delivery {delivery.pk} " in r.getMessage()
    ]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert subscription.token not in message
    assert "signing" not in message.lower()


@pytest.mark.parametrize("kind", list(B_DELIVERIES))
def test_a_delivery_naming_b_objects_is_kept_and_never_written_into_b(
    kind, sim, sim_b, a_subscription, org_a, org_b, legit_a, deliver, signal_log, caplog
):
    event, payload = B_DELIVERIES[kind](sim_b, org_b)
    created_by = json.loads(legit_a()[1])["created_by"]  # what A's subscription says
    misrouted_body = envelope(event, payload, created_by)
    a_invitee, a_body = legit_a()
    before = outside(org_a)
    caplog.set_level(logging.WARNING, logger=PROCESSING_LOGGER)
    path = receiver_path(a_subscription)

    answer = deliver(path, misrouted_body)
    deliver(path, a_body)

    assert answer.json() == {"status": "received"}
    delivery = WebhookDelivery.objects.get(event=event, body=misrouted_body)
    assert_misrouted(delivery, misrouted_body, a_subscription, caplog)
    assert sim_b.url in delivery.error
    assert outside(org_a) == before
    assert rows_in(org_a, sim_b.url) == []
    legit = WebhookDelivery.objects.get(body=a_body)
    assert legit.status == WebhookDelivery.Status.PROCESSED
    assert Invitee.objects.get(uri=a_invitee).organization == org_a
    assert names(signal_log) == ["invitee_created"]


@pytest.mark.parametrize("where", ["created_by", "payload organization"])
def test_unknown_objects_are_refused_when_the_delivery_names_another_organization(
    where, sim, sim_b, a_subscription, org_a, legit_a, deliver, caplog
):
    """B is not mirrored at all; only the organization the delivery names gives it away."""
    event, payload = b_booking_unmirrored(sim_b)
    created_by = json.loads(legit_a()[1])["created_by"]
    if where == "created_by":
        created_by = sim_b.organization_uri
    else:
        payload["organization"] = sim_b.organization_uri
    body = envelope(event, payload, created_by)
    before = outside(org_a)
    caplog.set_level(logging.WARNING, logger=PROCESSING_LOGGER)

    deliver(receiver_path(a_subscription), body)

    delivery = WebhookDelivery.objects.get(body=body)
    assert_misrouted(delivery, body, a_subscription, caplog)
    assert sim_b.organization_uri in delivery.error
    assert outside(org_a) == before
    assert rows_in(org_a, sim_b.url) == []


def b_booking_unmirrored(sim_b: Any) -> tuple[str, dict[str, Any]]:
    event_type = next(et for et in sim_b.event_types_of(sim_b.owner.uri) if et["active"])
    uri = sim_b.book(event_type["uri"], future_slot(sim_b, 6), name="Cy B", email="cy@example.com")
    return "invitee.created", invitee_payload(sim_b, uri)


def test_a_host_and_event_type_the_mirror_does_not_know_yet_are_accepted(
    sim, a_subscription, org_a, legit_a, deliver, org_b
):
    """Nothing contradicts A: a booking of a host and event type not yet mirrored is processed."""
    invitee_uri, body = legit_a()
    payload = json.loads(body)["payload"]
    EventType.objects.filter(uri=payload["scheduled_event"]["event_type"]).delete()
    CalendlyUser.objects.filter(
        uri__in=[m["user"] for m in payload["scheduled_event"]["event_memberships"]]
    ).delete()

    deliver(receiver_path(a_subscription), body)

    assert WebhookDelivery.objects.get(body=body).status == WebhookDelivery.Status.PROCESSED
    assert Invitee.objects.get(uri=invitee_uri).organization == org_a


def test_a_host_whose_row_still_names_the_organization_they_left_is_accepted(
    sim, a_subscription, org_a, org_b, legit_a, deliver
):
    """A's host was last synced in B (a stale row), but their live membership is A's."""
    invitee_uri, body = legit_a()
    host_uri = json.loads(body)["payload"]["scheduled_event"]["event_memberships"][0]["user"]
    CalendlyUser.objects.filter(uri=host_uri).update(organization=org_b)
    assert Membership.objects.live().filter(user__uri=host_uri, organization=org_a).exists()

    deliver(receiver_path(a_subscription), body)

    assert WebhookDelivery.objects.get(body=body).status == WebhookDelivery.Status.PROCESSED
    assert Invitee.objects.get(uri=invitee_uri).organization == org_a


def test_a_host_with_a_live_membership_of_another_organization_is_refused(
    sim, a_subscription, org_a, org_b, legit_a, deliver
):
    """The same host, moved to B for good: their A membership removed, a live one in B."""
    invitee_uri, body = legit_a()
    payload = json.loads(body)["payload"]
    host_uri = payload["scheduled_event"]["event_memberships"][0]["user"]
    host = CalendlyUser.objects.get(uri=host_uri)
    CalendlyUser.objects.filter(pk=host.pk).update(organization=org_b)
    Membership.objects.filter(user=host).update(removed_at=timezone.now())
    Membership.objects.create(
        uri=f"{sim.url}/organization_memberships/MOVEDTOBXXXXXXXX", organization=org_b, user=host
    )
    EventType.objects.filter(uri=payload["scheduled_event"]["event_type"]).delete()

    deliver(receiver_path(a_subscription), body)

    delivery = WebhookDelivery.objects.get(body=body)
    assert delivery.status == WebhookDelivery.Status.MISROUTED
    assert host_uri in delivery.error
    assert not Invitee.objects.filter(uri=invitee_uri).exists()


def test_a_misrouted_delivery_is_final_and_a_forced_replay_checks_it_again(
    sim, sim_b, a_subscription, org_a, org_b, legit_a, deliver
):
    event, payload = b_cancellation(sim_b, org_b)
    body = envelope(event, payload, json.loads(legit_a()[1])["created_by"])
    deliver(receiver_path(a_subscription), body)
    delivery = WebhookDelivery.objects.get(body=body)
    before = outside(org_a)

    assert retry_failed_deliveries() == 0
    assert process_delivery(delivery.pk) == WebhookDelivery.Status.MISROUTED
    assert process_delivery(delivery.pk, force=True) == WebhookDelivery.Status.MISROUTED

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.MISROUTED
    assert outside(org_a) == before
    assert Invitee.objects.get(uri=payload["uri"]).status == "active"


def test_misrouted_deliveries_are_listed_in_the_admin_and_the_api(
    client, sim_b, a_subscription, org_b, legit_a, deliver
):
    event, payload = b_submission(sim_b, org_b)
    body = envelope(event, payload, json.loads(legit_a()[1])["created_by"])
    deliver(receiver_path(a_subscription), body)
    delivery = WebhookDelivery.objects.get(body=body)
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(staff)

    page = client.get(
        reverse("admin:calendly_integration_webhookdelivery_changelist"),
        {"status__exact": "misrouted"},
    )
    detail = client.get(
        reverse("admin:calendly_integration_webhookdelivery_change", args=[delivery.pk])
    )
    feed = client.get("/api/webhook-deliveries/", {"status": "misrouted"})

    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert detail.status_code == 200
    assert "Misrouted" in detail.content.decode()
    assert feed.status_code == 200, feed.content
    [listed] = feed.json()["results"]
    assert listed["id"] == delivery.pk
    assert listed["status"] == "misrouted"
    assert listed["error"] == delivery.error


def test_a_misrouted_delivery_can_be_replayed_and_stays_refused_while_it_is_foreign(
    client, sim_b, a_subscription, org_a, org_b, legit_a, deliver
):
    """Replay is the way back for a delivery refused on a stale mirror, so the API, the admin
    action and the command accept a misrouted one; the check runs again and still refuses it."""
    event, payload = b_cancellation(sim_b, org_b)
    body = envelope(event, payload, json.loads(legit_a()[1])["created_by"])
    deliver(receiver_path(a_subscription), body)
    delivery = WebhookDelivery.objects.get(body=body)
    before = outside(org_a)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)

    api = client.post(
        f"/api/webhook-deliveries/{delivery.pk}/replay/", content_type="application/json"
    )
    out = io.StringIO()
    call_command("calendly_webhooks", "replay", "--status", "misrouted", stdout=out)
    admin = run_action(client, WebhookDelivery, "replay", [delivery])

    assert api.status_code == 200, api.content
    assert api.json()["status"] == "misrouted"
    assert "misrouted=1" in out.getvalue()
    assert ("error", f"{delivery} — Failed: {delivery.error}") in messages_of(admin)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.MISROUTED
    assert outside(org_a) == before
    assert Invitee.objects.get(uri=payload["uri"]).status == "active"
