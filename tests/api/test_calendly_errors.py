"""Calendly's failures become clear JSON answers, never a 500."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from calendly_integration.models import EventType, ScheduledEvent
from tests.api.conftest import API, future_event, past_invitee


def cancel(tenant, event: ScheduledEvent):
    return tenant.client("member").post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {}, format="json"
    )


def test_calendlys_429_is_a_429_with_retry_after(tenant):
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.faults.rate_limit_next(1, retry_after=42)
    response = cancel(tenant, event)
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert response.json()["code"] == "calendly_rate_limited"
    assert response.json()["retry_after"] == 42
    event.refresh_from_db()
    assert not event.is_canceled


def test_calendlys_5xx_is_a_502(tenant):
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.faults.fail_next(1, status=503)
    response = cancel(tenant, event)
    assert response.status_code == 502
    assert response.json()["code"] == "calendly_unavailable"


def test_a_dropped_connection_is_a_502(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    tenant.sim.faults.drop_connection_next(1)
    response = tenant.client("member").post(f"{API}/invitees/{invitee.pk}/no-show/")
    assert response.status_code == 502


def test_a_timeout_is_a_504(tenant, settings):
    settings.CALENDLY = {**settings.CALENDLY, "READ_TIMEOUT": 0.3, "MAX_RETRIES": 0}
    event_type = EventType.objects.filter(owner_uri=tenant.sim.members[0].uri, active=True).first()
    tenant.sim.faults.slow_next(1, 1.5)
    start = timezone.now() + timedelta(hours=1)
    response = tenant.client("member").get(
        f"{API}/event-types/{event_type.pk}/available-times/",
        {"start_time": start.isoformat(), "end_time": (start + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 504
    assert response.json()["code"] == "calendly_timeout"


def test_an_object_calendly_no_longer_knows_is_a_404(tenant):
    event = future_event(tenant.sim.members[0].uri)
    ScheduledEvent.objects.filter(pk=event.pk).update(
        uri=f"{tenant.sim.url}/scheduled_events/GONE0000000000"
    )
    response = cancel(tenant, event)
    assert response.status_code == 404
    assert response.json()["code"] == "calendly_not_found"


def test_calendly_refusing_a_past_event_is_a_403_with_its_reason(tenant):
    event = (
        ScheduledEvent.objects.filter(
            hosts__user_uri=tenant.sim.members[0].uri,
            status="active",
            start_time__lt=timezone.now(),
        )
        .order_by("-start_time")
        .first()
    )
    response = cancel(tenant, event)
    assert response.status_code == 403
    assert response.json()["code"] == "calendly_permission_denied"
    assert "past" in response.json()["detail"]


def test_a_connection_that_needs_reconnecting_is_a_403(tenant):
    from calendly_integration.models import Connection

    Connection.objects.filter(pk=tenant.connections["member"].pk).update(status="needs_reauth")
    event = future_event(tenant.sim.members[0].uri)
    response = cancel(tenant, event)
    assert response.status_code == 403
    assert response.json()["code"] == "connection_needs_reauth"


def test_a_revoked_token_is_a_403_asking_to_reconnect(tenant):
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.revoke_token(tenant.connections["member"].access_token)
    response = cancel(tenant, event)
    assert response.status_code == 403
    assert response.json()["code"] == "connection_needs_reauth"


def test_nul_characters_and_garbage_json_are_400s(tenant):
    client = tenant.client("owner")
    assert client.get(f"{API}/event-types/", {"search": "a\x00b"}).status_code == 400
    event = future_event(tenant.sim.members[0].uri)
    bad = client.post(
        f"{API}/scheduled-events/{event.pk}/cancel/", "{not json", content_type="application/json"
    )
    assert bad.status_code == 400
    nul = client.post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {"reason": "a\x00"}, format="json"
    )
    assert nul.status_code == 400


def test_ids_that_are_not_numbers_or_too_big_are_404s(tenant):
    client = tenant.client("owner")
    assert client.get(f"{API}/scheduled-events/abc/").status_code == 404
    assert client.get(f"{API}/scheduled-events/99999999999999999999999/").status_code == 404
    assert client.get(f"{API}/scheduled-events/", {"event_type": 2**70}).status_code == 400
