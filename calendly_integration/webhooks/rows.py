"""Storing a delivery with one plain INSERT, without building a model instance to save.

The receiver stores every request before it answers, so the store is on its hot path. Through
``Model.objects.create`` the INSERT cost 0.4 ms (SQLite) to 0.85 ms (PostgreSQL) of Python per
delivery, measured on the project's 2-core machine; most of it building the instance and compiling
the same statement again. Here the statement is built once per database and set of given fields
from the model's own fields. Every given value still goes through the field's
``get_db_prep_save`` (JSON, bytes, addresses and times are converted exactly as the ORM would);
constant defaults are converted once, callable ones (``received_at``) on every insert, and
columns left out whose default is NULL stay NULL. No ``pre_save``/``post_save`` signal is sent for
the row (the app has no receiver for them on ``WebhookDelivery``).

Why not the ORM's own ``WebhookDelivery.objects.create`` (in a savepoint inside a transaction,
alone in autocommit, with the same unique dedupe key): the target is a receiver at 0.5 x or more
of the throughput of a view that makes one query, on PostgreSQL + Redis under gunicorn. The
webhook benchmark serves the same view storing through ``create`` beside this one, in the same
run (``tests/benchmarks/bench_webhooks.py``). Medians of 8 runs under gthread on the 2-core
machine, busy with other test runs (2026-12-05): this receiver 0.50 x the one-query view, the ORM
one 0.45, under the target; ``create`` costs 0.34 ms more worker CPU per delivery (1.17 against
0.83 ms). Under gunicorn's gevent worker (0.90 against 0.63) and uvicorn (0.92 against 0.78),
where every request opens its own database connection, the ORM one falls further behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models import Field, Model


@dataclass(frozen=True)
class _Statement:
    sql: str  # INSERT INTO t (columns) VALUES (one row) [RETURNING pk]
    into: str  # INSERT INTO t (columns)
    row: str  # (%s, %s, ...): one row's placeholders
    given: tuple[Field, ...]  # converted from the caller's values
    text: tuple[bool, ...]  # per given field: a plain text column, where a str goes in as it is
    computed: tuple[Field, ...]  # callable defaults, converted on each insert
    constants: tuple[Any, ...]  # constant defaults, converted once
    returning: bool


#: Fields whose ``get_db_prep_save`` returns a str unchanged (no subclass: it might convert).
_TEXT_FIELDS = (models.CharField, models.TextField)

_statements: dict[tuple[type[Model], str, frozenset[str]], _Statement] = {}
_many_sql: dict[tuple[_Statement, int, str], str] = {}


def _statement(model: type[Model], alias: str, names: frozenset[str]) -> _Statement:
    key = (model, alias, names)
    statement = _statements.get(key)
    if statement is not None:
        return statement
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    unknown = names - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"Not fields of {model.__name__}: {sorted(unknown)}")
    given = tuple(f for f in fields if f.attname in names)
    rest = [f for f in fields if f.attname not in names]
    computed = tuple(f for f in rest if f.has_default() and callable(f.default))
    constant = tuple(
        f for f in rest if f not in computed and (f.get_default() is not None or not f.null)
    )
    columns = given + computed + constant
    into = "INSERT INTO {} ({})".format(  # names from the model, not from input
        quote(meta.db_table), ", ".join(quote(f.column) for f in columns)
    )
    row = "({})".format(", ".join(["%s"] * len(columns)))
    sql = f"{into} VALUES {row}"
    returning = bool(connection.features.can_return_columns_from_insert)
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    statement = _Statement(
        sql,
        into,
        row,
        given,
        tuple(type(f) in _TEXT_FIELDS for f in given),
        computed,
        tuple(f.get_db_prep_save(f.get_default(), connection) for f in constant),
        returning,
    )
    _statements[key] = statement
    return statement


def _params(statement: _Statement, values: dict[str, Any], connection: Any) -> list[Any]:
    params = [
        value if text and type(value) is str else field.get_db_prep_save(value, connection)
        for field, text in zip(statement.given, statement.text, strict=True)
        for value in (values[field.attname],)
    ]
    params += [f.get_db_prep_save(f.get_default(), connection) for f in statement.computed]
    params += statement.constants
    return params


def insert_row(model: type[Model], values: dict[str, Any]) -> int:
    """INSERT one row of ``model`` (fields by attname; the others take their defaults); its pk.

    Runs on the database ``router.db_for_write`` picks, inside whatever transaction is open.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    statement = _statement(model, alias, frozenset(values))
    params = _params(statement, values, connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.returning:
            return cursor.fetchone()[0]
        return connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)


def supports_insert_new_rows(alias: str) -> bool:
    """Whether ``insert_new_rows`` works on this database (PostgreSQL, SQLite 3.35+, MariaDB
    10.5+): one statement that skips conflicting rows and says which rows it inserted."""
    features = connections[alias].features
    return bool(features.can_return_rows_from_bulk_insert and features.supports_ignore_conflicts)


def insert_new_rows(model: type[Model], rows: list[dict[str, Any]], unique: str) -> dict[Any, int]:
    """INSERT ``rows`` of ``model`` in one statement, skipping each row whose unique column
    ``unique`` (an attname) already holds its value; ``{value: pk}`` of the rows inserted.

    Every row gives the same fields. Of two rows with the same value only one is inserted.
    Any other failure (a foreign key, the database gone) fails the whole statement.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not supports_insert_new_rows(alias):
        raise NotImplementedError(f"{connection.vendor} cannot insert new rows in one statement")
    statement = _statement(model, alias, frozenset(rows[0]))
    key = (statement, len(rows), unique)
    sql = _many_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        column = model._meta.get_field(unique).column
        sql = "{} VALUES {} ON CONFLICT ({}) DO NOTHING RETURNING {}, {}".format(
            statement.into,
            ", ".join([statement.row] * len(rows)),
            quote(column),
            quote(model._meta.pk.column),
            quote(column),
        )
        _many_sql[key] = sql
    params: list[Any] = []
    for values in rows:
        params += _params(statement, values, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {value: pk for pk, value in cursor.fetchall()}
