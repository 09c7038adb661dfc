"""Fifty workers asking for the token of one expiring connection at once make exactly one refresh.

Calendly's refresh tokens are single-use: without the row lock, the callers that lose the race send
a spent refresh token, get invalid_grant, and the connection is lost. This needs PostgreSQL's row
locks to mean anything (each thread has its own database connection).
"""

import threading

import pytest
from django.db import connection as db_connection
from django.db import connections

from calendly_integration.models import Connection
from calendly_integration.oauth.tokens import get_valid_token
from tests.calendly_helpers import expire, make_oauth_connection

CALLERS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_callers_cause_one_refresh_and_share_the_new_token(sim, owner):
    if db_connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (set DATABASE_URL=postgres://...)")
    connection = make_oauth_connection(sim, owner)
    old_access = connection.access_token
    expire(connection)
    barrier = threading.Barrier(CALLERS)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def caller() -> None:
        try:
            barrier.wait(timeout=30)
            tokens.append(get_valid_token(connection.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=caller) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(tokens) == CALLERS
    assert sim.refresh_count == 1
    assert sim.refresh_reuse_attempts == 0
    connection.refresh_from_db()
    assert set(tokens) == {connection.access_token}
    assert connection.access_token != old_access
    assert connection.status == Connection.Status.ACTIVE
