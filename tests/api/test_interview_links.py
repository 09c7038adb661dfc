"""Interview links: one single-use, prefilled booking link per candidate."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from calendly_integration.models import EventType, SchedulingLink
from tests.api.conftest import API


def candidates(n: int) -> list[dict[str, str]]:
    return [
        {"name": f"Candidate {i}", "email": f"candidate{i}@example.com", "utm_campaign": "spring"}
        for i in range(n)
    ]


def event_type_of(tenant) -> EventType:
    return EventType.objects.filter(owner_uri=tenant.sim.members[0].uri, active=True).first()


def test_each_candidate_gets_a_link_of_their_own(tenant):
    event_type = event_type_of(tenant)
    response = tenant.client("member").post(
        f"{API}/interview-links/",
        {"event_type": event_type.pk, "candidates": candidates(5)},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["failed"]) == (5, 0)
    urls = [r["booking_url"] for r in body["results"]]
    assert len(set(urls)) == 5
    for i, result in enumerate(body["results"]):
        query = parse_qs(urlsplit(result["booking_url"]).query)
        assert query["name"] == [f"Candidate {i}"]
        assert query["email"] == [f"candidate{i}@example.com"]
        assert query["utm_campaign"] == ["spring"]
        assert result["error"] is None
    assert SchedulingLink.objects.filter(owner=event_type).count() == 5


def test_a_failure_for_one_candidate_leaves_the_others_their_links(tenant):
    event_type = event_type_of(tenant)
    tenant.sim.faults.fail_next(1, status=500)
    response = tenant.client("member").post(
        f"{API}/interview-links/",
        {"event_type": event_type.pk, "candidates": candidates(3)},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["failed"]) == (2, 1)
    failed = body["results"][0]
    assert failed["booking_url"] is None
    assert failed["error"]["code"] == "calendly_unavailable"
    assert all(r["booking_url"] for r in body["results"][1:])


def test_at_most_one_hundred_candidates_with_valid_emails(tenant):
    event_type = event_type_of(tenant)
    client = tenant.client("member")
    too_many = client.post(
        f"{API}/interview-links/",
        {"event_type": event_type.pk, "candidates": candidates(101)},
        format="json",
    )
    assert too_many.status_code == 400 and "candidates" in too_many.json()["errors"]
    bad_email = client.post(
        f"{API}/interview-links/",
        {"event_type": event_type.pk, "candidates": [{"name": "X", "email": "nope"}]},
        format="json",
    )
    assert bad_email.status_code == 400
    assert bad_email.json()["errors"]["candidates"]["0"]["email"]
    assert not SchedulingLink.objects.exists()


def test_an_event_type_you_cannot_see_answers_404(tenant):
    hidden = EventType.objects.exclude(owner_uri=tenant.sim.members[0].uri).first()
    response = tenant.client("member").post(
        f"{API}/interview-links/",
        {"event_type": hidden.pk, "candidates": candidates(1)},
        format="json",
    )
    assert response.status_code == 404
