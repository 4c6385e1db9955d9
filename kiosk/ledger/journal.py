"""The hash-chained journal: append an event's rows, and verify the whole chain.

Each entry stores, for every row the event wrote, the SHA-256 of that row's canonical
content, and chains to the previous entry's hash. verify() recomputes both, so a row
changed, deleted or inserted behind the app's back, or an entry tampered with, is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Connection, bindparam, event, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from kiosk.database import in_write_transaction, real_session, utcnow
from kiosk.errors import N_, Conflict
from kiosk.extensions import db
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    ConsignmentStatement,
    CreditNote,
    DailyTotal,
    Decision,
    DecisionSpend,
    Delivery,
    DeliveryLine,
    DonationRule,
    EnvelopeEntry,
    EnvelopeSpendAccount,
    GiftReceipt,
    Invoice,
    InvoiceLine,
    JournalEntry,
    JournalHead,
    Meeting,
    Order,
    OrderLine,
    OrderMade,
    OrderPayment,
    Payment,
    Sale,
    SaleLine,
    SplitRule,
    SplitRulePart,
    StockLevel,
    StockMove,
)
from kiosk.models.journal import GENESIS_HASH
from kiosk.models.reports import MADE
from kiosk.models.sales import is_gift_only
from kiosk.text import is_digits
from kiosk.vocabulary import PARIS

# Every table whose rows must never change behind the app's back.
JOURNALED_MODELS: tuple[type[db.Model], ...] = (
    Sale,
    SaleLine,
    Payment,
    StockMove,
    CashSession,
    CashCountLine,
    CashSessionClosure,
    Cheque,
    EnvelopeEntry,
    SplitRule,
    SplitRulePart,
    ConsignmentStatement,
    EnvelopeSpendAccount,  # issue 16: the accounts of a spending, journaled with it
    DonationRule,  # issue 17: where the gifts go, a decision like a split rule
    GiftReceipt,  # issue 17: a numbered reçu de don
    # Issue 19: a partner's order, what was made and delivered for it, its invoices,
    # credit notes and payments (kiosk/sales/partner_orders.py)
    Order,
    OrderLine,
    OrderMade,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    CreditNote,
    OrderPayment,
    # Issue 30: the group's meetings, their decisions, the spends citing them
    Meeting,
    Decision,
    DecisionSpend,
)
JOURNALED_TABLES = {model.__tablename__: model for model in JOURNALED_MODELS}


class RowChanged(Conflict):
    """A journaled row holds what the app never writes (SQLite stores any value in any
    column: a BLOB in an amount): the page or answer that reads it says so, never a 500."""

    def __init__(self, table: str, row_id: Any) -> None:
        super().__init__("row_changed", N_(
            "La ligne %(table)s n° %(id)s a été modifiée hors de l'application : elle ne "
            "peut pas être lue. Lancez « verify-journal » et prévenez la coordinatrice."),
            table=table, id=row_id)


def _column_types(model: type[db.Model]) -> list[tuple[str, str, type, bool]]:
    """(attribute, column, Python type, nullable) of each column of a model."""
    mapper = inspect(model)
    return [(mapper.get_property_by_column(col).key, col.name, _python_type(col.type),
             bool(col.nullable)) for col in mapper.local_table.columns]


def _python_type(column_type: Any) -> type:
    try:
        return column_type.python_type
    except NotImplementedError:  # a TypeDecorator (UTCDateTime): its underlying type's
        impl = getattr(column_type, "impl_instance", None)
        return impl.python_type if impl is not None else object


def _guard_loads(model: type[db.Model]) -> None:
    """Every ORM load of a journaled row checks each value is of its column's type."""
    columns = _column_types(model)
    table = model.__tablename__

    def check(target: Any, *_args: Any) -> None:
        values = target.__dict__
        for attr, _name, python_type, nullable in columns:
            if attr not in values:
                continue  # deferred or expired: checked when it is loaded
            value = values[attr]
            if value is None and nullable:
                continue
            if not isinstance(value, python_type) or (python_type is int
                                                      and isinstance(value, bool)):
                raise RowChanged(table, values.get("id", "?"))

    event.listen(model, "load", check)
    event.listen(model, "refresh", check)


for _model in JOURNALED_MODELS:
    _guard_loads(_model)


def _storage_class(python_type: type) -> str | None:
    """What SQLite holds for a column the app writes (None: not checked)."""
    if python_type in (int, bool):
        return "integer"
    if python_type in (str, datetime, date):
        return "text"
    return None


def untyped_row(session: Session) -> tuple[str, Any] | None:
    """SQLite only: the first journaled row holding a value of another storage class than
    its column's (a BLOB in an amount, text in a count), or None. Read on the error path
    only: it scans every journaled table."""
    if session.get_bind().dialect.name != "sqlite":
        return None  # PostgreSQL's typed columns refuse such values when written
    parts = []
    for table_name, model in JOURNALED_TABLES.items():
        checks = []
        for _attr, column, python_type, _nullable in _column_types(model):
            storage = _storage_class(python_type)
            if storage is not None and column != "id":
                checks.append(f"typeof(\"{column}\") NOT IN ('{storage}', 'null')")
        if checks:
            parts.append(f"SELECT * FROM (SELECT '{table_name}' AS t, id FROM \"{table_name}\" "
                         f"WHERE {' OR '.join(checks)} LIMIT 1)")
    found = session.execute(text(" UNION ALL ".join(parts) + " LIMIT 1")).first()
    return (found[0], found[1]) if found else None


def init_app(app: Any) -> None:
    """A page or answer that trips on a value written behind the app's back (a report
    summing a BLOB) says which row, as a 409, instead of a 500; any other error stays one."""

    def _unreadable(exc: Exception):
        try:
            db.session.rollback()
            found = untyped_row(db.session)
        except Exception:  # the check itself must not hide the first error
            found = None
        if found is None:
            raise exc
        # answered by the ServiceError handler, as a page or JSON like any refusal
        return app.handle_user_exception(RowChanged(*found))

    for error in (*READ_ERRORS, AttributeError):
        app.register_error_handler(error, _unreadable)


def _canonical_value(value: Any) -> Any:
    """Dates and times as ISO 8601 text; every other column value is JSON already."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be journaled")


# One encoder, built once (json.dumps with options builds a new one at every call).
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=_canonical_value).encode


# Columns added to a journaled table after rows were first journaled, with the value every
# earlier row takes. A row holding that value is digested without the column, so the digests
# of the rows written before it existed stay true; any other value is digested with it (a
# change either way is seen). Append here when a migration adds a column to a journaled table.
LATER_COLUMNS: dict[str, dict[str, Any]] = {
    # issue 17: a gift on top of the price; issue 14: the tablet's time of a sale that
    # waited on it
    "sales": {"donation_cents": 0, "sold_at": None},
    "sale_lines": {"catalogue_price_cents": None},  # s15a00000001
    "invoices": {"purchase_order": ""},  # issue 28: the partner's purchase-order number
}


def row_digest(table: str, values: dict[str, Any]) -> str:
    later = LATER_COLUMNS.get(table)
    if later:
        values = {name: value for name, value in values.items()
                  if name not in later or value != later[name]}
    return hashlib.sha256(_dumps([table, values]).encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, created_at: datetime, event: str, ref: str,
               user_id: int | None, rows_json: str) -> str:
    material = _dumps([prev_hash, seq, created_at.isoformat(), event, ref, user_id, rows_json])
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class ChainEnd:
    """The chain's last entry as this transaction holds it (locked)."""

    seq: int
    hash: str

    def advance(self, entry: dict[str, Any]) -> None:
        """`entry` is written and the head row moved to it: follow."""
        self.seq, self.hash = entry["seq"], entry["hash"]


HEAD = JournalHead.__table__
ENTRIES = JournalEntry.__table__
# Built once: a statement object caches its own compilation key (the sale path runs these).
LOCK_HEAD = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1).with_for_update()
INSERT_ENTRY = insert(ENTRIES)
# The very first journaled write creates the head; two doing it at once must not clash
# (PostgreSQL makes the second wait for the first, then do nothing). Same text on both.
CREATE_HEAD = text("INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, :genesis) "
                   "ON CONFLICT (id) DO NOTHING").bindparams(genesis=GENESIS_HASH)
MOVE_HEAD = update(HEAD).where(HEAD.c.id == 1).values(seq=bindparam("new_seq"),
                                                     hash=bindparam("new_hash"))


class NotInWriteTransaction(RuntimeError):
    """lock_head called outside database.write_transaction: a bug, never a user's error.
    Opening a transaction quietly instead would lock nothing on SQLite (a plain BEGIN
    takes no write lock), and two writers could take the same numbers."""


def lock_head(session: Session) -> ChainEnd:
    """Lock the chain's end for this transaction (FOR UPDATE; SQLite is already locked by
    BEGIN IMMEDIATE). Every journaled write calls this first, so they run one at a time.
    Outside a write transaction (database.write_transaction or begin_write) it refuses:
    NotInWriteTransaction.

    Read and written with Core, not as an ORM object: the sale path pays for every
    statement (bench/), and the head is cached per transaction in session.info."""
    require_write_transaction(session)
    connection = session.connection()
    transaction = real_session(session).get_transaction()
    held = session.info.get("journal_head")
    if held is not None and held[0] is transaction:
        return held[1]  # already locked in this transaction
    row = connection.execute(LOCK_HEAD).first()
    if row is None:
        connection.execute(CREATE_HEAD)
        row = connection.execute(LOCK_HEAD).one()
    head = ChainEnd(row.seq, row.hash)
    session.info["journal_head"] = (transaction, head)
    return head


def require_write_transaction(session: Session) -> None:
    """NotInWriteTransaction unless the session is in write_transaction or begin_write's."""
    if not in_write_transaction(session):
        raise NotInWriteTransaction(
            "the journal's head taken outside a write transaction: wrap the event in "
            "kiosk.database.write_transaction(session)")


# The head as a query's columns: SQLite's sale reads it in its one context query
# (kiosk/sales/record.py), where BEGIN IMMEDIATE already holds the lock FOR UPDATE takes.
HEAD_SEQ = select(HEAD.c.seq).where(HEAD.c.id == 1).scalar_subquery()
HEAD_HASH = select(HEAD.c.hash).where(HEAD.c.id == 1).scalar_subquery()


def head_read(session: Session, seq: int | None, hash_: str | None) -> ChainEnd:
    """lock_head for SQLite's sale, which read the head (HEAD_SEQ, HEAD_HASH) in its own
    query after require_write_transaction: the write lock is BEGIN IMMEDIATE's, so reading
    the row is all lock_head would do. No head yet (the very first journaled write), or
    one already held by this transaction: as lock_head."""
    transaction = real_session(session).get_transaction()
    held = session.info.get("journal_head")
    if seq is None or hash_ is None or (held is not None and held[0] is transaction):
        return lock_head(session)
    require_write_transaction(session)
    head = ChainEnd(seq, hash_)
    session.info["journal_head"] = (transaction, head)
    return head


def digest_rows(table: str, rows: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """Digests of rows written with Core: each dict holds every column, id included."""
    return [[table, values["id"], row_digest(table, values)] for values in rows]


def write_entry(connection: Connection, head: ChainEnd, entry: dict[str, Any]) -> None:
    """Insert `entry` (made by next_entry from the locked `head`) and move the head to it."""
    connection.execute(INSERT_ENTRY, entry)
    connection.execute(MOVE_HEAD, {"new_seq": entry["seq"], "new_hash": entry["hash"]})
    head.advance(entry)


def next_entry(head: ChainEnd, event: str, ref: str, digests: list[list[Any]],
               user_id: int | None, created_at: datetime) -> dict[str, Any]:
    """The entry that follows `head` (its values, not yet written)."""
    seq = head.seq + 1
    rows_json = _dumps(digests)
    digest = entry_hash(head.hash, seq, created_at, event, ref, user_id, rows_json)
    return {"seq": seq, "created_at": created_at, "event": event, "ref": ref,
            "user_id": user_id, "rows": rows_json, "prev_hash": head.hash, "hash": digest,
            "seal": seal(digest)}


def seal(digest: str, key: str | None = None) -> str:
    """The entry's seal: HMAC-SHA256 of its hash with the journal key (instance/journal_key,
    KIOSK_JOURNAL_KEY), which the database does not hold. Whoever rewrites rows and
    recomputes the chain cannot make seals that match without that key."""
    key = key if key is not None else current_app.config["JOURNAL_KEY"]
    return hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()


SEALS_BEGIN = "seals_begin"


def seal_the_entries_before(connection: Connection) -> dict[str, Any] | None:
    """Record, sealed, where the seals begin: a journal whose last entry has no seal (an
    installation written before seals existed, at its upgrade) gets an entry that names
    it (`ref`: its number) and carries a seal. Its hash chains every entry before it, so
    its seal vouches for them all: verify() accepts an unsealed entry only when such a
    sealed entry follows it. Whoever strips every seal (and backdates every entry)
    without the key cannot make the sealed entry that would vouch for what they wrote.
    Runs once, from the migration i24a00000001; does nothing on an empty journal or one
    that already ends sealed. Returns the entry written, if any."""
    last = connection.execute(select(ENTRIES.c.seq, ENTRIES.c.hash, ENTRIES.c.seal)
                              .order_by(ENTRIES.c.seq.desc()).limit(1)).first()
    if last is None or last.seal is not None:
        return None
    head = ChainEnd(last.seq, last.hash)
    entry = next_entry(head, SEALS_BEGIN, str(last.seq), [], None, utcnow())
    write_entry(connection, head, entry)
    return entry


def head(session: Session) -> tuple[int, str]:
    row = session.execute(select(JournalHead.seq, JournalHead.hash)
                          .where(JournalHead.id == 1)).one_or_none()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


@dataclass
class Verdict:
    ok: bool = True
    entries: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)
    sealed: int = 0  # entries whose seal matches the journal key
    unsealed: int = 0  # entries from before the kiosk sealed them (the first ones only)
    # unsealed entries read so far that a later sealed entry has yet to vouch for
    waiting: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.ok = False
        if len(self.problems) < 1000:  # enough to act on; the count says the rest
            self.problems.append(text)


def verify(session: Session, expect_head: tuple[int, str] | None = None,
           progress: Callable[[str, int], None] | None = None,
           mapping: Callable[[], MutableMapping] = dict) -> Verdict:
    """Re-check the whole chain, every entry's seal, every guarded row, the hashes the
    closings printed, and the cached stock levels. `expect_head` (LENGTH, HASH), read off a
    printed Z report or slip: the chain must still hold that entry with that hash.
    `progress(stage, count)` hears of the work every PROGRESS_EVERY entries and rows
    (stage "entries", then "rows"; journal_checks shows it). `mapping` makes the two maps
    that grow with the history (every guarded row's digest, every entry's hash): a dict, or
    a disk_map.DiskMap to keep the memory flat."""
    verdict = Verdict()
    expected: MutableMapping[tuple[str, int], tuple[str, int]] = mapping()
    prev_hash, prev_seq = GENESIS_HASH, 0
    key = current_app.config["JOURNAL_KEY"]
    sealed_since = current_app.config.get("JOURNAL_SEALED_SINCE")
    hashes: MutableMapping[str, int] = mapping()
    stmt = select(JournalEntry).order_by(JournalEntry.seq)
    for entry in _readable(session, JournalEntry.seq, stmt, verdict, "journal_entries"):
        verdict.entries += 1
        if progress is not None and verdict.entries % PROGRESS_EVERY == 0:
            progress("entries", verdict.entries)
        label = f"entrée n° {entry.seq} ({entry.event} {entry.ref})"
        if entry.seq != prev_seq + 1:
            verdict.problem(f"{label} : il manque les entrées {prev_seq + 1} à {entry.seq - 1}")
        if entry.prev_hash != prev_hash:
            verdict.problem(f"{label} : ne suit pas l'entrée précédente (chaîne rompue)")
        try:
            recomputed = entry_hash(entry.prev_hash, entry.seq, entry.created_at, entry.event,
                                    entry.ref, entry.user_id, entry.rows)
            rows = _parse_rows(entry.rows)
        except (TypeError, ValueError, AttributeError, RecursionError):
            # (RecursionError: JSON nested thousands deep, written behind the app's back)
            verdict.problem(f"{label} : contenu illisible")
            recomputed, rows = None, []
        if recomputed is not None and recomputed != entry.hash:
            verdict.problem(f"{label} : l'entrée elle-même a été modifiée")
        _check_seal(verdict, entry, label, key, sealed_since)
        hashes[entry.hash] = entry.seq
        for table, row_id, digest in rows:
            expected[(table, row_id)] = (digest, entry.seq)
        prev_hash, prev_seq = entry.hash, entry.seq
    verdict.head_hash = prev_hash
    for label in verdict.waiting:  # no sealed entry after them: nothing vouches for them
        verdict.problem(f"{label} : sans sceau, et aucune entrée scellée après elle (écrite "
                        "ou réécrite hors de l'application)")
    _check_paper(session, verdict, hashes, expect_head)

    if head(session) != (prev_seq, prev_hash):
        verdict.problem("la tête de chaîne ne correspond pas à la dernière entrée")

    rows_seen = 0
    for table_name, model in JOURNALED_TABLES.items():
        table = model.__table__
        stmt = select(table).order_by(table.c.id)
        for row in _readable(session, table.c.id, stmt, verdict, table_name, mappings=True):
            rows_seen += 1
            if progress is not None and rows_seen % PROGRESS_EVERY == 0:
                progress("rows", rows_seen)
            key = (table_name, row["id"])
            known = expected.pop(key, None)
            if known is None:
                verdict.problem(
                    f"{table_name} n° {row['id']} : ligne ajoutée hors de l'application")
            elif _stored_digest(table_name, dict(row)) != known[0]:
                verdict.problem(
                    f"{table_name} n° {row['id']} : modifiée depuis l'entrée n° {known[1]}")
    for (table_name, row_id), (_digest, seq) in sorted(expected.items(), key=lambda i: i[1][1]):
        verdict.problem(f"{table_name} n° {row_id} : supprimée (entrée n° {seq})")

    _verify_stock_levels(session, verdict)
    _verify_daily_totals(session, verdict)
    return verdict


def _check_seal(verdict: Verdict, entry: JournalEntry, label: str, key: str,
                sealed_since: datetime | None) -> None:
    """An entry's seal. Without one, an entry passes only as part of the journal written
    before the seals began: before the first sealed entry, older than the key, and
    followed by a sealed entry (the upgrade writes one, seal_the_entries_before), whose
    seal vouches for the whole chain up to it. Its own date cannot decide it alone: whoever
    strips the seals can backdate the entries too, but cannot seal the entry after them."""
    if entry.seal is None:
        old = (not verdict.sealed
               and (sealed_since is None or (isinstance(entry.created_at, datetime)
                                             and entry.created_at < sealed_since)))
        if old:
            verdict.waiting.append(label)
        else:
            verdict.problem(f"{label} : sans sceau (écrite ou réécrite hors de "
                            "l'application)")
        return
    if not isinstance(entry.hash, str) or not hmac.compare_digest(
            str(entry.seal), seal(entry.hash, key)):
        verdict.problem(f"{label} : sceau faux (journal réécrit hors de l'application, "
                        "ou clé du journal d'une autre installation)")
        return
    verdict.sealed += 1
    verdict.unsealed += len(verdict.waiting)  # vouched for by this seal (their chain holds)
    verdict.waiting.clear()


def _check_paper(session: Session, verdict: Verdict, hashes: MutableMapping[str, int],
                 expect_head: tuple[int, str] | None) -> None:
    """What was printed must still be in the chain: each closing's "journal before the
    closing" hash, and the head a treasurer typed from a paper."""
    for cash_session_id, printed in session.execute(
            select(CashSessionClosure.cash_session_id, CashSessionClosure.journal_hash)
            .order_by(CashSessionClosure.id)):
        if printed and printed != GENESIS_HASH and printed not in hashes:
            verdict.problem(f"clôture de la caisse n° {cash_session_id} : l'empreinte "
                            "imprimée sur son rapport Z n'est plus dans le journal")
    if expect_head is not None:
        length, digest = expect_head
        if hashes.get(digest) != length:
            verdict.problem(f"la tête imprimée {length}:{digest[:16]}… n'est plus dans le "
                            "journal (entrées supprimées ou journal réécrit)")


def parse_head(text: str) -> tuple[int, str]:
    """"123:ab12…" as printed (spaces and line breaks allowed) → (123, "ab12…")."""
    length, _, digest = "".join(text.split()).partition(":")
    digest = digest.lower()
    if not is_digits(length) or len(digest) != 64 or any(
            c not in "0123456789abcdef" for c in digest):
        raise ValueError("ENTRÉES:EMPREINTE, par exemple 123:4f6c… (64 caractères)")
    return int(length), digest


def _stored_digest(table: str, values: dict[str, Any]) -> str | None:
    """The digest of a row as stored. A value no column of the app can hold (bytes written
    into SQLite's untyped storage behind the app's back) has no digest: the row is changed."""
    try:
        return row_digest(table, values)
    except TypeError:
        return None


def _parse_rows(rows_json: str) -> list[tuple[str, int, str]]:
    rows = json.loads(rows_json)
    if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
            and isinstance(r[1], int) and isinstance(r[2], str) for r in rows):
        raise ValueError("rows")
    return [tuple(r) for r in rows]


READ_ERRORS = (ValueError, TypeError, OverflowError)
CHUNK = 5000
PROGRESS_EVERY = 1000


def _readable(session: Session, key, stmt, verdict: Verdict, what: str,
              mappings: bool = False) -> Iterator:
    """Stream `stmt` in chunks of `key`; a value written behind the app's back that its
    type cannot even parse is named as a problem instead of crashing the verification.

    Chunk after chunk by the keys that exist (`key > last … LIMIT`), never by counting up
    to the largest key: a row given an id of 2^63 - 1 behind the app's back costs one
    chunk like any other, and no bound is ever computed past what the column holds."""
    last = None
    while True:
        ids = select(key).order_by(key).limit(CHUNK)
        if last is not None:
            ids = ids.where(key > last)
        chunk_ids = list(session.execute(ids).scalars())
        if not chunk_ids:
            return
        first, last = chunk_ids[0], chunk_ids[-1]
        chunk = stmt.where(key >= first, key <= last)
        try:
            result = session.execute(chunk)
            rows = (result.mappings() if mappings else result.scalars()).all()
        except READ_ERRORS:
            session.rollback()
            rows = []
            for row_id in chunk_ids:
                try:
                    result = session.execute(stmt.where(key == row_id))
                    rows.append((result.mappings() if mappings else result.scalars()).one())
                except READ_ERRORS:
                    session.rollback()
                    verdict.problem(f"{what} n° {row_id} : valeur illisible "
                                    "(modifiée hors de l'application)")
        yield from rows
        if not mappings:
            session.expunge_all()
        if len(chunk_ids) < CHUNK:
            return


def _verify_stock_levels(session: Session, verdict: Verdict) -> None:
    ledger = dict(
        ((product_id, location_id), total)
        for product_id, location_id, total in session.execute(
            select(StockMove.product_id, StockMove.location_id, func.sum(StockMove.qty))
            .group_by(StockMove.product_id, StockMove.location_id)
        )
    )
    for level in session.scalars(select(StockLevel)):
        total = ledger.pop((level.product_id, level.location_id), 0)
        if total != level.qty:
            verdict.problem(
                f"stock du produit n° {level.product_id} au lieu n° {level.location_id} : "
                f"{level.qty} en cache, {total} d'après les mouvements")
    for (product_id, location_id), total in ledger.items():
        if total != 0:
            verdict.problem(
                f"stock du produit n° {product_id} au lieu n° {location_id} : "
                f"aucun niveau en cache, {total} d'après les mouvements")


def ledger_totals(session: Session) -> dict[tuple, list[int]]:
    """The day's totals (DailyTotal) recomputed from the sales, their lines and the
    production moves, as write.write_events keeps them: [count, qty, cents, gifts] per
    (day, kind, place, drawer, product, banner lot). Read a slice of sales at a time."""
    totals: dict[tuple, list[int]] = {}

    def add(key: tuple, count: int, qty: int, cents: int, gift: int = 0) -> None:
        values = totals.setdefault(key, [0, 0, 0, 0])
        values[0] += count
        values[1] += qty
        values[2] += cents
        values[3] += gift

    sales, lines = Sale.__table__, SaleLine.__table__
    gift = sales.c.get("donation_cents")  # the sales' gifts, once that column exists
    days: dict[datetime, date] = {}
    last = None
    while True:  # by the ids that exist, never counting up to the largest (see _readable)
        ids = select(sales.c.id).order_by(sales.c.id).limit(CHUNK)
        chunk_ids = list(session.execute(
            ids if last is None else ids.where(sales.c.id > last)).scalars())
        if not chunk_ids:
            break
        first, last = chunk_ids[0], chunk_ids[-1]
        of_sale: dict[int, tuple] = {}
        gifts_alone: dict[int, tuple] = {}  # gift-only unless a line shows up
        for row in session.execute(
                select(sales.c.id, sales.c.created_at, sales.c.kind, sales.c.location_id,
                       sales.c.cash_session_id, sales.c.total_cents,
                       gift if gift is not None else sales.c.id.label("no_gift"))
                .where(sales.c.id >= first, sales.c.id <= last)):
            sale_id, created_at, kind, location_id, drawer, total, given = row
            hour = created_at.replace(minute=0, second=0, microsecond=0)
            day = days.get(hour)
            if day is None:  # a Paris day starts on a whole UTC hour
                day = days[hour] = created_at.astimezone(PARIS).date()
            of_sale[sale_id] = (day, kind, location_id, drawer or 0)
            given = given if gift is not None else 0
            add((*of_sale[sale_id], 0, 0), 1, 0, total, given)
            if is_gift_only(kind, total, given, False):
                gifts_alone[sale_id] = of_sale[sale_id]
        for sale_id, product_id, qty, cents in session.execute(
                select(lines.c.sale_id, lines.c.product_id, lines.c.qty,
                       lines.c.line_total_cents)
                .where(lines.c.sale_id >= first, lines.c.sale_id <= last)):
            where = of_sale.get(sale_id)
            if where is None:  # a line whose sale is gone: the rows check names it
                continue
            add((*where, 0, 0), 0, qty, 0)
            add((*where, product_id, 0), 1, qty, cents)
            gifts_alone.pop(sale_id, None)
        for where in gifts_alone.values():  # a gift is not a sale (rows.totals)
            add((*where, 0, 0), -1, 0, 0)
        if len(chunk_ids) < CHUNK:
            break
    for created_at, location_id, product_id, lot, qty in session.execute(
            select(StockMove.created_at, StockMove.location_id, StockMove.product_id,
                   StockMove.banner_lot_id, StockMove.qty)
            .where(StockMove.reason == "production")):
        add((created_at.astimezone(PARIS).date(), MADE, location_id, 0, product_id, lot or 0),
            1, qty, 0)
    return totals


def _verify_daily_totals(session: Session, verdict: Verdict) -> None:
    """The reports read DailyTotal: it must agree with the rows it sums."""
    try:
        ledger = ledger_totals(session)
    except READ_ERRORS:
        session.rollback()
        verdict.problem("totaux des bilans : ventes illisibles, pas de comparaison possible")
        return
    table = DailyTotal.__table__
    names = ("count", "qty", "cents", "donation_cents")
    for row in session.execute(select(table)).mappings():
        key = (row["day"], row["kind"], row["location_id"], row["cash_session_id"],
               row["product_id"], row["banner_lot_id"])
        kept = [row[name] for name in names]
        recomputed = ledger.pop(key, [0, 0, 0, 0])
        if kept != recomputed:
            verdict.problem(
                f"totaux des bilans du {key[0]:%d/%m/%Y} ({key[1]}, lieu n° {key[2]}, "
                f"caisse n° {key[3]}, produit n° {key[4]}) : {kept} gardés, {recomputed} "
                "d'après les ventes")
    for key, recomputed in ledger.items():
        if any(recomputed):
            verdict.problem(
                f"totaux des bilans du {key[0]:%d/%m/%Y} ({key[1]}, lieu n° {key[2]}, "
                f"caisse n° {key[3]}, produit n° {key[4]}) : aucun total gardé, "
                f"{recomputed} d'après les ventes")
