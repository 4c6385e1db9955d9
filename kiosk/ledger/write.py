"""The one writer of every journaled row: a journaled event's rows (built by rows.py),
written in as few round trips as the database allows. Every event comes in through
`record_event` (docs/architecture.md, "One way in").

No journaled row goes through the ORM's unit of work: the rows are plain dicts holding
every column, ids included, which are both inserted and digested for the journal, so
nothing is read back. The sale is the write a queue waits on (bench/).

- Ids are taken before writing, in the query the event already makes (`next_ids`):
  PostgreSQL draws them from the tables' sequences; SQLite, whose write lock the
  transaction holds from BEGIN IMMEDIATE, counts on from the largest id.
- The rows, the stock-level deltas, the day's totals for the reports (rows.totals), the
  journal entry and the new chain head are then
  written by `write_event`: one statement per table on SQLite, where a statement is a
  function call; ONE statement on PostgreSQL, where each is a network round trip
  (data-modifying WITH clauses reading the rows from JSON).
- Many events at once (the demo's history): `write_events` writes their rows and their
  chained entries, executemany on SQLite and COPY on PostgreSQL, the ids counted on by
  `IdCounter`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from kiosk.database import UTCDateTime, prepared, real_session, utcnow
from kiosk.ledger import journal
from kiosk.ledger import rows as row_builders

# Add each delta to its cached level. Written as text: SQLite and PostgreSQL share this
# syntax, and SQLAlchemy's dialect on_conflict_do_update() cannot be cached, so it would be
# compiled again in every sale (measured: 8 times slower, bench/).
LEVEL_UPSERT = text(
    "INSERT INTO stock_levels (product_id, location_id, qty) "
    "VALUES (:product_id, :location_id, :qty) "
    "ON CONFLICT (product_id, location_id) DO UPDATE SET qty = stock_levels.qty + excluded.qty")


# Add the event's sums to the day's totals (DailyTotal), kept in the same write as the rows.
TOTAL_KEY = "day, kind, location_id, cash_session_id, product_id, banner_lot_id"
TOTAL_SUMS = ("count", "qty", "cents", "donation_cents")
TOTALS_UPSERT = text(
    f"INSERT INTO daily_totals ({TOTAL_KEY}, {', '.join(TOTAL_SUMS)}) "
    "VALUES (:day, :kind, :location_id, :cash_session_id, :product_id, :banner_lot_id, "
    ":count, :qty, :cents, :donation_cents) "
    f"ON CONFLICT ({TOTAL_KEY}) DO UPDATE SET "
    + ", ".join(f"{c} = daily_totals.{c} + excluded.{c}" for c in TOTAL_SUMS)
).bindparams(bindparam("day", type_=Date))


def total_rows(totals: dict[tuple, list[int]]) -> list[dict[str, Any]]:
    """TOTALS_UPSERT's parameters, in key order (writers lock the rows in one order)."""
    names = ("day", "kind", "location_id", "cash_session_id", "product_id", "banner_lot_id")
    return [{**dict(zip(names, key, strict=True)), **dict(zip(TOTAL_SUMS, sums, strict=True))}
            for key, sums in sorted(totals.items())]


def level_rows(deltas: dict[tuple[int, int], int]) -> list[dict[str, int]]:
    """LEVEL_UPSERT's parameters, in key order: writers lock the levels in one order."""
    return [{"product_id": product_id, "location_id": location_id, "qty": delta}
            for (product_id, location_id), delta in sorted(deltas.items())]


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


# True while write_events writes: a journaled row inserted at any other moment came in by
# another way (tests/test_one_writer.py listens for such inserts).
WRITING: ContextVar[bool] = ContextVar("journaled_write", default=False)


@contextmanager
def _writing() -> Iterator[None]:
    token = WRITING.set(True)
    try:
        yield
    finally:
        WRITING.reset(token)


def take_ids(session: Session, counts: Mapping[Table, int]) -> dict[str, list[int]]:
    """`counts[table]` new ids per table (by table name), in one query, under the journal
    head lock (taken here if the transaction does not hold it yet). For the events off the
    sale path (a drawer opened or closed, an envelope's entries, a decision, a gift
    receipt); the sale path folds its ids into the query it already makes.

    Ids taken earlier in the same transaction are never given again: on SQLite, which
    counts on from the largest id, a second call before the first event is written would
    otherwise hand out the same ids."""
    journal.lock_head(session)
    connection = session.connection()
    wanted = [(table, count) for table, count in counts.items() if count]
    ids: dict[str, list[int]] = {table.name: [] for table in counts}
    if not wanted:
        return ids
    dialect = connection.dialect.name
    found = connection.execute(
        select(*(next_ids(dialect, table, f"n_{index}").label(f"ids_{index}")
                 for index, (table, _count) in enumerate(wanted))),
        {f"n_{index}": count for index, (_table, count) in enumerate(wanted)}).one()
    transaction = real_session(session).get_transaction()
    held = session.info.get("ids_taken")
    taken: dict[str, int] = held[1] if held is not None and held[0] is transaction else {}
    session.info["ids_taken"] = (transaction, taken)
    for (table, count), value in zip(wanted, found, strict=True):
        if not isinstance(value, list):  # SQLite: the largest id, or the last given out
            value = max(value or 0, taken.get(table.name, 0))
        ids[table.name] = ids_from(value, count)
        taken[table.name] = max(taken.get(table.name, 0), *ids[table.name])
    return ids


def record_event(session: Session, event: str, ref: str,
                 tables: Sequence[tuple[Table, list[dict[str, Any]]]], user_id: int | None,
                 now: datetime | None = None, *,
                 head: journal.ChainEnd | None = None) -> dict[str, Any]:
    """THE way into the ledger: lock the journal head (unless `head`, locked already, is
    given), digest the event's rows (built by rows.py, every column, ids included), and
    write them with their stock-level deltas, the day's totals and the journal entry
    (write_event). Returns the entry written.

    Every journaled event goes through here: sales and their voids and refunds,
    consignment, partner orders, stock moves, drawers opened and closed, envelope entries,
    split and donation rules, gift receipts (docs/architecture.md, "One way in")."""
    if head is None:
        head = journal.lock_head(session)
    moves = [row for table, table_rows in tables if table is row_builders.MOVES
             for row in table_rows]
    entry = journal.next_entry(head, event, ref, row_builders.digests(tables), user_id,
                               now or utcnow())
    write_event(session.connection(), head, tables, row_builders.deltas(moves), entry)
    return entry


def write_event(connection: Connection, head: journal.ChainEnd,
                tables: Sequence[tuple[Table, list[dict[str, Any]]]],
                deltas: dict[tuple[int, int], int], entry: dict[str, Any]) -> None:
    """Insert the rows of each table, add the deltas to the cached stock levels, append
    `entry` (made by journal.next_entry from `head`) and move the locked head to it."""
    write_events(connection, head, tables, deltas, [entry])


def write_events(connection: Connection, head: journal.ChainEnd,
                 tables: Sequence[tuple[Table, list[dict[str, Any]]]],
                 deltas: dict[tuple[int, int], int], entries: list[dict[str, Any]]) -> None:
    """write_event for several events: `entries` chain on from `head`, one after the
    other (each made by journal.next_entry from the one before), and the head moves to
    the last. Tables in foreign-key order; the rows of all the events together."""
    with _writing():
        _write_events(connection, head, tables, deltas, entries)


def _write_events(connection: Connection, head: journal.ChainEnd,
                  tables: Sequence[tuple[Table, list[dict[str, Any]]]],
                  deltas: dict[tuple[int, int], int], entries: list[dict[str, Any]]) -> None:
    for table, rows in tables:
        columns = set(table.c.keys())
        for row in rows:  # a digest covers every column, and no default fills a gap
            if row.keys() != columns:
                raise ValueError(f"{table.name}: {set(row) ^ columns}")
    if not entries:
        raise ValueError("an event without its journal entry")
    levels = level_rows(deltas)
    totals = total_rows(row_builders.totals(tables))
    if connection.dialect.name == "postgresql":
        if len(entries) == 1:
            _write_postgresql(connection, tables, levels, totals, entries)
        else:  # a batch (the demo's history): COPY, several times faster than JSON
            for table, rows in (*tables, (journal.ENTRIES, entries)):
                if rows:
                    _copy(connection, table, rows)
            if levels:
                connection.execute(LEVEL_UPSERT, levels)
            if totals:
                connection.execute(TOTALS_UPSERT, totals)
            connection.execute(journal.MOVE_HEAD, {"new_seq": entries[-1]["seq"],
                                                   "new_hash": entries[-1]["hash"]})
        head.advance(entries[-1])
        return
    for table, rows in tables:
        if rows:
            _send(connection, _insert(table), rows)
    if levels:
        _send(connection, LEVEL_UPSERT, levels)
    if totals:
        _send(connection, TOTALS_UPSERT, totals)
    _send(connection, journal.INSERT_ENTRY, entries)
    _send(connection, journal.MOVE_HEAD, [{"new_seq": entries[-1]["seq"],
                                           "new_hash": entries[-1]["hash"]}])
    head.advance(entries[-1])


class IdCounter:
    """Ids for a writer that holds the journal head for a long batch (the demo's history):
    counted on from each table's largest id, which no other writer can take meanwhile
    (every journaled write locks the head first); `finish` then moves PostgreSQL's
    sequences past them, so the next sale draws the ids that follow."""

    def __init__(self, connection: Connection, tables: Sequence[Table]) -> None:
        self.tables = tuple(tables)
        self._next = {table.name: (connection.execute(
            select(func.max(table.c.id))).scalar() or 0) + 1 for table in self.tables}

    def take(self, table: Table) -> int:
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def peek(self, table: Table) -> int:
        return self._next[table.name]

    def finish(self, connection: Connection) -> None:
        if connection.dialect.name != "postgresql":
            return  # SQLite's next id is the largest + 1 already
        for table in self.tables:
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"))


def _send(connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """SQLite: `statement` (a module-level one: insert(table), an upsert, the head's move)
    for `rows`, prepared (database.prepared: the SQL and parameters SQLAlchemy would send,
    without its per-call work; some 10-20 µs a statement, eight a sale, bench/)."""
    ready = prepared(connection.dialect, statement)
    values = [ready.values(row) for row in rows]
    connection.exec_driver_sql(ready.sql, values if len(values) > 1 else values[0])


def _insert(table: Table):
    statement = _INSERTS.get(table.name)
    if statement is None:  # built once: it caches its own compilation key
        statement = _INSERTS[table.name] = insert(table)
    return statement


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY FROM STDIN in the connection's own transaction. Times go in as
    naive UTC, as UTCDateTime stores them."""
    columns = list(table.c.keys())
    times = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if times:
                row = {**row, **{c: row[c].astimezone(UTC).replace(tzinfo=None)
                                 for c in times if row[c] is not None}}
            copy.write_row([row[c] for c in columns])


def _write_postgresql(connection: Connection, tables: Sequence[tuple[Table, list[dict]]],
                      levels: list[dict], totals: list[dict],
                      entries: list[dict[str, Any]]) -> None:
    names = tuple(table.name for table, rows in tables if rows)
    statement = _PG_STATEMENTS.get(names)
    if statement is None:
        statement = _PG_STATEMENTS[names] = text(_postgresql_sql(names))
    params = {table.name: _json(rows) for table, rows in tables if rows}
    params.update(stock_levels=_json(levels), daily_totals=_json(totals),
                  journal_entries=_json(entries),
                  new_seq=entries[-1]["seq"], new_hash=entries[-1]["hash"])
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
        "w_daily_totals AS (INSERT INTO daily_totals SELECT * FROM jsonb_populate_recordset("
        f"NULL::daily_totals, CAST(:daily_totals AS jsonb)) ON CONFLICT ({TOTAL_KEY}) DO UPDATE "
        "SET " + ", ".join(f"{c} = daily_totals.{c} + excluded.{c}" for c in TOTAL_SUMS) + ")")
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
