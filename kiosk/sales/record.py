"""Recording a sale at the stall, the path a queue waits on; and reading sales back.

A sale, its lines, payments, stock moves, number and journal entry are written in the
caller's one transaction (`write_transaction`), or none of it is. A retry with the same
`client_id` returns the sale already recorded instead of selling twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from kiosk.database import prepared, utcnow
from kiosk.errors import Conflict, InvalidInput, NotFound
from kiosk.ledger import journal, numbering, rows, write
from kiosk.ledger.rows import ENVELOPE_ENTRIES, LINES, MOVES, PAYMENTS, SALES, STATEMENTS
from kiosk.models import CashSession, CashSessionClosure, Product, Sale
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.models.stock import MoveReason
from kiosk.sales import rules
from kiosk.sales.rules import LineRequest, PaymentRequest
from kiosk.services import envelopes
from kiosk.vocabulary import LATE_SALE, PARIS, TABLET_CLOCK_SKEW

PRODUCTS = Product.__table__
CASH_SESSIONS = CashSession.__table__
CLOSURES = CashSessionClosure.__table__


@dataclass(frozen=True)
class RecordedLine:
    id: int
    sale_id: int
    product_id: int
    qty: int
    unit_price_cents: int
    line_total_cents: int
    catalogue_price_cents: int | None = None

    @property
    def price_changed(self) -> bool:
        return (self.catalogue_price_cents is not None
                and self.catalogue_price_cents != self.unit_price_cents)


@dataclass(frozen=True)
class RecordedPayment:
    id: int
    sale_id: int
    method: str
    amount_cents: int
    tendered_cents: int
    change_cents: int
    cheque_number: str


@dataclass(frozen=True)
class RecordedSale:
    """A sale as record_sale wrote it: the same attributes as the Sale model, read from
    what was written instead of loaded back (the sale path does no reload)."""

    id: int
    number: str
    year: int
    seq: int
    client_id: str
    request_hash: str
    kind: str
    cash_session_id: int | None
    location_id: int
    user_id: int
    refund_of_id: int | None
    reason: str
    total_cents: int
    change_cents: int
    created_at: datetime
    donation_cents: int = 0
    sold_at: datetime | None = None
    lines: tuple[RecordedLine, ...] = ()
    payments: tuple[RecordedPayment, ...] = ()


@dataclass(frozen=True)
class SaleResult:
    sale: Sale | RecordedSale
    created: bool  # False: the same client_id was already recorded
    skus: dict[int, str] = field(default_factory=dict)  # product id → SKU, when known


def request_fingerprint(cash_session_id: int, lines: Sequence[LineRequest],
                        payments: Sequence[PaymentRequest], donation_cents: int = 0) -> str:
    content: list = [cash_session_id,
                     [[line.sku, line.qty, line.unit_price_cents] for line in lines],
                     [[p.method, p.amount_cents] for p in payments]]
    if donation_cents:  # (absent without a gift: the fingerprints made before gifts hold)
        content.append(donation_cents)
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _drawer_cash(session_id) -> Select:
    """What the drawer holds: its float + the net of its cash payments (cash in − change
    given − cash refunds), the same figure the closing expects."""
    net_cash = (select(func.coalesce(func.sum(PAYMENTS.c.amount_cents), 0))
                .select_from(PAYMENTS.join(SALES, PAYMENTS.c.sale_id == SALES.c.id))
                .where(SALES.c.cash_session_id == session_id,
                       PAYMENTS.c.method == PaymentMethod.CASH).scalar_subquery())
    return (select(CASH_SESSIONS.c.float_cents + net_cash)
            .where(CASH_SESSIONS.c.id == session_id).scalar_subquery())


def _sale_context(dialect: str) -> Select:
    """All a sale must know once the head is locked, in ONE query (one round trip):
    a sale already recorded under this client_id, the session's place and whether it
    is closed, the year's last number, the ids the new rows will take, and the price of
    each product asked for: one row per product found (one row with no product if
    none is), the rest repeated on each (uncorrelated subqueries, evaluated once)."""
    by_client = SALES.c.client_id == bindparam("client_id")
    session_id = bindparam("cash_session_id", type_=Integer)
    one_row = select(literal(1).label("one")).subquery("one_row")
    return select(
        select(SALES.c.id).where(by_client).scalar_subquery().label("known_id"),
        select(SALES.c.request_hash).where(by_client).scalar_subquery().label("known_hash"),
        select(CASH_SESSIONS.c.location_id).where(CASH_SESSIONS.c.id == session_id)
        .scalar_subquery().label("location_id"),
        select(CASH_SESSIONS.c.opened_at).where(CASH_SESSIONS.c.id == session_id)
        .scalar_subquery().label("opened_at"),
        select(CLOSURES.c.closed_at).where(CLOSURES.c.cash_session_id == session_id)
        .scalar_subquery().label("closed_at"),
        numbering.LAST_SEQ.label("last_seq"),
        write.next_ids(dialect, SALES, "n_sales").label("sale_ids"),
        write.next_ids(dialect, LINES, "n_lines").label("line_ids"),
        write.next_ids(dialect, PAYMENTS, "n_payments").label("payment_ids"),
        write.next_ids(dialect, MOVES, "n_lines").label("move_ids"),
        PRODUCTS.c.id.label("product_id"), PRODUCTS.c.sku, PRODUCTS.c.price_cents,
        PRODUCTS.c.free_price, PRODUCTS.c.min_price_cents,
        _drawer_cash(session_id).label("drawer_cash"),
        # SQLite: the journal's head too (the lock is BEGIN IMMEDIATE's: one statement less);
        # PostgreSQL locks it FOR UPDATE before this query (journal.lock_head)
        *((journal.HEAD_SEQ.label("head_seq"), journal.HEAD_HASH.label("head_hash"))
          if dialect == "sqlite" else ()),
    ).select_from(one_row.outerjoin(PRODUCTS, PRODUCTS.c.sku.in_(_asked_skus(dialect))))


def _asked_skus(dialect: str):
    """The SKUs asked for: on SQLite one JSON array (json_each), so that the query's SQL
    never changes and is sent prepared (database.prepared); elsewhere an expanding IN."""
    if dialect == "sqlite":
        return select(func.json_each(bindparam("skus_json", type_=String))
                      .table_valued("value").c.value)
    return bindparam("skus", expanding=True)


# Built once per database: each statement caches its own compilation key.
SALE_CONTEXT = {dialect: _sale_context(dialect) for dialect in ("sqlite", "postgresql")}


def drawer_cash(session: Session, cash_session_id: int) -> int:
    """What the drawer holds now (see _drawer_cash)."""
    held = session.execute(select(_drawer_cash(bindparam("cash_session_id", type_=Integer))),
                           {"cash_session_id": cash_session_id}).scalar()
    return int(held or 0)


def record_sale(session: Session, *, client_id: str, cash_session_id: int,
                lines: Sequence[LineRequest], payments: Sequence[PaymentRequest],
                user_id: int, may_set_prices: bool = False,
                donation_cents: int = 0, sold_at: datetime | None = None) -> SaleResult:
    """Record a sale at the stall. Stock may go negative: a customer holding a bag is
    never refused; the level is flagged for a count instead. A price other than the
    catalogue's is refused unless `may_set_prices` (the treasurer's role): a seller cannot
    sell a 15 € bag for 0,01 €, but may sell a free-price item at or above its minimum.

    `donation_cents`: a gift on top of the price ("gardez la monnaie"); the payments cover
    total + gift. Without lines, it is a gift without purchase: a ticket of its own
    (a number in the year's sequence), total 0, which the Z report counts apart.

    `sold_at`: when the tablet made a sale that waited on it for the server (its outbox).
    It must not be in the future beyond TABLET_CLOCK_SKEW, nor before the drawer opened.
    Such a sale still goes into its drawer when that drawer was closed in the meantime,
    if it was made before the closing: a late sale (record_late_sale), never dropped.

    This is the path a queue waits on, measured in bench/: after the head lock, one
    query says all that is needed (SALE_CONTEXT), the rows are built by rows.py and go
    in through write.write_event (one statement in all on PostgreSQL). What is inserted
    is what the journal digests, nothing is reloaded.
    """
    client_id = str(uuid.UUID(str(client_id)))
    fingerprint = request_fingerprint(cash_session_id, lines, payments, donation_cents)
    rules.check_cart(lines, payments, donation_cents)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # the head comes with the context (SALE_CONTEXT), under BEGIN IMMEDIATE
        journal.require_write_transaction(session)
    else:
        head = journal.lock_head(session)
    connection = session.connection()
    now = utcnow()
    year = numbering.sale_year(now)
    asked = {"client_id": client_id, "cash_session_id": cash_session_id, "for_year": year,
             "n_sales": 1, "n_lines": len(lines), "n_payments": len(payments)}
    if sqlite:  # its SQL prepared once: the path a queue waits on (bench/)
        context = prepared(connection.dialect, SALE_CONTEXT["sqlite"]).rows(connection, {
            **asked, "skus_json": json.dumps([line.sku for line in lines])})
        head = journal.head_read(session, context[0].head_seq, context[0].head_hash)
    else:
        context = connection.execute(SALE_CONTEXT[connection.dialect.name], {
            **asked, "skus": [line.sku for line in lines]}).all()
    known_id, known_hash, location_id, opened_at, closed_at, last_seq, *ids = context[0][:10]
    if known_id is not None:  # checked under the lock: twin requests sell once
        if known_hash != fingerprint:
            raise Conflict("client_id_reused", "Cette vente a déjà été enregistrée avec un "
                           "autre contenu : recommencez le panier.")
        return SaleResult(get_sale(session, known_id), False)
    if location_id is None:
        raise NotFound("cash_session", "La caisse n° %(id)s n'existe pas.", id=cash_session_id)
    if sold_at is not None:
        rules.check_sold_at(sold_at, opened_at, now)
    late = closed_at is not None
    if late and (sold_at is None or sold_at > closed_at + TABLET_CLOCK_SKEW):
        raise Conflict("session_closed", "Cette caisse est fermée : ouvrez-en une nouvelle "
                       "pour vendre.")
    products = _product_prices(context, [line.sku for line in lines])
    priced = []  # (product id, quantity, unit price, catalogue price)
    for asked in lines:
        product_id, catalogue_price, minimum = products[asked.sku]
        rules.check_price(asked.sku, asked.unit_price_cents, catalogue_price, may_set_prices,
                          minimum)
        priced.append((product_id, asked.qty, catalogue_price if asked.unit_price_cents is None
                       else asked.unit_price_cents, catalogue_price))
    total = sum(qty * price for _pid, qty, price, _catalogue in priced)
    settled, change = rules.settle(total, payments, donation_cents)
    if change > 0 and sold_at is None:  # (a tablet's sale from its outbox gave it already)
        rules.check_change_held(change, int(context[0].drawer_cash or 0))

    sale_ids, line_ids, payment_ids, move_ids = (
        write.ids_from(value, count) for value, count in
        zip(ids, (1, len(priced), len(payments), len(priced)), strict=True))
    seq = last_seq + 1
    number = numbering.format_number(year, seq)
    sale_id = sale_ids[0]
    sale_row = rows.sale(id=sale_id, number=number, year=year, seq=seq, client_id=client_id,
                         request_hash=fingerprint, kind=SaleKind.SALE,
                         cash_session_id=cash_session_id, location_id=location_id,
                         user_id=user_id, total_cents=total, change_cents=change,
                         created_at=now, donation_cents=donation_cents, sold_at=sold_at)
    line_rows = [rows.line(id=line_id, sale_id=sale_id, product_id=product_id, qty=qty,
                           unit_price_cents=price, catalogue_price_cents=catalogue)
                 for line_id, (product_id, qty, price, catalogue)
                 in zip(line_ids, priced, strict=True)]
    # (a payment of nothing is not written: fewer settled payments than ids drawn)
    payment_rows = [rows.payment(id=payment_id, sale_id=sale_id, method=s.method,
                                 amount_cents=s.amount_cents, tendered_cents=s.tendered_cents,
                                 change_cents=s.change_cents)
                    for payment_id, s in zip(payment_ids, settled, strict=False)]
    move_rows = [rows.move(id=move_id, product_id=product_id, location_id=location_id,
                           qty=-qty, reason=MoveReason.SALE, sale_id=sale_id,
                           user_id=user_id, created_at=now)
                 for move_id, (product_id, qty, _price, _catalogue)
                 in zip(move_ids, priced, strict=True)]
    tables = [(SALES, [sale_row]), (LINES, line_rows), (PAYMENTS, payment_rows),
              (MOVES, move_rows)]
    event = "sale"
    if late:  # its drawer was closed while it waited: it reaches the envelopes now
        event = "late_sale"
        tables.append((ENVELOPE_ENTRIES, _late_entries(
            session, connection, sale_row, payment_rows, opened_at, user_id, now)))
    write.record_event(session, event, number, tables, user_id, now, head=head)
    return SaleResult(recorded(sale_row, line_rows, payment_rows), True,
                      {pid: sku for sku, (pid, _price, _min) in products.items()})


def _late_entries(session: Session, connection: Connection, sale_row: Mapping[str, Any],
                  payment_rows: Sequence[Mapping[str, Any]], opened_at: datetime,
                  user_id: int, now: datetime) -> list[dict[str, Any]]:
    """The envelope entries of a sale that reached its drawer after the closing, by the
    split of the drawer's day: its total, as the closing would have shared it; and, less,
    its cash, which lay in the drawer when it was counted and so already reached the
    envelopes as part of the cash difference."""
    day = opened_at.astimezone(PARIS).date()
    cash = sum(p["amount_cents"] for p in payment_rows if p["method"] == PaymentMethod.CASH)
    parts = [(envelopes.takings_shares(session, sale_row["total_cents"], day),
              f"Vente {sale_row['number']} arrivée après la clôture"),
             (envelopes.takings_shares(session, -cash, day),
              f"Espèces de la vente {sale_row['number']} déjà dans le compte")]
    count = sum(len(shares) for shares, _label in parts)
    ids = write.ids_from(connection.execute(
        select(write.next_ids(connection.dialect.name, ENVELOPE_ENTRIES, "n")),
        {"n": count}).scalar(), count)
    entries: list[dict[str, Any]] = []
    for shares, label in parts:
        taken, ids = ids[:len(shares)], ids[len(shares):]
        entries += rows.takings_entries(
            taken, shares, kind=LATE_SALE, label=label, on=day, created_by=user_id,
            created_at=now, cash_session_id=sale_row["cash_session_id"],
            sale_id=sale_row["id"])
    return entries


def recorded(sale_row: Mapping[str, Any], line_rows: Sequence[Mapping[str, Any]],
             payment_rows: Sequence[Mapping[str, Any]]) -> RecordedSale:
    """The sale as its rows were written (answers are built from them, not reloaded)."""
    return RecordedSale(**sale_row, lines=tuple(RecordedLine(**row) for row in line_rows),
                        payments=tuple(RecordedPayment(**row) for row in payment_rows))


def _product_prices(context: Sequence[Any], skus: Sequence[str]
                    ) -> dict[str, tuple[int, int, int | None]]:
    """SKU → (product id, catalogue price, minimum if free-price) from the sale's context
    rows; unknown → 400."""
    found = {row.sku: (row.product_id, row.price_cents,
                       row.min_price_cents if row.free_price else None)
             for row in context if row.product_id is not None}
    missing = [sku for sku in skus if sku not in found]
    if missing:
        raise InvalidInput("unknown_product", "Article inconnu : %(sku)s. Vérifiez l'étiquette "
                           "ou choisissez l'article à l'écran.", sku=missing[0])
    return found


def get_sale(session: Session, sale_id: int) -> Sale:
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise NotFound("sale", "La vente n° %(id)s n'existe pas.", id=sale_id)
    return sale


def refunded_by(session: Session, sale_id: int) -> list[Sale]:
    return list(session.scalars(select(Sale).where(Sale.refund_of_id == sale_id)
                                .order_by(Sale.id)))


def last_own_sale(session: Session, cash_session_id: int, user_id: int) -> Sale | None:
    """The last sale this volunteer recorded in this session: the only one she may void."""
    return session.scalar(
        select(Sale).where(Sale.cash_session_id == cash_session_id,
                           Sale.user_id == user_id, Sale.kind == SaleKind.SALE)
        .order_by(Sale.seq.desc(), Sale.id.desc()).limit(1))




# --- numbers and ids for the other money events (voids, refunds, statements) --------------

def _event_ids(dialect: str) -> Select:
    """The year's last number and the ids of every table a money event may write, in one
    query (tables an event does not write are asked for no id)."""
    return select(
        numbering.LAST_SEQ.label("last_seq"),
        *(write.next_ids(dialect, table, f"n_{table.name}").label(table.name)
          for table in EVENT_TABLES))


EVENT_TABLES = (SALES, LINES, PAYMENTS, STATEMENTS, MOVES, ENVELOPE_ENTRIES)
EVENT_IDS = {dialect: _event_ids(dialect) for dialect in ("sqlite", "postgresql")}


@dataclass(frozen=True)
class NewSale:
    """A new sale's number and the ids its rows will take, per table name."""

    year: int
    seq: int
    number: str
    ids: dict[str, list[int]]


def new_sale(connection: Connection, now: datetime, counts: Mapping[Table, int]) -> NewSale:
    """The next number for the year of `now` and `counts[table]` ids per table, in one
    query. Call it after journal.lock_head(), in the transaction that writes the rows."""
    year = numbering.sale_year(now)
    params: dict[str, Any] = {f"n_{table.name}": counts.get(table, 0) for table in EVENT_TABLES}
    params["for_year"] = year
    found = connection.execute(EVENT_IDS[connection.dialect.name], params).one()
    seq = found.last_seq + 1
    ids = {table.name: write.ids_from(found[index + 1], counts.get(table, 0))
           for index, table in enumerate(EVENT_TABLES)}
    return NewSale(year, seq, numbering.format_number(year, seq), ids)
