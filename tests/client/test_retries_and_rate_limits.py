"""Retries with backoff for safe methods only, and waiting out short rate limits."""

import time

import pytest

from calendly_integration.client import (
    RateLimited,
    RateLimitInfo,
    ServerError,
    Timeout,
    TransportError,
)
from tests.client.helpers import api_requests, make_client


def test_get_is_retried_after_5xx_and_succeeds(client, sim):
    sim.faults.fail_next(2, status=503)

    me = client.get_current_user()

    assert me["uri"] == sim.owner.uri
    assert len(api_requests(sim, "/users/me")) == 3


def test_get_is_retried_after_a_dropped_connection(client, sim):
    sim.faults.drop_connection_next(1)

    assert client.get_current_user()["uri"] == sim.owner.uri
    assert len(api_requests(sim, "/users/me")) == 2


def test_get_is_retried_after_a_read_timeout(sim, calendly_token):
    sim.faults.slow_next(1, seconds=1.5)

    with make_client(sim, calendly_token, read_timeout=0.5) as api:
        assert api.get_current_user()["uri"] == sim.owner.uri


def test_delete_is_retried_after_5xx(client, sim):
    subscription = client.create_webhook_subscription(
        url="https://hooks.example.com/retry",
        events=["invitee.created"],
        organization=sim.organization_uri,
        scope="organization",
    )
    sim.clear_requests()
    sim.faults.fail_next(1, status=500)

    client.delete_webhook_subscription(subscription["uri"])

    assert [r.method for r in api_requests(sim)] == ["DELETE", "DELETE"]


def test_retries_stop_at_max_retries(sim, calendly_token):
    sim.faults.fail_next(10, status=500)

    with make_client(sim, calendly_token, max_retries=2) as api, pytest.raises(ServerError):
        api.get_current_user()

    assert len(api_requests(sim)) == 3
    sim.faults.clear()


def test_post_is_never_retried_after_5xx(client, sim):
    event_type = next(iter(client.list_event_types(user=sim.owner.uri)))
    sim.clear_requests()
    sim.faults.fail_next(1, status=500)

    with pytest.raises(ServerError):
        client.create_scheduling_link(event_type["uri"])

    assert [r.method for r in api_requests(sim)] == ["POST"]


def test_post_is_never_retried_after_a_timeout(sim, calendly_token):
    with make_client(sim, calendly_token, read_timeout=0.5) as api:
        event_type = next(iter(api.list_event_types(user=sim.owner.uri)))
        sim.clear_requests()
        sim.faults.slow_next(1, seconds=1.5)

        with pytest.raises(Timeout):
            api.create_scheduling_link(event_type["uri"])

    assert len(api_requests(sim, "/scheduling_links")) == 1


def test_post_is_never_retried_after_a_dropped_connection(client, sim):
    sim.faults.drop_connection_next(1)

    with pytest.raises(TransportError):
        client.create_organization_invitation(sim.organization_uri, "someone@example.com")

    assert [r.method for r in api_requests(sim)] == ["POST"]


def test_429_with_a_short_reset_is_waited_out_then_succeeds(client, sim):
    sim.faults.rate_limit_next(1, retry_after=1)
    started = time.monotonic()

    me = client.get_current_user()

    assert me["uri"] == sim.owner.uri
    assert time.monotonic() - started >= 0.9
    assert len(api_requests(sim, "/users/me")) == 2


def test_429_on_post_is_waited_out_too_because_nothing_was_done(client, sim):
    sim.faults.rate_limit_next(1, retry_after=1)

    client.create_organization_invitation(sim.organization_uri, "later@example.com")

    assert [r.method for r in api_requests(sim)] == ["POST", "POST"]


def test_waits_for_429_are_bounded_per_call(sim, calendly_token):
    sim.faults.rate_limit_next(3, retry_after=1)

    with (
        make_client(sim, calendly_token, rate_limit_max_wait=2) as api,
        pytest.raises(RateLimited) as caught,
    ):
        api.get_current_user()

    assert caught.value.status == 429
    assert len(api_requests(sim)) == 3
    sim.faults.clear()


def test_rate_limit_figures_of_the_last_answer(client, sim):
    assert client.rate_limit is None

    client.get_current_user()

    info = client.rate_limit
    assert isinstance(info, RateLimitInfo)
    assert info.limit == 500
    assert 0 <= info.remaining < 500
    assert info.reset_seconds is not None and 0 <= info.reset_seconds <= 60
    before = info.remaining
    client.get_current_user()
    assert client.rate_limit.remaining == before - 1


def test_running_out_of_the_per_minute_budget_raises_rate_limited(calendly_simulator_factory):
    small = calendly_simulator_factory(rate_limit_per_minute=3)
    with make_client(small, small.create_token()) as api:
        for _ in range(3):
            api.get_current_user()
        assert api.rate_limit.remaining == 0

        with pytest.raises(RateLimited) as caught:
            api.get_current_user()

    assert 0 < caught.value.retry_after <= 60
    assert caught.value.retry_after > 3
