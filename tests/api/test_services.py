"""The service layer the API and the admin share, called directly as Python code would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calendly_integration.client import RateLimited, Timeout
from calendly_integration.models import Connection, EventType, ScheduledEvent
from calendly_integration.oauth.errors import MissingScope, NeedsReauth
from calendly_integration.services.acting import connection_for_event
from calendly_integration.services.analytics import event_analytics
from calendly_integration.services.errors import (
    AlreadyCanceled,
    InvalidRequest,
    NotPermitted,
    describe_error,
)
from calendly_integration.services.events import cancel_event
from calendly_integration.services.links import create_interview_links, create_single_use_link
from calendly_integration.services.live import busy_times
from tests.api.conftest import future_event


def test_the_host_acts_before_an_organization_admin(tenant):
    event = future_event(tenant.sim.members[0].uri)
    assert connection_for_event(event, tenant.users["member"]) == tenant.connections["member"]
    assert connection_for_event(event, tenant.users["admin"]) == tenant.connections["admin"]


def test_staff_act_through_a_connection_that_qualifies(tenant, staff):
    event = future_event(tenant.sim.members[0].uri)
    assert connection_for_event(event, staff) == tenant.connections["member"]


def test_nobody_else_may_act(tenant, make_user):
    event = future_event(tenant.sim.members[0].uri)
    with pytest.raises(NotPermitted):
        connection_for_event(event, make_user("stranger"))
    with pytest.raises(NotPermitted):
        connection_for_event(event, None)


def test_only_connections_needing_reauth_raise_needs_reauth(tenant):
    Connection.objects.filter(pk=tenant.connections["member"].pk).update(status="needs_reauth")
    event = future_event(tenant.sim.members[0].uri)
    with pytest.raises(NeedsReauth):
        connection_for_event(event, tenant.users["member"])


def test_missing_scopes_are_named(tenant):
    Connection.objects.filter(pk=tenant.connections["member"].pk).update(scopes="users:read")
    event = future_event(tenant.sim.members[0].uri)
    with pytest.raises(MissingScope) as raised:
        cancel_event(event, "", tenant.users["member"])
    assert raised.value.missing_scopes == ["scheduled_events:write"]


def test_cancel_with_an_explicit_connection_and_again(tenant):
    event = future_event(tenant.sim.members[0].uri)
    canceled = cancel_event(event, "Moved", connection=tenant.connections["owner"])
    assert canceled.is_canceled and canceled.cancel_reason == "Moved"
    with pytest.raises(AlreadyCanceled):
        cancel_event(canceled, "Again", connection=tenant.connections["owner"])


def test_a_candidate_with_a_bad_prefill_fails_alone(tenant):
    event_type = EventType.objects.filter(owner_uri=tenant.sim.members[0].uri, active=True).first()
    results = create_interview_links(
        event_type,
        [{"name": "Ok", "email": "ok@example.com"}, {"name": "Bad", "answers": "not a list"}],
        tenant.users["member"],
    )
    assert results[0].ok and results[0].booking_url
    assert not results[1].ok and results[1].error.status == 400


def test_an_unknown_prefill_key_is_refused(tenant):
    event_type = EventType.objects.filter(owner_uri=tenant.sim.members[0].uri, active=True).first()
    with pytest.raises(InvalidRequest) as raised:
        create_single_use_link(event_type, {"colour": "blue"}, tenant.users["member"])
    assert "colour" in raised.value.fields


def test_busy_times_for_your_own_uri(tenant):
    start = timezone.now()
    blocks = busy_times(
        tenant.sim.members[0].uri, start, start + timedelta(days=2), tenant.users["member"]
    )
    assert isinstance(blocks, list)


def test_analytics_of_nothing_has_no_rates(tenant):
    start = timezone.now() + timedelta(days=400)
    figures = event_analytics(ScheduledEvent.objects.all(), start, start + timedelta(days=1))
    assert figures["cancellation_rate"] is None and figures["no_show_rate"] is None


def test_describe_error_covers_calendlys_failures():
    limited = describe_error(RateLimited("slow down", retry_after=2.2))
    assert (limited.status, limited.headers) == (429, {"Retry-After": "3"})
    assert describe_error(Timeout("late")).status == 504
    assert describe_error(ValueError("not ours")) is None
