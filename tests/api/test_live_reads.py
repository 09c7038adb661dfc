"""Busy times: asked live from Calendly, at most 7 days."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.api.conftest import API


def week(days: int = 7) -> dict[str, str]:
    start = timezone.now().replace(microsecond=0)
    return {"start_time": start.isoformat(), "end_time": (start + timedelta(days=days)).isoformat()}


def test_your_own_busy_times_by_default(tenant):
    tenant.sim.clear_requests()
    response = tenant.client("member").get(f"{API}/busy-times/", week())
    assert response.status_code == 200, response.content
    blocks = response.json()
    assert blocks and all(b["type"] in ("calendly", "external") for b in blocks)
    calls = [r for r in tenant.sim.requests if r.path == "/user_busy_times"]
    assert calls[0].query["user"] == [tenant.sim.members[0].uri]


def test_an_admin_reads_a_members_busy_times(tenant):
    member = tenant.sim.members[0].uri
    response = tenant.client("admin").get(f"{API}/busy-times/", {**week(), "user": member})
    assert response.status_code == 200, response.content
    assert [r.query["user"] for r in tenant.sim.requests if r.path == "/user_busy_times"] == [
        [member]
    ]


def test_a_member_cannot_read_someone_elses_busy_times(tenant):
    response = tenant.client("member").get(
        f"{API}/busy-times/", {**week(), "user": tenant.sim.admin.uri}
    )
    assert response.status_code == 404


def test_at_most_seven_days(tenant):
    response = tenant.client("member").get(f"{API}/busy-times/", week(8))
    assert response.status_code == 400
    assert "7 days" in response.json()["detail"]
    reversed_range = week()
    reversed_range["start_time"], reversed_range["end_time"] = (
        reversed_range["end_time"],
        reversed_range["start_time"],
    )
    assert tenant.client("member").get(f"{API}/busy-times/", reversed_range).status_code == 400
    assert tenant.client("member").get(f"{API}/busy-times/").status_code == 400


def test_a_user_without_connections_is_told_so(tenant, staff):
    from tests.api.conftest import api_client

    response = api_client(staff).get(f"{API}/busy-times/", week())
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
