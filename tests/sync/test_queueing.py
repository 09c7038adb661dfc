"""One way to queue work: named helpers, one task name and group per kind, one inline switch."""

import pytest
from django_q.conf import Conf
from django_q.models import Success

from calendly_integration import queueing
from calendly_integration.exceptions import NeedsReauth
from calendly_integration.models import Connection, SyncRun
from calendly_integration.services.connections import request_sync
from tests.calendly_helpers import queued_packages

pytestmark = pytest.mark.django_db


def queued() -> dict[str, dict]:
    """Every task waiting in the broker (ORM or Redis), by id, read without taking them."""
    return {task["id"]: task for task in queued_packages()}


@pytest.fixture
def queue(monkeypatch):
    """Tasks go to the broker (no inline switch)."""
    monkeypatch.setattr(Conf, "SYNC", False)


def test_a_requested_sync_is_queued_under_its_task_name_and_group(sim, owner_connection, queue):
    task_id = request_sync(owner_connection, full=True)

    task = queued()[task_id]
    assert (task["func"], task["args"], task["kwargs"]) == (
        queueing.RUN_SYNC,
        (owner_connection.pk,),
        {"full": True},
    )
    assert (task["name"], task["group"]) == (
        f"calendly-sync-{owner_connection.pk}",
        queueing.SYNC_GROUP,
    )
    assert not SyncRun.objects.exists()


def test_a_connection_that_cannot_sync_is_refused_before_anything_is_queued(
    sim, owner_connection, queue
):
    Connection.objects.filter(pk=owner_connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    owner_connection.refresh_from_db()
    before = queued()

    with pytest.raises(NeedsReauth):
        request_sync(owner_connection)
    assert queued() == before


def test_django_q2s_sync_switch_runs_every_task_inline(sim, owner_connection, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # Q_CLUSTER["sync"] = True, as django-q2 read it

    task_id = request_sync(owner_connection)

    assert SyncRun.objects.get().status == "succeeded"
    assert Success.objects.get(id=task_id).func == queueing.RUN_SYNC, "django-q2 ran it"


def test_the_deprecated_webhook_setting_is_the_same_switch(
    sim, owner_connection, monkeypatch, settings
):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.CALENDLY = {**settings.CALENDLY, "WEBHOOK_PROCESS_INLINE": True}

    assert queueing.runs_inline()
    request_sync(owner_connection)
    assert SyncRun.objects.get().status == "succeeded"


def test_an_inline_task_that_fails_is_logged_not_raised(
    sim, owner_connection, monkeypatch, settings, caplog
):
    """Without a PUBLIC_BASE_URL the webhook check fails; whoever queued it carries on."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.CALENDLY = {**settings.CALENDLY, "PUBLIC_BASE_URL": ""}

    assert queueing.queue_ensure_webhooks(owner_connection.pk) is None
    assert "Inline task calendly_integration.tasks.ensure_webhook_subscriptions" in caplog.text
    assert "WebhooksNotConfigured" in caplog.text
