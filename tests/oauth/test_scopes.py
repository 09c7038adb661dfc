"""Checking granted scopes before an action, with an error that names what is missing."""

import pickle

import pytest

from calendly_integration.client import InsufficientScope
from calendly_integration.models import Connection
from calendly_integration.oauth.errors import MissingScope
from calendly_integration.oauth.scopes import has_scopes, missing_scopes, require_scopes


def connection(scopes: str) -> Connection:
    return Connection(pk=7, scopes=scopes)


def test_granted_scopes_pass():
    require_scopes(connection("users:read scheduled_events:read"), "users:read")
    assert has_scopes(connection("users:read scheduled_events:read"), "scheduled_events:read")


def test_a_missing_scope_is_named_so_the_ui_can_ask_for_it():
    with pytest.raises(MissingScope) as raised:
        require_scopes(
            connection("users:read scheduled_events:read"),
            "scheduled_events:read",
            "scheduled_events:write",
            "webhooks:write",
        )
    error = raised.value
    assert error.missing_scopes == ["scheduled_events:write", "webhooks:write"]
    assert error.connection_id == 7
    assert "Reconnect Calendly and grant scheduled_events:write, webhooks:write" in str(error)
    assert isinstance(error, InsufficientScope)


def test_no_recorded_scopes_means_full_access():
    assert missing_scopes(connection(""), "webhooks:write", "users:read") == []


def test_the_error_survives_pickling_for_task_queues():
    error = pickle.loads(pickle.dumps(MissingScope(["webhooks:write"], connection_id=3)))
    assert error.missing_scopes == ["webhooks:write"]
    assert error.connection_id == 3


@pytest.mark.django_db
def test_scopes_granted_at_authorization_are_recorded(sim, owner):
    from tests.calendly_helpers import make_oauth_connection

    connection = make_oauth_connection(sim, owner, scopes="users:read scheduled_events:read")
    assert connection.granted_scopes == {"users:read", "scheduled_events:read"}
    with pytest.raises(MissingScope, match="scheduled_events:write"):
        require_scopes(connection, "scheduled_events:write")
