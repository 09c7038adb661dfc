"""Connections: list your own, connect with a personal access token, disconnect, sync, status."""

from __future__ import annotations

from django_q.models import OrmQ

from calendly_integration.models import Connection, WebhookSubscription
from tests.api.conftest import API, api_client, connect


def test_a_user_lists_only_their_own_connections_without_tokens(tenant):
    response = tenant.client("member").get(f"{API}/connections/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [tenant.connections["member"].pk]
    text = response.content.decode()
    assert "sim_pat" not in text and "token" not in rows[0]


def test_detail(tenant):
    connection = tenant.connections["member"]
    response = tenant.client("member").get(f"{API}/connections/{connection.pk}/")
    assert response.status_code == 200
    assert response.json()["calendly_user_uri"] == tenant.sim.members[0].uri
    assert response.json()["status"] == "active"


def test_connect_with_a_personal_access_token(sim, make_user):
    user = make_user("newcomer")
    token = sim.create_token(user_uri=sim.members[1].uri)
    response = api_client(user).post(f"{API}/connections/", {"token": token}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["calendly_user_uri"] == sim.members[1].uri
    assert body["kind"] == "pat"
    assert token not in response.content.decode()
    assert Connection.objects.get(pk=body["id"]).access_token == token


def test_a_token_calendly_refuses_answers_400_on_the_token_field(sim, make_user):
    response = api_client(make_user("newcomer")).post(
        f"{API}/connections/", {"token": "not-a-token"}, format="json"
    )
    assert response.status_code == 400
    assert "token" in response.json()["errors"]
    assert not Connection.objects.exists()


def test_connect_needs_a_token(sim, make_user):
    response = api_client(make_user("newcomer")).post(f"{API}/connections/", {}, format="json")
    assert response.status_code == 400
    assert "token" in response.json()["errors"]


def test_disconnect_revokes_and_the_connection_is_gone(tenant):
    connection = tenant.connections["member"]
    client = tenant.client("member")
    assert client.delete(f"{API}/connections/{connection.pk}/").status_code == 204
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert connection.encrypted_access_token == ""
    assert client.get(f"{API}/connections/{connection.pk}/").status_code == 404
    assert client.get(f"{API}/connections/").json()["results"] == []


def test_sync_queues_the_task_and_answers_202(tenant):
    connection = tenant.connections["admin"]
    response = tenant.client("admin").post(
        f"{API}/connections/{connection.pk}/sync/", {"full": True}, format="json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["connection"] == connection.pk and body["full"] is True and body["task_id"]


def test_sync_of_a_connection_that_needs_reconnecting_answers_403(tenant):
    connection = tenant.connections["admin"]
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    response = tenant.client("admin").post(f"{API}/connections/{connection.pk}/sync/")
    assert response.status_code == 403
    assert response.json()["code"] == "connection_needs_reauth"
    assert not OrmQ.objects.exists()


def test_status_reports_token_scopes_last_sync_webhooks_and_rate_limit(tenant):
    connection = tenant.connections["owner"]
    WebhookSubscription.objects.create(
        connection=connection, scope="user", state="active", callback_url="https://x.test/cb/"
    )
    response = tenant.client("owner").get(f"{API}/connections/{connection.pk}/status/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["connection"]["id"] == connection.pk
    assert body["full_access"] is True
    assert body["last_sync"]["status"] == "succeeded"
    assert body["last_successful_sync_at"]
    assert [w["state"] for w in body["webhooks"]] == ["active"]
    assert "callback_url" not in body["webhooks"][0]
    assert body["calendly_reachable"] is True
    assert body["calendly_error_code"] == ""
    assert body["rate_limit"]["remaining"] > 0


def test_status_when_calendly_is_down_still_answers(tenant):
    connection = tenant.connections["owner"]
    tenant.sim.faults.fail_next(10, status=503)
    response = tenant.client("owner").get(f"{API}/connections/{connection.pk}/status/")
    assert response.status_code == 200
    assert response.json()["calendly_reachable"] is False
    assert response.json()["calendly_error"]
    assert response.json()["calendly_error_code"] == "calendly_unavailable"


def test_someone_elses_connection_answers_404(tenant):
    other = tenant.connections["owner"]
    client = tenant.client("member")
    assert client.get(f"{API}/connections/{other.pk}/").status_code == 404
    assert client.delete(f"{API}/connections/{other.pk}/").status_code == 404
    assert client.post(f"{API}/connections/{other.pk}/sync/").status_code == 404
    other.refresh_from_db()
    assert other.is_usable


def test_reconnecting_after_disconnect_brings_the_connection_back(tenant):
    member = tenant.users["member"]
    client = tenant.client("member")
    client.delete(f"{API}/connections/{tenant.connections['member'].pk}/")
    connect(tenant.sim, member, tenant.sim.members[0])
    assert len(client.get(f"{API}/connections/").json()["results"]) == 1
