"""Data compliance deletions and the activity log."""

from datetime import UTC, datetime, timedelta

from calendly_integration.client import format_time
from tests.client.helpers import api_requests


def test_request_deletion_of_invitee_data(client, sim):
    answer = client.delete_invitee_data(["gone@example.com", "also.gone@example.com"])

    assert answer == {}
    request = api_requests(sim, "/data_compliance/deletion/invitees")[-1]
    assert request.method == "POST"
    assert request.json == {"emails": ["gone@example.com", "also.gone@example.com"]}


def test_request_deletion_of_past_event_data(client, sim):
    end = datetime.now(UTC) - timedelta(days=1)
    start = end - timedelta(days=365)

    assert client.delete_scheduled_event_data(start, end) == {}
    assert api_requests(sim, "/data_compliance/deletion/events")[-1].json == {
        "start_time": format_time(start),
        "end_time": format_time(end),
    }


def test_activity_log_entries_with_list_filters_sent_comma_separated(client, sim):
    since = datetime.now(UTC) - timedelta(days=30)

    pages = list(
        client.list_activity_log_entries(
            organization=sim.organization_uri,
            actor=[sim.owner.uri, sim.admin.uri],
            sort=["occurred_at:desc"],
            min_occurred_at=since,
            count=20,
        ).pages()
    )

    assert "total_count" in pages[0].raw
    request = api_requests(sim, "/activity_log_entries")[0]
    assert request.query == {
        "organization": [sim.organization_uri],
        "actor": [f"{sim.owner.uri},{sim.admin.uri}"],
        "sort": ["occurred_at:desc"],
        "min_occurred_at": [format_time(since)],
        "count": ["20"],
    }
