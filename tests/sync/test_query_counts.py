"""A constant number of queries per page of 100 events, whatever is on it."""

import itertools

import pytest

from calendly_integration.sync import sync_connection
from tests.sync.helpers import capture

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 10


def queries_per_page(connection_id: int, **kwargs) -> list[int]:
    """Queries between the ends of consecutive pages of events (the first page is left out:
    its count includes the step's own set-up)."""
    marks: list[int] = []
    with capture() as queries:

        def progress(p):
            if p.step == "scheduled_events" and p.pages:
                marks.append(len(queries.captured_queries))

        run = sync_connection(connection_id, progress=progress, **kwargs)
    assert run.pages >= 4, "the test needs several pages"
    return [b - a for a, b in itertools.pairwise(marks)]


def test_a_page_of_new_events_with_invitees_takes_at_most_ten_queries(sim, owner_connection):
    counts = queries_per_page(owner_connection.pk, full=True)
    assert max(counts) <= MAX_QUERIES_PER_PAGE, counts


def test_an_unchanged_page_takes_five_queries_and_writes_nothing(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True)
    counts = queries_per_page(owner_connection.pk, full=True)
    # read the page's rows, savepoint, look for missing rows, save the cursor, release
    assert set(counts) == {5}, counts


def test_a_page_with_changes_still_takes_at_most_ten_queries(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True)
    for event in list(sim.store.events.values())[:400:7]:
        invitee = sim.invitees_of(event["uri"])[0]
        if invitee["status"] == "active":
            sim.cancel_invitee(invitee["uri"], reason="changed")
    counts = queries_per_page(owner_connection.pk, full=True)
    assert max(counts) <= MAX_QUERIES_PER_PAGE, counts


def test_the_whole_sync_is_bounded_by_pages_not_rows(
    sim, owner_connection, django_assert_max_num_queries
):
    # about 540 events with 640 invitees and 30 routing form submissions: 6 pages of events
    with django_assert_max_num_queries(150):
        sync_connection(owner_connection.pk, full=True)
