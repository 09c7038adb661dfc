"""Connecting with a personal access token: checked by /users/me first, stored encrypted."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.errors import InvalidPersonalAccessToken
from calendly_integration.signals import connection_connected
from tests.calendly_helpers import raw_rows

pytestmark = pytest.mark.django_db


def test_a_valid_token_is_checked_then_stored_encrypted(sim, owner):
    token = sim.create_token(user_uri=sim.admin.uri)
    connection = connect_personal_access_token(owner, f"  {token}\n")
    assert connection.kind == Connection.Kind.PAT
    assert connection.calendly_user_uri == sim.admin.uri
    assert connection.email == sim.admin.email
    assert connection.organization_uri == sim.organization_uri
    assert connection.expires_at is None
    assert connection.refresh_token == ""
    assert Connection.objects.get().access_token == token
    assert token not in str(raw_rows(Connection._meta.db_table))
    assert [r.path for r in sim.requests] == ["/users/me"]


def test_an_invalid_token_stores_nothing(sim, owner):
    with pytest.raises(InvalidPersonalAccessToken, match="did not accept"):
        connect_personal_access_token(owner, "sim_pat_not-a-real-token")
    assert not Connection.objects.exists()


def test_connecting_the_same_calendly_user_again_updates_the_one_connection(sim, owner):
    heard = []

    def receiver(sender, connection, created, kind, **kwargs):
        heard.append((connection.pk, created, kind))

    connection_connected.connect(receiver)
    try:
        first = connect_personal_access_token(owner, sim.create_token())
        Connection.objects.filter(pk=first.pk).update(status=Connection.Status.NEEDS_REAUTH)
        second_token = sim.create_token()
        second = connect_personal_access_token(owner, second_token)
    finally:
        connection_connected.disconnect(receiver)
    assert second.pk == first.pk
    assert heard == [(first.pk, True, "pat"), (first.pk, False, "pat")]
    assert Connection.objects.get().access_token == second_token
    assert Connection.objects.get().status == Connection.Status.ACTIVE


def test_the_command_reads_the_token_from_stdin(sim, owner, monkeypatch):
    token = sim.create_token()
    monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
    out = io.StringIO()
    call_command("calendly_connect_pat", owner.username, stdout=out)
    connection = Connection.objects.get(owner=owner)
    assert connection.access_token == token
    assert "Connected" in out.getvalue()
    assert token not in out.getvalue()


def test_the_command_takes_token_and_user_id_options(sim, owner):
    token = sim.create_token()
    call_command(
        "calendly_connect_pat", str(owner.pk), "--by-id", "--token", token, stdout=io.StringIO()
    )
    assert Connection.objects.get(owner=owner).kind == Connection.Kind.PAT


def test_the_command_refuses_an_invalid_token_and_stores_nothing(sim, owner):
    with pytest.raises(CommandError, match="did not accept"):
        call_command("calendly_connect_pat", owner.username, "--token", "sim_pat_wrong")
    with pytest.raises(CommandError, match="No user"):
        call_command("calendly_connect_pat", "nobody", "--token", "sim_pat_wrong")
    assert not Connection.objects.exists()
