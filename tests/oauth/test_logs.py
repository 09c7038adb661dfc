"""No token ever reaches a log record, at any level, through any of the token paths."""

import logging

import pytest

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.oauth.errors import InvalidPersonalAccessToken, NeedsReauth
from calendly_integration.oauth.tokens import client_for_connection, get_valid_token
from tests.calendly_helpers import (
    TOKEN_PATTERN,
    expire,
    login_with_calendly,
    make_oauth_connection,
)

pytestmark = pytest.mark.django_db


def test_logs_never_hold_a_token(client, sim, owner, other_user, caplog):
    caplog.set_level(logging.DEBUG)
    seen_tokens = set()

    response = login_with_calendly(client, sim)
    assert response.status_code == 302
    login_connection = Connection.objects.get()
    seen_tokens |= {login_connection.access_token, login_connection.refresh_token}

    connection = make_oauth_connection(sim, owner)
    seen_tokens |= {connection.access_token, connection.refresh_token}
    expire(connection)
    seen_tokens.add(get_valid_token(connection.pk))
    connection.refresh_from_db()
    seen_tokens.add(connection.refresh_token)

    sim.advance(7300)
    with client_for_connection(connection) as api:
        api.get_current_user()
    connection.refresh_from_db()
    seen_tokens |= {connection.access_token, connection.refresh_token}

    sim.revoke_token(connection.refresh_token)
    with pytest.raises(NeedsReauth):
        get_valid_token(connection.pk, force=True)

    pat = sim.create_token()
    seen_tokens.add(pat)
    disconnect(connect_personal_access_token(other_user, pat))
    with pytest.raises(InvalidPersonalAccessToken):
        connect_personal_access_token(other_user, "sim_pat_wrong-token")
    disconnect(login_connection)

    assert caplog.records, "expected some log records at DEBUG"
    text = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [str(record.args) for record in caplog.records]
        + [str(record.exc_info) for record in caplog.records if record.exc_info]
    )
    assert TOKEN_PATTERN.findall(text) == []
    for token in seen_tokens - {""}:
        assert token not in text
