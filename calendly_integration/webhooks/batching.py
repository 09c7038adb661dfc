"""Storing the deliveries that arrive at the same moment with one INSERT and one commit.

Calendly delivers in bursts (a round-robin event type, a bulk cancellation, a day of retries), and
the receiver must store each delivery before answering. One INSERT and one commit per delivery
made the database round trip, the commit and (on SQLite) the wait for the write lock most of the
receiver's cost. So the threads of one process that store deliveries at the same moment take
turns as the writer (the leader/follower pattern, group commit): a thread that finds no write in
progress inserts its own row together with every row queued while the previous write ran, in one
``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (autocommit), then hands each waiting thread the
id of its row. A lone delivery is written at once, as before; batches grow only with concurrency,
and no thread waits longer than one write for its turn.

Nothing can be lost or stored twice by the batching:

- each thread answers only after the write that holds its row has committed;
- a row whose dedupe key was already stored (or is stored twice in the batch) is not inserted,
  and its thread stores it as a duplicate as before;
- when the batch statement fails (a subscription deleted meanwhile, the database gone), every
  thread stores its own row alone, so one bad row fails only its own request.

Threads coordinating inside a request handler hold up under the other servers a site may use, as
the webhook benchmark's lost-delivery check shows (none lost of 24,000 or more deliveries each):

- under ASGI (uvicorn), Django runs each request's synchronous view in a thread of its own, so
  the deliveries of one process take turns here exactly as under gunicorn's threads;
- gunicorn's gevent worker patches ``threading`` and ``_thread`` before the site is loaded, so a
  delivery waits for its turn on a greenlet lock (made from ``_thread`` on each call) and yields
  to the writer's greenlet, whose wait for PostgreSQL yields in turn (psycopg waits
  cooperatively once gevent has patched ``select``); the mutex is held only to edit the queue.

Why the batching and not the ORM's own insert, with the figures: ``rows``.
"""

from __future__ import annotations

import _thread
import threading
from dataclasses import dataclass, field
from typing import Any

from calendly_integration.models import WebhookDelivery
from calendly_integration.webhooks.rows import insert_new_rows

#: Most rows written by one statement (a bound on the statement's size and the leader's wait).
MAX_BATCH = 64


@dataclass(eq=False)
class _Slot:
    """One thread's row in the queue, and what the write made of it."""

    fields: dict[str, Any]
    key: str
    wake: Any = field(default_factory=_thread.allocate_lock)  # released when there is news
    done: bool = False
    pk: int | None = None  # set when this row was inserted
    failed: bool = False  # the batch statement failed: store the row alone


class _Writer:
    """The rows of one process waiting for the write in progress, if one is."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.queue: list[_Slot] = []
        self.writing = False


_writer = _Writer()


class Retry(Exception):
    """The batch statement holding this row failed; store the row alone."""


def insert_or_conflict(fields: dict[str, Any], key: str) -> int | None:
    """Insert a delivery with dedupe key ``key`` together with any other thread's at the moment.

    Returns its id, or None when a delivery with that key exists already. Raises ``Retry`` when
    the statement holding the row failed, so the caller stores the row alone and sees its own
    error (a row written alone raises its error directly). Must run outside any transaction (the
    receiver's autocommit).

    Each waiting thread sleeps on a lock of its own and is woken exactly once: by the writer
    that wrote its row, or by the writer before it, to write the next batch.
    """
    slot = _Slot({**fields, "dedupe_key": key}, key)
    slot.wake.acquire()
    writer = _writer
    with writer.mutex:
        queued = writer.writing
        if queued:
            writer.queue.append(slot)
        else:
            writer.writing = True
    if queued:
        slot.wake.acquire()
    if not slot.done:
        with writer.mutex:
            batch = [slot, *writer.queue[: MAX_BATCH - 1]]
            del writer.queue[: MAX_BATCH - 1]
        try:
            error = _write(batch)
        finally:  # even if the write was interrupted, the queue must not wait forever
            _hand_over(writer)
        if error is not None and len(batch) == 1:
            raise error
    if slot.failed:
        raise Retry
    return slot.pk


def _write(batch: list[_Slot]) -> Exception | None:
    """Insert ``batch`` in one statement (the calling thread's connection) and wake the other
    threads of the batch; the statement's error, if it failed.

    Whatever happens, even an exception that is not an ``Exception`` (a worker being stopped),
    every thread of the batch is woken, told to store its row alone unless the write succeeded.
    """
    inserted = None
    try:
        inserted = insert_new_rows(WebhookDelivery, [slot.fields for slot in batch], "dedupe_key")
    except Exception as failure:  # every thread of the batch then stores its row alone
        return failure
    finally:
        for slot in batch:
            if inserted is None:
                slot.failed = True
            else:
                slot.pk = inserted.pop(slot.key, None)
            slot.done = True
        for slot in batch[1:]:
            slot.wake.release()
    return None


def _hand_over(writer: _Writer) -> None:
    """Make the first queued thread the next writer, or note that no write is in progress."""
    with writer.mutex:
        if writer.queue:
            writer.queue.pop(0).wake.release()
        else:
            writer.writing = False
