"""Writing a page of Calendly objects in a constant number of queries (sync's way in).

For a page of up to a hundred objects: one query reads what we already have (URI, id, fingerprint
and whatever the caller needs to decide more), then one ``INSERT ... ON CONFLICT (uri) DO UPDATE``
writes only the rows that are new or changed. "Changed" is decided by a fingerprint, a hash of
every column we would write, so an unchanged page writes nothing at all, and a repeated sync
changes nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, models, router

from calendly_integration.mirror.fingerprint import fingerprint

Fields = dict[str, Any]


@dataclass
class Existing:
    """What we hold for one URI: its id, fingerprint, removal mark and any extra columns asked."""

    id: int
    fingerprint: str
    removed_at: datetime | None
    values: dict[str, Any] = field(default_factory=dict)


def read_existing(
    model: type[models.Model], uris: Iterable[str], extra: Iterable[str] = ()
) -> dict[str, Existing]:
    """One query: the rows of ``model`` with these URIs."""
    uris = list(dict.fromkeys(u for u in uris if u))
    if not uris:
        return {}
    extra = tuple(extra)
    rows = model._default_manager.filter(uri__in=uris).values_list(
        "uri", "id", "fingerprint", "removed_at", *extra
    )
    return {
        row[0]: Existing(row[1], row[2], row[3], dict(zip(extra, row[4:], strict=True)))
        for row in rows
    }


@dataclass
class UpsertResult:
    ids: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def upsert(
    model: type[models.Model],
    rows: Iterable[Fields],
    *,
    now: datetime,
    existing: Mapping[str, Existing] | None = None,
    force: Iterable[str] = (),
) -> UpsertResult:
    """Insert new rows, update changed ones (clearing ``removed_at``), leave the rest alone.

    ``rows`` are complete column dicts (from ``mapping`` plus resolved foreign key ids) with a
    ``uri``; a URI given twice keeps its last row. ``existing`` is ``read_existing``'s answer when
    the caller already read it; ``force`` names URIs to write even when unchanged (their
    bookkeeping columns changed). Two queries at most, whatever the number of rows.
    """
    by_uri: dict[str, Fields] = {}
    for row in rows:
        if row.get("uri"):
            by_uri[row["uri"]] = row
    if existing is None:
        existing = read_existing(model, by_uri)
    forced = set(force)
    result = UpsertResult()
    to_write: list[models.Model] = []
    for uri, row in by_uri.items():
        digest = fingerprint(row)
        known = existing.get(uri)
        if known is not None:
            result.ids[uri] = known.id
        if known is None:
            result.created.append(uri)
        elif known.fingerprint != digest or known.removed_at is not None:
            result.updated.append(uri)
        else:
            result.unchanged.append(uri)
            if uri not in forced:
                continue
        to_write.append(model(**row, fingerprint=digest, synced_at=now, removed_at=None))
    if to_write:
        result.written = [obj.uri for obj in to_write]
        bulk_upsert(model, to_write)
        missing = []
        for obj in to_write:
            if obj.pk is None:
                missing.append(obj.uri)
            else:
                result.ids[obj.uri] = obj.pk
        if missing:  # a backend that returns no ids from an upsert: one more query
            result.ids.update(
                model._default_manager.filter(uri__in=missing).values_list("uri", "id")
            )
    return result


def bulk_upsert(model: type[models.Model], objs: list[models.Model]) -> None:
    """``INSERT ... ON CONFLICT (uri) DO UPDATE`` of every concrete column, in one statement."""
    update_fields = [
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "uri"
    ]
    using = router.db_for_write(model)
    with sqlite_variable_limit(using):
        model._default_manager.using(using).bulk_create(
            objs, update_conflicts=True, unique_fields=["uri"], update_fields=update_fields
        )


def mark_removed(queryset: models.QuerySet, now: datetime) -> int:
    """Set ``removed_at`` on the live rows of ``queryset``; reads first so nothing is written
    when nothing went missing (the usual case)."""
    ids = list(queryset.filter(removed_at__isnull=True).values_list("id", flat=True))
    return mark_ids_removed(queryset.model, ids, now)


def mark_missing(queryset: models.QuerySet, seen: Iterable[str] | set[str], now: datetime) -> int:
    """Mark removed the live rows of ``queryset`` whose URI a complete listing did not include.

    Compared in Python, so the listing's URIs never go into a giant ``NOT IN``.
    """
    seen = seen if isinstance(seen, set) else set(seen)
    rows = queryset.filter(removed_at__isnull=True).values_list("id", "uri")
    missing = [pk for pk, uri in rows if uri not in seen]
    return mark_ids_removed(queryset.model, missing, now)


def mark_ids_removed(model: type[models.Model], ids: Collection[int], now: datetime) -> int:
    """Set ``removed_at`` on the rows with these ids (no query when there are none)."""
    if ids:
        model._default_manager.filter(id__in=ids).update(removed_at=now)
    return len(ids)


@contextlib.contextmanager
def sqlite_variable_limit(using: str) -> Iterator[None]:
    """Let Django use SQLite's real bound-variable limit for the statements in this block.

    Django 5.2 assumes SQLite's old compile-time default of 999 variables and splits a bulk insert
    of a hundred 40-column rows into five statements; SQLite since 3.32 allows 32,766 (and says
    so). Raising the figure on this connection, for this block only, keeps a page one statement.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    try:
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # Python < 3.11 or an unusual driver
        limit = 0
    if limit <= features.max_query_params:
        yield
        return
    had_own = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = limit
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params
