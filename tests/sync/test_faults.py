"""Faults in the middle of a sync: the run records the error, keeps every whole page it committed
(and nothing of the page it was on), and the next run resumes and ends with exactly Calendly's set."""

import pytest

from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    Organization,
    RoutingForm,
    ScheduledEvent,
    SyncRun,
)
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from tests.calendly_helpers import make_oauth_connection
from tests.sync.helpers import (
    db_event_uris,
    db_invitee_uris,
    event_list_requests,
    sim_event_uris,
    sim_invitee_uris,
)

pytestmark = pytest.mark.django_db

FAULTS = {
    "server errors": lambda sim: sim.faults.fail_next(4, status=500),
    "rate limit": lambda sim: sim.faults.rate_limit_next(1, retry_after=30),
    "timeouts": lambda sim: sim.faults.slow_next(4, seconds=2.5),
    "malformed JSON": lambda sim: sim.faults.malformed_next(1),
    "dropped connections": lambda sim: sim.faults.drop_connection_next(4),
}


def inject_after_page(sim, page: int, fault, *, skip_requests: int = 0):
    """A progress callback that arms ``fault`` once ``page`` pages of events are committed;
    ``skip_requests`` lets that many requests through first (to fail in the middle of a page)."""
    armed = []

    def progress(p):
        if p.step == "scheduled_events" and p.pages == page and not armed:
            armed.append(True)
            if skip_requests:
                sim.faults.slow_next(skip_requests, seconds=0)
            fault(sim)

    progress.armed = armed
    return progress


def assert_only_whole_pages(pages: int, sim):
    """Exactly ``pages`` pages of events are mirrored, each with all of its invitees."""
    assert ScheduledEvent.objects.count() == pages * 100
    events = db_event_uris()
    assert db_invitee_uris() == sim_invitee_uris(sim, events)


@pytest.mark.parametrize("where", ["between pages", "inside a page"])
@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_mid_pagination_then_a_clean_run_ends_with_exactly_calendlys_set(
    sim, owner_connection, settings, fault, where
):
    # Well above a loaded machine's slowest healthy answer, well below the injected 2.5 s.
    settings.CALENDLY = {**settings.CALENDLY, "READ_TIMEOUT": 1.0}
    progress = inject_after_page(sim, 2, fault, skip_requests=6 if where == "inside a page" else 0)

    first = sync_connection(owner_connection.pk, full=True, progress=progress)

    assert progress.armed
    assert first.status in (SyncRun.Status.FAILED, SyncRun.Status.RATE_LIMITED)
    assert first.error and first.error_type
    assert first.pages == 2
    assert_only_whole_pages(2, sim)

    sim.faults.clear()
    sim.clear_requests()
    second = sync_connection(owner_connection.pk, full=True)

    assert second.status == SyncRun.Status.SUCCEEDED, second.error
    assert second.resumed
    assert "page_token" in event_list_requests(sim)[0].query
    events = sim_event_uris(sim)
    assert db_event_uris() == events
    assert ScheduledEvent.objects.count() == len(events)
    assert db_invitee_uris() == sim_invitee_uris(sim, events)
    assert Invitee.objects.count() == len(db_invitee_uris())


def test_a_rate_limit_records_when_to_continue(sim, owner_connection):
    progress = inject_after_page(sim, 1, FAULTS["rate limit"])
    run = sync_connection(owner_connection.pk, full=True, progress=progress)

    assert run.status == SyncRun.Status.RATE_LIMITED
    assert run.error_type == "RateLimited"
    assert 25 <= (run.retry_at - run.finished_at).total_seconds() <= 31


def test_a_connection_that_needs_reauth_mid_sync_keeps_its_pages(sim, owner_connection):
    token = owner_connection.access_token
    progress = inject_after_page(sim, 2, lambda s: s.revoke_token(token))

    first = sync_connection(owner_connection.pk, full=True, progress=progress)

    assert first.status == SyncRun.Status.FAILED
    assert first.error_type == "NeedsReauth"
    owner_connection.refresh_from_db()
    assert owner_connection.status == Connection.Status.NEEDS_REAUTH
    assert_only_whole_pages(2, sim)

    refused = sync_connection(owner_connection.pk, full=True)
    assert refused.status == SyncRun.Status.FAILED and refused.http_requests == 0

    connect_personal_access_token(owner_connection.owner, sim.create_token())
    second = sync_connection(owner_connection.pk, full=True)
    assert second.status == SyncRun.Status.SUCCEEDED and second.resumed
    assert db_event_uris() == sim_event_uris(sim)


def test_a_missing_required_scope_fails_the_run_after_what_it_could_do(sim, connect):
    scopes = "users:read organizations:read event_types:read"
    connection = connect(scopes=scopes)

    run = sync_connection(connection.pk)

    assert run.status == SyncRun.Status.FAILED
    assert run.error_type == "InsufficientScope"
    assert "scheduled_events:read" in run.error
    assert Organization.objects.exists() and EventType.objects.exists()
    assert not ScheduledEvent.objects.exists()


def test_a_missing_optional_scope_is_a_warning(sim, connect):
    scopes = "users:read organizations:read event_types:read scheduled_events:read"
    connection = connect(scopes=scopes)

    run = sync_connection(connection.pk)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert not RoutingForm.objects.exists()
    assert any("routing_forms:read" in warning for warning in run.warnings)
    assert any("availability:read" in warning for warning in run.warnings)
    assert ScheduledEvent.objects.exists()


def test_scopes_an_oauth_connection_lacks_are_not_even_asked_for(sim, site_user):
    connection = make_oauth_connection(
        sim,
        site_user,
        scopes="users:read organizations:read event_types:read scheduled_events:read",
    )
    sim.clear_requests()

    run = sync_connection(connection.pk)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert not [r for r in sim.requests if r.path.startswith(("/routing_forms", "/user_avail"))]
    assert all(r.status != 403 for r in sim.requests)
    assert len(run.warnings) == 2
