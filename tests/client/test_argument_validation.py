"""Bad arguments fail with a clear ValueError before any request is sent."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.client.helpers import api_requests

NOW = datetime.now(UTC)
TOMORROW = NOW + timedelta(days=1)
ET = "https://api.calendly.com/event_types/ET1"
USER = "https://api.calendly.com/users/U1"
ORG = "https://api.calendly.com/organizations/O1"
EVENT = "https://api.calendly.com/scheduled_events/E1"
INVITEE = "https://api.calendly.com/scheduled_events/E1/invitees/I1"

CASES = {
    "available times over 7 days": (
        lambda c: c.list_event_type_available_times(ET, TOMORROW, TOMORROW + timedelta(days=8)),
        "at most 7 days",
    ),
    "available times ending before they start": (
        lambda c: c.list_event_type_available_times(ET, TOMORROW, TOMORROW - timedelta(hours=1)),
        "after start_time",
    ),
    "available times starting in the past": (
        lambda c: c.list_event_type_available_times(
            ET, NOW - timedelta(hours=1), NOW + timedelta(days=1)
        ),
        "in the future",
    ),
    "busy times over 7 days": (
        lambda c: c.list_user_busy_times(USER, NOW, NOW + timedelta(days=7, seconds=1)),
        "at most 7 days",
    ),
    "busy times ending before they start": (
        lambda c: c.list_user_busy_times(USER, NOW, NOW),
        "after start_time",
    ),
    "naive datetime": (
        lambda c: c.list_user_busy_times(USER, datetime(2026, 1, 1), datetime(2026, 1, 2)),
        "naive",
    ),
    "naive time string": (
        lambda c: c.list_scheduled_events(user=USER, min_start_time="2026-01-01T00:00:00"),
        "naive",
    ),
    "count 0": (lambda c: c.list_scheduled_events(user=USER, count=0), "count"),
    "count 101": (lambda c: c.list_event_types(user=USER, count=101), "count"),
    "count not an integer": (lambda c: c.list_event_types(user=USER, count="10"), "count"),
    "unknown event status": (
        lambda c: c.list_scheduled_events(user=USER, status="cancelled"),
        "status",
    ),
    "unknown invitee status": (lambda c: c.list_event_invitees(EVENT, status="gone"), "status"),
    "unknown sort field": (
        lambda c: c.list_scheduled_events(user=USER, sort="created_at:asc"),
        "sort",
    ),
    "unknown sort direction": (
        lambda c: c.list_event_types(user=USER, sort="name:up"),
        "sort",
    ),
    "events without user or organization": (
        lambda c: c.list_scheduled_events(status="active"),
        "user, organization",
    ),
    "max_start_time before min_start_time": (
        lambda c: c.list_scheduled_events(user=USER, min_start_time=TOMORROW, max_start_time=NOW),
        "max_start_time",
    ),
    "empty cancellation URI": (lambda c: c.cancel_scheduled_event(""), "required"),
    "cancellation reason too long": (
        lambda c: c.cancel_scheduled_event(EVENT, reason="x" * 10_001),
        "10000",
    ),
    "empty no-show invitee URI": (lambda c: c.create_invitee_no_show(""), "invitee"),
    "no-show for a bare invitee UUID without its event": (
        lambda c: c.create_invitee_no_show("I1"),
        "parent",
    ),
    "empty no-show URI": (lambda c: c.delete_invitee_no_show("  "), "no-show"),
    "empty invitee URI": (lambda c: c.get_event_invitee(""), "invitee"),
    "URI of the wrong collection": (lambda c: c.get_event_type(USER), "/event_types/"),
    "unknown webhook scope": (
        lambda c: c.create_webhook_subscription(
            url="https://h.example.com", events=["invitee.created"], organization=ORG, scope="team"
        ),
        "scope",
    ),
    "webhook subscription without events": (
        lambda c: c.create_webhook_subscription(
            url="https://h.example.com", events=[], organization=ORG, scope="organization"
        ),
        "events",
    ),
    "unknown webhook event": (
        lambda c: c.create_webhook_subscription(
            url="https://h.example.com", events=["invitee.updated"], organization=ORG, scope="user"
        ),
        "events",
    ),
    "user-scope webhook without user": (
        lambda c: c.create_webhook_subscription(
            url="https://h.example.com", events=["invitee.created"], organization=ORG, scope="user"
        ),
        "user URI",
    ),
    "webhook callback that is not a URL": (
        lambda c: c.create_webhook_subscription(
            url="hooks", events=["invitee.created"], organization=ORG, scope="organization"
        ),
        "url",
    ),
    "listing webhooks of a user without the user": (
        lambda c: c.list_webhook_subscriptions(organization=ORG, scope="user"),
        "user URI",
    ),
    "listing group-scope webhooks without the group": (
        lambda c: c.list_webhook_subscriptions(organization=ORG, scope="group"),
        "group URI",
    ),
    "creating a group-scope webhook subscription": (
        lambda c: c.create_webhook_subscription(
            url="https://h.example.com", events=["invitee.created"], organization=ORG, scope="group"
        ),
        "scope",
    ),
    "max_event_count 0": (lambda c: c.create_scheduling_link(ET, max_event_count=0), "at least 1"),
    "unknown scheduling link owner type": (
        lambda c: c.create_scheduling_link(ET, owner_type="User"),
        "owner_type",
    ),
    "share duration over 720 minutes": (lambda c: c.create_share(ET, duration=721), "duration"),
    "unknown share period type": (
        lambda c: c.create_share(ET, period_type="forever"),
        "period_type",
    ),
    "one-off event type ending before it starts": (
        lambda c: c.create_one_off_event_type(
            name="x", host=USER, duration=30, start_date="2026-02-02", end_date="2026-02-01"
        ),
        "end_date",
    ),
    "update without any field": (lambda c: c.update_event_type(ET), "at least one field"),
    "invitee without a name": (
        lambda c: c.create_invitee(ET, TOMORROW, email="a@example.com"),
        "name",
    ),
    "invitee with a bad e-mail": (
        lambda c: c.create_invitee(ET, TOMORROW, email="not-an-email", name="A"),
        "email",
    ),
    "invitation with a bad e-mail": (
        lambda c: c.create_organization_invitation(ORG, "nobody"),
        "email",
    ),
    "invitation status unknown": (
        lambda c: c.list_organization_invitations(ORG, status="revoked"),
        "status",
    ),
    "memberships without organization or user": (
        lambda c: c.list_organization_memberships(),
        "organization, user",
    ),
    "invitee data deletion without e-mails": (lambda c: c.delete_invitee_data([]), "e-mail"),
    "event data deletion ending in the future": (
        lambda c: c.delete_scheduled_event_data(NOW - timedelta(days=1), TOMORROW),
        "in the past",
    ),
    "event data deletion over 24 months": (
        lambda c: c.delete_scheduled_event_data(NOW - timedelta(days=800), NOW - timedelta(days=1)),
        "at most",
    ),
    "activity log count over 1000": (
        lambda c: c.list_activity_log_entries(organization=ORG, count=1001),
        "count",
    ),
}


@pytest.mark.parametrize("call", list(CASES), ids=list(CASES))
def test_bad_arguments_raise_value_error_without_any_request(client, sim, call):
    method, message = CASES[call]

    with pytest.raises(ValueError, match=message):
        method(client)

    assert api_requests(sim) == []
