"""Volume: an organization with about 2,000 events syncs completely and then stays quiet."""

import pytest

from calendly_integration.models import SyncRun
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from tests.sync.helpers import (
    db_event_uris,
    db_invitee_uris,
    event_list_requests,
    invitee_requests,
    sim_event_uris,
    sim_invitee_uris,
)

pytestmark = pytest.mark.django_db


def test_a_full_sync_of_more_than_a_thousand_events(demo_sim, django_user_model):
    user = django_user_model.objects.create_user("owner")
    connection = connect_personal_access_token(user, demo_sim.create_token())
    events = sim_event_uris(demo_sim)
    assert len(events) > 1000

    run = sync_connection(connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert db_event_uris() == events
    assert db_invitee_uris() == sim_invitee_uris(demo_sim, events)
    assert run.pages == len(events) // 100 + 1
    demo_sim.clear_requests()

    again = sync_connection(connection.pk, full=True)

    assert again.status == SyncRun.Status.SUCCEEDED
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert invitee_requests(demo_sim) == []
    assert len(event_list_requests(demo_sim)) == run.pages
