"""Actions are offered to, and run for, only the staff holding the matching permission; staff
can be limited to their own organizations."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    ScheduledEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.admin import factories
from tests.admin.conftest import grant
from tests.admin.helpers import change_url, changelist_url, messages_of

pytestmark = pytest.mark.django_db

ACTIONS = [
    (ScheduledEvent, "cancel_on_calendly", "change_scheduledevent"),
    (ScheduledEvent, "refresh_from_calendly", "change_scheduledevent"),
    (Invitee, "mark_no_show", "change_invitee"),
    (Invitee, "unmark_no_show", "change_invitee"),
    (EventType, "create_single_use_links", "add_schedulinglink"),
    (EventType, "build_prefilled_link", "view_eventtype"),
    (Connection, "sync_now", "change_connection"),
    (Connection, "ensure_webhook_subscriptions", "change_connection"),
    (Connection, "refresh_token", "change_connection"),
    (Connection, "disconnect_selected", "delete_connection"),
    (WebhookSubscription, "delete_at_calendly", "delete_webhooksubscription"),
    (WebhookSubscription, "recreate", "change_webhooksubscription"),
    (WebhookDelivery, "replay", "change_webhookdelivery"),
]


def offered(client, model) -> set[str]:
    response = client.get(changelist_url(model))
    assert response.status_code == 200
    form = response.context["action_form"]
    if form is None:  # no action at all: Django leaves the form out
        return set()
    return {name for name, _label in form.fields["action"].choices if name}


def confirmation_url(model, action: str, ids: str) -> str:
    name = f"admin:calendly_integration_{model._meta.model_name}_confirm_action"
    return reverse(name, kwargs={"action": action}) + f"?ids={ids}"


@pytest.mark.parametrize(("model", "action", "permission"), ACTIONS, ids=[a[1] for a in ACTIONS])
def test_an_action_needs_its_permission(client, staff_user, model, action, permission):
    row = factories.make(model._meta.model_name)
    grant(staff_user, f"view_{model._meta.model_name}")
    client.force_login(staff_user)
    if permission.startswith("view_"):
        assert action in offered(client, model)
        return

    assert action not in offered(client, model)
    assert client.get(confirmation_url(model, action, str(row.pk))).status_code == 403
    assert client.post(confirmation_url(model, action, str(row.pk))).status_code == 403

    grant(staff_user, permission)
    client.force_login(staff_user)
    assert action in offered(client, model)
    assert client.get(confirmation_url(model, action, str(row.pk))).status_code == 200


def test_staff_with_the_permission_can_cancel(client, sim, synced, staff_user):
    grant(staff_user, "view_scheduledevent", "change_scheduledevent")
    client.force_login(staff_user)
    event = ScheduledEvent.objects.filter(status="active", start_time__gt=timezone.now()).first()
    url = confirmation_url(ScheduledEvent, "cancel_on_calendly", str(event.pk))

    response = client.post(url, {"reason": "x"})

    assert response.status_code == 302
    assert ("success", f"{event} — Done: canceled at Calendly.") in messages_of(response)
    assert sim.get(event.uri)["status"] == "canceled"


def test_an_unknown_action_is_a_404(admin_client):
    assert admin_client.get(confirmation_url(ScheduledEvent, "nope", "1")).status_code == 404


@pytest.mark.parametrize("ids", ["", "abc", "99999999999999999999999", "1,²,x", "-1"])
def test_odd_ids_lead_back_to_the_list(admin_client, ids):
    response = admin_client.get(confirmation_url(ScheduledEvent, "cancel_on_calendly", ids))
    assert response.status_code == 302
    assert response["Location"] == changelist_url(ScheduledEvent)
    assert messages_of(response) == [
        ("warning", "None of the selected rows can be acted on any more.")
    ]


def test_too_many_rows_are_refused_before_the_confirmation(admin_client):
    events = [factories.scheduled_event() for _ in range(3)]
    from calendly_integration.admin.event_actions import CancelOnCalendly

    CancelOnCalendly.max_rows, saved = 2, CancelOnCalendly.max_rows
    try:
        response = admin_client.post(
            changelist_url(ScheduledEvent),
            {
                "action": "cancel_on_calendly",
                "_selected_action": [e.pk for e in events],
                "index": 0,
            },
        )
    finally:
        CancelOnCalendly.max_rows = saved
    assert response.status_code == 302
    assert response["Location"] == changelist_url(ScheduledEvent)
    assert ("error", "Select at most 2 rows for this action.") in messages_of(response)


def test_the_dashboard_needs_the_connection_view_permission(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:calendly_integration_dashboard")
    assert client.get(url).status_code == 403
    grant(staff_user, "view_connection")
    assert client.get(url).status_code == 200


class TestOrganizationLimit:
    @pytest.fixture
    def two_organizations(self, staff_user):
        ours, theirs = factories.organization("Ours"), factories.organization("Theirs")
        factories.connection(ours, owner=staff_user)
        grant(
            staff_user,
            "view_scheduledevent",
            "change_scheduledevent",
            "view_connection",
            "view_organization",
        )
        return {
            "ours": ours,
            "theirs": theirs,
            "our_event": factories.scheduled_event(ours),
            "their_event": factories.scheduled_event(theirs),
            "their_connection": factories.connection(theirs),
        }

    @pytest.fixture
    def limited(self, settings):
        settings.CALENDLY = {**settings.CALENDLY, "LIMIT_STAFF_TO_ORGANIZATIONS": True}

    def test_staff_see_everything_by_default(self, client, staff_user, two_organizations):
        client.force_login(staff_user)
        response = client.get(changelist_url(ScheduledEvent))
        assert response.context["cl"].result_count == 2

    def test_limited_staff_see_only_their_organizations(
        self, client, staff_user, two_organizations, limited
    ):
        rows = two_organizations
        client.force_login(staff_user)

        events = client.get(changelist_url(ScheduledEvent))
        assert [e.pk for e in events.context["cl"].result_list] == [rows["our_event"].pk]
        organizations = client.get(changelist_url(rows["ours"]._meta.model))
        assert [o.pk for o in organizations.context["cl"].result_list] == [rows["ours"].pk]
        connections = client.get(changelist_url(Connection))
        assert rows["their_connection"] not in connections.context["cl"].result_list
        assert client.get(change_url(rows["their_event"])).status_code == 302  # "does not exist"
        assert client.get(change_url(rows["our_event"])).status_code == 200

    def test_limited_staff_cannot_act_on_other_organizations(
        self, client, staff_user, two_organizations, limited
    ):
        client.force_login(staff_user)
        their = two_organizations["their_event"]
        url = confirmation_url(ScheduledEvent, "cancel_on_calendly", str(their.pk))

        response = client.post(url, {"reason": "x"})

        assert response.status_code == 302
        assert messages_of(response) == [
            ("warning", "None of the selected rows can be acted on any more.")
        ]
        their.refresh_from_db()
        assert their.status == "active"

    def test_membership_also_counts(self, client, staff_user, two_organizations, limited):
        from calendly_integration.models import Membership

        theirs = two_organizations["theirs"]
        mine = Connection.objects.get(owner=staff_user)
        user = factories.calendly_user(theirs)
        user.uri = mine.calendly_user_uri
        user.save()
        Membership.objects.create(
            uri="https://api.calendly.test/m/1", organization=theirs, user=user
        )
        client.force_login(staff_user)

        events = client.get(changelist_url(ScheduledEvent))

        assert events.context["cl"].result_count == 2

    def test_superusers_are_never_limited(self, admin_client, two_organizations, limited):
        assert admin_client.get(changelist_url(ScheduledEvent)).context["cl"].result_count == 2

    def test_the_dashboard_is_limited_too(self, client, staff_user, two_organizations, limited):
        client.force_login(staff_user)
        response = client.get(reverse("admin:calendly_integration_dashboard"))
        assert response.context["upcoming"]["total"] == 1
        assert [row.connection.owner for row in response.context["health"]] == [staff_user]


def test_an_object_page_offers_the_actions_the_user_may_run(client, staff_user):
    event = factories.scheduled_event()
    cancel = confirmation_url(ScheduledEvent, "cancel_on_calendly", str(event.pk))
    grant(staff_user, "view_scheduledevent")
    client.force_login(staff_user)
    assert cancel not in client.get(change_url(event)).content.decode()

    grant(staff_user, "change_scheduledevent")
    client.force_login(staff_user)
    assert f'href="{cancel}"' in client.get(change_url(event)).content.decode()
