"""Admin details from the demo walk-through: list order, confirmations with nothing to do."""

from __future__ import annotations

import pytest
from django.utils import timezone

from calendly_integration.models import ScheduledEvent
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
    response = admin_client.get("/admin/calendly_integration/scheduledevent/?o=2")
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
