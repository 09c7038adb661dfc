"""Deliveries stored at the same moment share one INSERT, and the sharing loses nothing.

The concurrent tests hold PostgreSQL's lock on the delivery table so that one thread's INSERT
waits while others queue behind it, then let go: the queued rows must be written by the next
statement, together. Which rows one statement wrote is read from PostgreSQL itself (rows written
by one statement in autocommit share their ``xmin``, the id of the transaction that wrote them).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from calendly_integration.models import WebhookDelivery
from calendly_integration.webhooks import batching
from calendly_integration.webhooks.dedupe import Stored, store_first_or_duplicate
from calendly_integration.webhooks.rows import insert_new_rows

TABLE = WebhookDelivery._meta.db_table


def fields(subscription_id: int, n: int) -> dict[str, Any]:
    """A delivery's fields as the receiver gives them."""
    return {
        "subscription_id": subscription_id,
        "headers": {"Content-Type": "application/json"},
        "remote_addr": "127.0.0.1",
        "body": b'{"event": "invitee.created"}',
        "signature": WebhookDelivery.Signature.VALID,
        "event": "invitee.created",
        "payload_uri": f"https://api.calendly.com/scheduled_events/EV/invitees/{n}",
        "event_created_at": "2026-12-04T10:00:00.000000Z",
        "status": WebhookDelivery.Status.RECEIVED,
    }


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def inserts_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE %s",
            [f'INSERT INTO "{TABLE}"%'],
        )
        return cursor.fetchone()[0]


class Storing:
    """Threads each storing one delivery, with what each got back (or raised), by label."""

    def __init__(self) -> None:
        self.results: dict[str, Stored | Exception] = {}
        self.threads: list[threading.Thread] = []

    def start(self, label: str, row: dict[str, Any]) -> None:
        """Store ``row`` with the dedupe key ``label`` up to any ``#`` (``same#2``: ``same``)."""
        key = label.split("#")[0]

        def run() -> None:
            try:
                self.results[label] = store_first_or_duplicate(key, row)
            except Exception as error:  # kept for the test to inspect
                self.results[key] = error
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in self.threads)


@contextmanager
def table_locked() -> Iterator[None]:
    """Hold the delivery table so that every INSERT into it waits until the block ends."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{TABLE}" IN EXCLUSIVE MODE')
        yield


def rows_per_statement() -> list[int]:
    """How many delivery rows each writing transaction wrote, largest first."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT xmin::text FROM "{TABLE}"')
        counts = Counter(xmin for (xmin,) in cursor.fetchall())
    return sorted(counts.values(), reverse=True)


def queue_behind_a_waiting_writer(
    storing: Storing, first: tuple[str, dict[str, Any]], queued: list[tuple[str, dict[str, Any]]]
) -> None:
    """Start ``first`` so its INSERT waits for the lock, then ``queued`` behind it."""
    storing.start(*first)
    wait_for(lambda: inserts_waiting_for_a_lock() == 1, "the first INSERT to wait")
    for key, row in queued:
        storing.start(key, row)
    wait_for(lambda: len(batching._writer.queue) == len(queued), "the rows to queue")


@pytest.fixture
def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's in-memory test database has one connection")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_queued_behind_a_write_are_written_together_by_the_next(on_postgresql, subscription):
    storing = Storing()
    with table_locked():
        queue_behind_a_waiting_writer(
            storing,
            ("first", fields(subscription.pk, 0)),
            [(f"k{n}", fields(subscription.pk, n)) for n in range(1, 9)],
        )

    storing.join()
    assert rows_per_statement() == [8, 1]
    for key, stored in storing.results.items():
        assert isinstance(stored, Stored) and stored.first and stored.status == "received"
        assert WebhookDelivery.objects.get(pk=stored.pk).dedupe_key == key  # each got its own row
    assert len({stored.pk for stored in storing.results.values()}) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duplicates_in_one_batch_and_of_a_stored_delivery_are_stored_as_duplicates(
    on_postgresql, subscription
):
    storing = Storing()
    queued = [(f"same#{n}", fields(subscription.pk, 1)) for n in range(4)]
    queued += [("earlier#2", fields(subscription.pk, 0)), ("other", fields(subscription.pk, 2))]
    with table_locked():
        queue_behind_a_waiting_writer(storing, ("earlier", fields(subscription.pk, 0)), queued)

    storing.join()
    results = storing.results
    same = [results[f"same#{n}"] for n in range(4)]
    firsts = [stored for stored in same if stored.first]
    assert len(firsts) == 1
    for stored in same:
        if not stored.first:
            assert stored.status == "duplicate"
            assert WebhookDelivery.objects.get(pk=stored.pk).duplicate_of_id == firsts[0].pk
    earlier = results["earlier"]
    assert not results["earlier#2"].first
    assert WebhookDelivery.objects.get(pk=results["earlier#2"].pk).duplicate_of_id == earlier.pk
    assert results["other"].first
    assert WebhookDelivery.objects.count() == 1 + len(queued)
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == sorted(
        ["received"] * 3 + ["duplicate"] * 4
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bad_row_fails_only_its_own_request_when_its_batch_fails(on_postgresql, subscription):
    storing = Storing()
    good = [(f"good{n}", fields(subscription.pk, n)) for n in range(1, 4)]
    bad = ("bad", fields(subscription.pk + 1000, 9))  # no such subscription: a foreign key error
    with table_locked():
        queue_behind_a_waiting_writer(storing, ("first", fields(subscription.pk, 0)), [*good, bad])

    storing.join()
    assert isinstance(storing.results["bad"], IntegrityError)
    for key, _row in good:
        stored = storing.results[key]
        assert isinstance(stored, Stored) and stored.first
    assert set(WebhookDelivery.objects.values_list("dedupe_key", flat=True)) == {
        "first",
        "good1",
        "good2",
        "good3",
    }
    assert rows_per_statement() == [1, 1, 1, 1]  # the batch was rolled back; each stored alone


@pytest.mark.django_db(transaction=True)
def test_a_lone_delivery_outside_a_transaction_is_written_at_once(subscription):
    first = store_first_or_duplicate("alone", fields(subscription.pk, 1))
    again = store_first_or_duplicate("alone", fields(subscription.pk, 1))

    assert first.first and first.status == "received"
    assert not again.first and again.status == "duplicate"
    assert WebhookDelivery.objects.get(pk=again.pk).duplicate_of_id == first.pk
    assert batching._writer.queue == [] and not batching._writer.writing


@pytest.mark.django_db(transaction=True)
def test_a_lone_delivery_that_cannot_be_stored_raises_its_own_error(subscription):
    with pytest.raises(IntegrityError):
        store_first_or_duplicate("orphan", fields(subscription.pk + 1000, 1))
    assert not WebhookDelivery.objects.exists()
    assert not batching._writer.writing  # the next delivery is not left waiting
    assert store_first_or_duplicate("next", fields(subscription.pk, 2)).first


@pytest.mark.django_db
def test_one_statement_skips_values_already_stored_and_repeated_in_it(subscription):
    stored = store_first_or_duplicate("c", fields(subscription.pk, 3))
    rows = [{**fields(subscription.pk, n), "dedupe_key": key} for n, key in enumerate("abac")]

    inserted = insert_new_rows(WebhookDelivery, rows, "dedupe_key")

    assert set(inserted) == {"a", "b"}
    for key, pk in inserted.items():
        assert WebhookDelivery.objects.get(pk=pk).dedupe_key == key
    assert WebhookDelivery.objects.filter(dedupe_key="a").count() == 1
    assert WebhookDelivery.objects.get(dedupe_key="c").pk == stored.pk


class Interrupting(dict):
    """Headers whose encoding is interrupted the way a stopping worker is (not an Exception)."""

    def items(self) -> None:  # what json.dumps calls for a dict subclass
        raise KeyboardInterrupt


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_write_leaves_no_delivery_waiting_behind_it(subscription):
    row = {**fields(subscription.pk, 1), "headers": Interrupting(a=1)}
    with pytest.raises(KeyboardInterrupt):
        store_first_or_duplicate("interrupted", row)

    assert not batching._writer.writing and batching._writer.queue == []
    assert store_first_or_duplicate("next", fields(subscription.pk, 2)).first
