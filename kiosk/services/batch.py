"""A journaled event's rows written in as few round trips as the database allows.

The sale is the one write a queue waits on (bench/), so it does not go through the ORM's
unit of work: its rows are plain dicts holding every column, ids included, which are both
inserted and digested for the journal, so nothing is read back.

- Ids are taken before writing, in the query the event already makes (`next_ids`):
  PostgreSQL draws them from the tables' sequences; SQLite, whose write lock the
  transaction holds from BEGIN IMMEDIATE, counts on from the largest id.
- The rows, the stock-level deltas, the journal entry and the new chain head are then
  written by `write_event`: one statement per table on SQLite, where a statement is a
  function call; ONE statement on PostgreSQL, where each is a network round trip
  (data-modifying WITH clauses reading the rows from JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
)

from kiosk.services import journal
from kiosk.services.stock import LEVEL_UPSERT, level_rows

_INSERTS: dict[str, Any] = {}
_PG_STATEMENTS: dict[tuple[str, ...], Any] = {}


def next_ids(dialect: str, table: Table, count_param: str) -> ColumnElement:
    """A column for the event's query: where the `count_param` new ids of `table` come
    from (turn it into ids with `ids_from`)."""
    if dialect == "postgresql":
        drawn = func.nextval(func.pg_get_serial_sequence(table.name, "id"))
        return (select(func.array_agg(drawn))
                .select_from(func.generate_series(1, bindparam(count_param, type_=Integer)))
                .scalar_subquery())
    return select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery()


def ids_from(value: Any, count: int) -> list[int]:
    """The ids a `next_ids` column gave: drawn (a list) or following the largest id."""
    if value is None or isinstance(value, list):  # (PostgreSQL draws none for count 0)
        return value or []
    return list(range(value + 1, value + 1 + count))


def write_event(connection: Connection, head: journal.ChainEnd,
                tables: Sequence[tuple[Table, list[dict[str, Any]]]],
                deltas: dict[tuple[int, int], int], entry: dict[str, Any]) -> None:
    """Insert the rows of each table, add the deltas to the cached stock levels, append
    `entry` (made by journal.next_entry from `head`) and move the locked head to it."""
    for table, rows in tables:
        columns = set(table.c.keys())
        for row in rows:  # a digest covers every column, and no default fills a gap
            if row.keys() != columns:
                raise ValueError(f"{table.name}: {set(row) ^ columns}")
    levels = level_rows(deltas)
    if connection.dialect.name == "postgresql":
        _write_postgresql(connection, tables, levels, entry)
        head.advance(entry)
        return
    for table, rows in tables:
        if rows:
            connection.execute(_insert(table), rows)
    if levels:
        connection.execute(LEVEL_UPSERT, levels)
    journal.write_entry(connection, head, entry)


def _insert(table: Table):
    statement = _INSERTS.get(table.name)
    if statement is None:  # built once: it caches its own compilation key
        statement = _INSERTS[table.name] = insert(table)
    return statement


def _write_postgresql(connection: Connection, tables: Sequence[tuple[Table, list[dict]]],
                      levels: list[dict], entry: dict[str, Any]) -> None:
    names = tuple(table.name for table, rows in tables if rows)
    statement = _PG_STATEMENTS.get(names)
    if statement is None:
        statement = _PG_STATEMENTS[names] = text(_postgresql_sql(names))
    params = {table.name: _json(rows) for table, rows in tables if rows}
    params.update(stock_levels=_json(levels), journal_entries=_json([entry]),
                  new_seq=entry["seq"], new_hash=entry["hash"])
    connection.execute(statement, params)


def _postgresql_sql(names: tuple[str, ...]) -> str:
    """WITH t1 AS (INSERT …), t2 AS (INSERT …) … UPDATE journal_head: one statement.

    The rows come as JSON arrays of objects keyed by column, typed by the table's own
    row type (jsonb_populate_recordset), so the columns need not be listed. Foreign keys
    are checked at the end of the statement, when every row is in.
    """
    parts = [f"w_{name} AS (INSERT INTO {name} SELECT * FROM jsonb_populate_recordset("
             f"NULL::{name}, CAST(:{name} AS jsonb)))" for name in names]
    parts.append(
        "w_stock_levels AS (INSERT INTO stock_levels SELECT * FROM jsonb_populate_recordset("
        "NULL::stock_levels, CAST(:stock_levels AS jsonb)) ON CONFLICT (product_id, "
        "location_id) DO UPDATE SET qty = stock_levels.qty + excluded.qty)")
    parts.append(
        "w_journal_entries AS (INSERT INTO journal_entries SELECT * FROM "
        "jsonb_populate_recordset(NULL::journal_entries, CAST(:journal_entries AS jsonb)))")
    return ("WITH " + ",\n".join(parts)
            + "\nUPDATE journal_head SET seq = :new_seq, hash = :new_hash WHERE id = 1")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):  # stored as naive UTC, as UTCDateTime does
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value, separators=(",", ":"))
