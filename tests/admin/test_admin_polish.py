"""Admin details from the demo walk-through: list order, confirmations with nothing to do."""

from __future__ import annotations

import pytest
from django.utils import timezone

from calendly_integration.models import ScheduledEvent, WebhookDelivery, WebhookSubscription
from tests.admin.helpers import pick_action

pytestmark = pytest.mark.django_db


def test_scheduled_events_list_upcoming_soonest_first_then_past_latest_first(admin_client, synced):
    response = admin_client.get("/admin/calendly_integration/scheduledevent/")
    shown = list(response.context["cl"].result_list)
    now = timezone.now()

    upcoming = [event.start_time for event in shown if event.start_time >= now]
    past = [event.start_time for event in shown if event.start_time < now]
    assert upcoming and upcoming == sorted(upcoming)
    first_past = next(i for i, event in enumerate(shown) if event.start_time < now)
    assert all(event.start_time >= now for event in shown[:first_past])
    assert past == sorted(past, reverse=True)


def test_a_column_click_still_orders_by_that_column(admin_client, synced):
    response = admin_client.get("/admin/calendly_integration/scheduledevent/?o=1")
    starts = [event.start_time for event in response.context["cl"].result_list]

    assert starts == sorted(starts)


def test_a_confirmation_with_nothing_to_act_on_offers_no_submit(admin_client, synced):
    canceled = list(ScheduledEvent.objects.filter(status="canceled")[:2])
    assert canceled
    picked = pick_action(admin_client, ScheduledEvent, "cancel_on_calendly", canceled)
    response = admin_client.get(picked["Location"])
    html = response.content.decode()

    assert response.status_code == 200
    assert "nothing to confirm" in html
    assert 'name="confirm"' not in html
    assert "<textarea" not in html


def test_the_connection_filter_names_each_connection_with_its_site_user(
    admin_client, synced, connect, django_user_model
):
    second_owner = django_user_model.objects.create_user("second-site-user")
    second = connect(owner=second_owner)
    for connection in (synced, second):
        WebhookDelivery.objects.create(
            subscription=WebhookSubscription.objects.create(
                connection=connection,
                scope="user",
                callback_url=f"https://example.com/cb/{connection.pk}/",
                uri=f"https://api.calendly.com/webhook_subscriptions/S{connection.pk}",
            ),
            event="invitee.created",
        )

    response = admin_client.get("/admin/calendly_integration/webhookdelivery/")
    [choices] = [
        list(
            spec.field_choices(
                spec.field, response.wsgi_request, response.context["cl"].model_admin
            )
        )
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "subscription__connection"
    ]
    labels = [label for _, label in choices]

    assert len(labels) == 2 and len(set(labels)) == 2
    assert any("second-site-user" in label for label in labels)
