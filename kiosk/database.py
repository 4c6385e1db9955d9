"""Database plumbing: UTC timestamps, SQLite pragmas and write transactions that lock early."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from kiosk.private import private_file

SQLITE_BUSY_TIMEOUT_MS = 10_000


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the only kind of time the database holds): the one clock
    every row, number and report is dated by. It is the machine's clock (`system_now`) plus
    the correction kiosk/services/clock.py keeps when that clock is provably wrong (a
    Raspberry Pi back from a power cut with last week's time)."""
    now = system_now()
    if has_app_context():
        correction = current_app.extensions.get(CLOCK_CORRECTION)
        if correction:
            return now + correction
    return now


CLOCK_CORRECTION = "kiosk_clock_correction"  # app.extensions key: a timedelta, or absent


def system_now() -> datetime:
    """The machine's own clock, uncorrected. CLOCK_OFFSET_SECONDS moves it (the tests move
    the server's clock with it; kiosk/services/clock.py with KIOSK_CLOCK_SET=offset)."""
    now = datetime.now(UTC)
    if has_app_context():
        offset = current_app.config.get("CLOCK_OFFSET_SECONDS") or 0
        if offset:
            return now + timedelta(seconds=float(offset))
    return now


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: identical on SQLite and PostgreSQL.

    The journal hashes row contents, so a timestamp must read back exactly as written.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return value.replace(tzinfo=UTC)


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, busy timeout, foreign keys, and transactions we begin ourselves.

    pysqlite's own implicit BEGIN is switched off so that a write transaction can start
    with BEGIN IMMEDIATE (see write_transaction): taking the write lock first means two
    tablets selling at once wait for each other instead of failing on a lock upgrade.
    """
    if engine.dialect.name != "sqlite":
        return
    if engine.url.database and engine.url.database != ":memory:" \
            and not engine.url.database.startswith("file:"):
        private_file(engine.url.database)  # 0600 before SQLite first opens it

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: each commit reaches the disk before the sale is acknowledged. In WAL mode
        # NORMAL may lose the last commits if the laptop's battery dies (SQLite's docs),
        # and an acknowledged sale must never be lost.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITE_READY = "write_transaction_ready"
# The transaction write_transaction (or begin_write) began, holding the write lock: what
# journal.lock_head demands (kiosk/ledger/journal.py).
WRITING = "write_transaction"


def real_session(session: Session) -> Session:
    """The Session itself: Flask-SQLAlchemy's db.session is a scoped_session proxy, and
    a transaction's identity is only visible on the real one."""
    return session() if callable(session) else session


def begin_write(session: Session) -> None:
    """Begin the request's transaction as a write transaction now, before its first read
    (the login's): write_transaction then carries on in it instead of rolling back and
    beginning again. On the sale path that saves a ROLLBACK, a pool check-out and a
    BEGIN (three round trips on PostgreSQL). Only for views whose whole work is one
    write transaction: on SQLite it holds the write lock from here to the commit."""
    real = real_session(session)
    if real.in_transaction():
        return
    session.connection(execution_options={"sqlite_immediate": True})
    session.info[WRITE_READY] = session.info[WRITING] = real.get_transaction()


def in_write_transaction(session: Session) -> bool:
    """Is the session inside the transaction write_transaction or begin_write began (its
    write lock taken first: BEGIN IMMEDIATE on SQLite)?"""
    real = real_session(session)
    transaction = real.get_transaction()
    return transaction is not None and session.info.get(WRITING) is transaction


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One transaction for one user action: commit on success, roll back on any error.

    Ends whatever read transaction the request had open, then begins a fresh one that
    holds the write lock from its first statement (BEGIN IMMEDIATE on SQLite; on
    PostgreSQL the services lock the rows they allocate from with SELECT … FOR UPDATE).
    A transaction begun by begin_write() that has changed nothing yet is used as it is.
    """
    real = real_session(session)
    ready = session.info.pop(WRITE_READY, None)
    if not (ready is not None and ready is real.get_transaction()
            and not (real.new or real.dirty or real.deleted)):
        session.rollback()
        session.connection(execution_options={"sqlite_immediate": True})
    session.info[WRITING] = real.get_transaction()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


# --- statements prepared once: the sale's path on SQLite ------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A module-level statement compiled once for a dialect of positional parameters
    (SQLite's): its SQL, its parameters in order with their types' bind processors, the
    values of the binds that hold their own (an id written in the statement), and for a
    query its columns' names and result processors. Sent with exec_driver_sql, it costs
    the SQL and parameters SQLAlchemy would send, minus its per-call compiled-cache lookup
    and parameter and row building (some 10-20 µs a write, 50 µs the sale's context query:
    bench/bench_board.py); the engine's events still see each statement."""

    sql: str
    params: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    fixed: dict[str, Any]
    row: Callable[..., Any] | None  # a named tuple of the query's columns
    results: tuple[Callable[[Any], Any] | None, ...]
    _take: Callable[[Mapping[str, Any]], Any] = field(init=False, repr=False)
    _processes: list[Callable[[Any], Any] | None] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:  # (the parameters taken in C: a sale sends eight)
        names = [name for name, _process in self.params]
        object.__setattr__(self, "_take", itemgetter(*names) if len(names) > 1 else
                           (lambda given: (given[names[0]],)) if names else (lambda _g: ()))
        object.__setattr__(self, "_processes", [process for _n, process in self.params]
                           if any(process for _n, process in self.params) else None)

    def values(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.fixed:
            given = {**self.fixed, **given}
        taken = self._take(given)
        if self._processes is None:
            return taken
        return tuple(value if process is None else process(value)
                     for value, process in zip(taken, self._processes, strict=True))

    def rows(self, connection: Connection, given: Mapping[str, Any]) -> list[Any]:
        """The query's rows for `given`, each value as Core would return it."""
        if self.row is None:
            raise TypeError("not a query")
        found = connection.exec_driver_sql(self.sql, self.values(given)).cursor.fetchall()
        results, make = self.results, self.row
        if not any(results):
            return [make(*values) for values in found]
        return [make(*(value if process is None or value is None else process(value)
                       for value, process in zip(values, results, strict=True)))
                for values in found]


_PREPARED: dict[tuple[str, int], tuple[Any, Prepared]] = {}


def prepared(dialect: Dialect, statement: Any) -> Prepared:
    """`statement` compiled for `dialect`, once (keyed by the statement object, which must
    live as long as the process: a module-level constant)."""
    key = (dialect.name, id(statement))
    held = _PREPARED.get(key)
    if held is None or held[0] is not statement:
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup
        if names is None:
            raise ValueError(f"{dialect.name}: not a positional paramstyle")
        processors = compiled._bind_processors
        columns = compiled._result_columns
        row = namedtuple("Row", [column.keyname for column in columns]) if columns else None
        held = _PREPARED[key] = (statement, Prepared(
            compiled.string, tuple((name, processors.get(name)) for name in names),
            {name: compiled.binds[name].effective_value for name in names
             if not compiled.binds[name].required},
            row, tuple(column.type._cached_result_processor(dialect, None)
                       for column in columns)))
    return held[1]
