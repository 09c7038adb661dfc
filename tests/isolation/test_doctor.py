"""``calendly_doctor`` for one of A's connections (``--connection``, with ``--verify``): it reports
A's connection alone, and compares A's mirror with A's Calendly only, while B's rows sit in the
same tables (were B's rows counted, each would show as "missing at Calendly")."""

from __future__ import annotations

import io
import json
from contextlib import suppress

import pytest
from django.core.management import call_command

from calendly_integration.models import Invitee
from tests.api.conftest import calendly_at

pytestmark = pytest.mark.django_db


def doctor(*args: str) -> dict:
    out = io.StringIO()
    # A failed check (here: no webhook subscriptions) exits 1; the report is out all the same.
    with suppress(SystemExit):
        call_command("calendly_doctor", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("role", ("owner", "member"))
def test_the_doctor_reports_a_alone(orgs, role):
    connection = orgs.a.connections[role]
    report = doctor("--connection", str(connection.pk), "--verify")
    assert [item["connection"] for item in report["connections"]] == [connection.pk]
    item = report["connections"][0]
    assert item["verify_error"] == ""
    assert item["differences"] == [], item["differences"][:5]
    text = json.dumps(report)
    assert not [marker for marker in orgs.markers_of(orgs.b) if marker in text]
    assert orgs.writes_at_calendly() == []


def test_a_change_in_b_is_no_difference_of_a(orgs, settings):
    """B's Calendly changes (a cancellation); A's report does not move."""
    invitee = (
        Invitee.objects.filter(organization=orgs.b.organization, status="active")
        .filter(event__hosts__user_uri=orgs.b.sim.owner.uri)
        .first()
    )
    orgs.b.sim.cancel_invitee(invitee.uri)
    report = doctor("--connection", str(orgs.a.connections["owner"].pk), "--verify")
    assert report["connections"][0]["differences"] == []
    assert report["differences"] == 0
    with calendly_at(settings, orgs.b.sim):
        theirs = doctor("--connection", str(orgs.b.connections["owner"].pk), "--verify")
    assert theirs["differences"] > 0, "B's own report shows the cancellation"
