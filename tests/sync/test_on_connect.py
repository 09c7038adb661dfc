"""Connecting Calendly queues a first sync, so the mirror fills without waiting for the schedule."""

from collections import Counter

import pytest
from django.utils.module_loading import import_string

from calendly_integration.models import SyncRun
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.queueing import RUN_SYNC as SYNC_TASK
from tests.calendly_helpers import queued_tasks
from tests.sync.helpers import db_event_uris, sim_event_uris

pytestmark = pytest.mark.django_db


def queued_syncs() -> Counter:
    """How many syncs of each connection wait in the broker."""
    return Counter({args[0]: n for (func, args), n in queued_tasks().items() if func == SYNC_TASK})


def test_a_new_connection_is_synced_by_the_task_it_queues(
    sim, django_user_model, django_capture_on_commit_callbacks
):
    owner = django_user_model.objects.create_user("ada")
    token = sim.create_token(user_uri=sim.owner.uri)
    before = queued_syncs()

    with django_capture_on_commit_callbacks(execute=True):
        connection = connect_personal_access_token(owner, token)

    assert queued_syncs() - before == Counter({connection.pk: 1})
    import_string(SYNC_TASK)(connection.pk)  # what the worker runs

    run = SyncRun.objects.get(connection=connection)
    assert run.status == SyncRun.Status.SUCCEEDED
    window = sim_event_uris(sim, start=run.window_start, end=run.window_end)
    assert window and db_event_uris() == window


def test_no_sync_is_queued_when_the_setting_is_off(
    sim, settings, django_user_model, django_capture_on_commit_callbacks
):
    settings.CALENDLY = {**settings.CALENDLY, "SYNC_ON_CONNECT": False}
    owner = django_user_model.objects.create_user("ada")
    before = queued_syncs()

    with django_capture_on_commit_callbacks(execute=True):
        connection = connect_personal_access_token(owner, sim.create_token(user_uri=sim.owner.uri))

    assert (queued_syncs() - before)[connection.pk] == 0
