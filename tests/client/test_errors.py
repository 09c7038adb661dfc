"""Every error answer becomes a typed exception carrying Calendly's title, message and details."""

import pickle

import pytest

from calendly_integration.client import (
    BadRequest,
    CalendlyClient,
    CalendlyError,
    InsufficientScope,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from tests.client.helpers import api_requests, make_client


def test_400_carries_the_offending_parameters(client, sim):
    # A real invalid request: a page token the simulator never issued.
    with pytest.raises(BadRequest) as caught:
        list(client.list_scheduled_events(user=sim.owner.uri, page_token="not-a-real-token"))

    error = caught.value
    assert error.status == 400
    assert error.title
    assert error.details
    assert any(d.get("parameter") == "page_token" for d in error.details)
    assert error.method == "GET"
    assert error.url == f"{sim.url}/scheduled_events"


def test_401_for_a_revoked_token(sim):
    token = sim.create_token()
    sim.revoke_token(token)

    with make_client(sim, token) as api, pytest.raises(Unauthorized) as caught:
        api.get_current_user()

    assert caught.value.status == 401
    assert len(api_requests(sim)) == 1


def test_403_insufficient_scope_names_the_missing_scopes(sim):
    token = sim.create_token(scopes="users:read")

    with make_client(sim, token) as api, pytest.raises(InsufficientScope) as caught:
        list(api.list_scheduled_events(user=sim.owner.uri))

    assert caught.value.status == 403
    assert caught.value.missing_scopes == ["scheduled_events:read"]
    assert isinstance(caught.value, PermissionDenied)


def test_403_for_a_member_listing_the_whole_organization(sim):
    member = sim.members[0]
    token = sim.create_token(user_uri=member.uri)

    with make_client(sim, token) as api, pytest.raises(PermissionDenied) as caught:
        list(api.list_scheduled_events(organization=sim.organization_uri))

    assert caught.value.status == 403
    assert not isinstance(caught.value, InsufficientScope)


def test_404_for_an_unknown_resource(client, sim):
    with pytest.raises(NotFound) as caught:
        client.get_scheduled_event("DOESNOTEXIST")

    assert caught.value.status == 404
    assert caught.value.title == "Resource Not Found"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_after_the_retries_are_used_up(sim, calendly_token, status):
    sim.faults.fail_next(4, status=status)

    with make_client(sim, calendly_token) as api, pytest.raises(ServerError) as caught:
        api.get_current_user()

    assert caught.value.status == status
    assert len(api_requests(sim)) == 4


def test_429_with_a_long_reset_raises_rate_limited_with_the_wait(client, sim):
    sim.faults.rate_limit_next(1, retry_after=60)

    with pytest.raises(RateLimited) as caught:
        client.get_current_user()

    assert caught.value.status == 429
    assert caught.value.retry_after == pytest.approx(60, abs=1)
    assert len(api_requests(sim)) == 1


def test_timeout(sim, calendly_token):
    sim.faults.slow_next(1, seconds=1.5)

    with (
        make_client(sim, calendly_token, read_timeout=0.5, max_retries=0) as api,
        pytest.raises(Timeout) as caught,
    ):
        api.get_current_user()

    assert isinstance(caught.value, TransportError)
    assert caught.value.status is None


def test_dropped_connection(sim, calendly_token):
    sim.faults.drop_connection_next(1)

    with (
        make_client(sim, calendly_token, max_retries=0) as api,
        pytest.raises(TransportError) as caught,
    ):
        api.get_current_user()

    assert not isinstance(caught.value, Timeout)


def test_malformed_json(client, sim):
    sim.faults.malformed_next(1)

    with pytest.raises(InvalidResponse) as caught:
        client.get_current_user()

    assert caught.value.status == 200


def test_nothing_listening_is_a_transport_error():
    with (
        CalendlyClient("t", base_url="http://127.0.0.1:9", max_retries=0) as api,
        pytest.raises(TransportError),
    ):
        api.get_current_user()


def test_errors_survive_pickling_for_task_queues(sim, calendly_token):
    sim.faults.rate_limit_next(1, retry_after=60)
    with make_client(sim, calendly_token) as api, pytest.raises(RateLimited) as caught:
        api.get_current_user()

    copy = pickle.loads(pickle.dumps(caught.value))

    assert isinstance(copy, RateLimited)
    assert (copy.status, copy.retry_after, str(copy)) == (
        429,
        caught.value.retry_after,
        str(caught.value),
    )
    assert isinstance(copy, CalendlyError)
