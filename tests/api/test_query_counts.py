"""List endpoints cost the same number of queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendly_integration.models import WebhookDelivery, WebhookSubscription
from tests.api.conftest import API, api_client, connect

LISTS = (
    "scheduled-events",
    "invitees",
    "event-types",
    "routing-forms",
    "routing-form-submissions",
    "availability-schedules",
    "connections",
    "webhook-subscriptions",
    "webhook-deliveries",
)


@pytest.fixture
def busy_staff(tenant, staff):
    """A staff user with many connections, subscriptions and deliveries to list."""
    sim = tenant.sim
    for calendly_user in (sim.owner, sim.admin, *sim.members):
        conn = connect(sim, staff, calendly_user)
        subscription = WebhookSubscription.objects.create(
            connection=conn, scope="user", state="active", callback_url=f"https://x.test/{conn.pk}/"
        )
        for n in range(3):
            WebhookDelivery.objects.create(subscription=subscription, body=b"{}", event=f"e{n}")
    return staff


def count_queries(client, url: str, page_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("resource", LISTS)
def test_list_queries_do_not_grow_with_the_page(resource, busy_staff):
    client = api_client(busy_staff)
    small, small_rows = count_queries(client, f"{API}/{resource}/", 1)
    large, large_rows = count_queries(client, f"{API}/{resource}/", 100)
    assert small_rows == 1 and large_rows > 1
    assert small == large


def test_a_members_event_list_queries_do_not_grow_either(tenant):
    client = tenant.client("member")
    small, _ = count_queries(client, f"{API}/scheduled-events/", 1)
    large, rows = count_queries(client, f"{API}/scheduled-events/", 100)
    assert rows > 1 and small == large
