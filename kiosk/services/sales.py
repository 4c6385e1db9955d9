"""Recording sales, and undoing them with voids and refunds (new negative sales).

A sale, its lines, payments, stock moves, number and journal entry are written in the
caller's one transaction (`write_transaction`), or none of it is. A retry with the same
`client_id` returns the sale already recorded instead of selling twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, Row, Select, bindparam, func, literal, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.models import (
    CashSession,
    CashSessionClosure,
    Payment,
    Product,
    Sale,
    SaleLine,
    StockMove,
)
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.models.stock import MoveReason
from kiosk.services import batch, journal, numbering
from kiosk.services.cash import get_cash_session, open_session_for
from kiosk.services.errors import Conflict, InvalidInput, NotFound
from kiosk.services.money import format_money
from kiosk.services.numbering import next_sale_number
from kiosk.services.stock import MoveSpec, build_moves, level_deltas

MAX_LINES = 100
MAX_PRICE_CENTS = 1_000_000
POS_METHODS = (PaymentMethod.CASH, PaymentMethod.CHEQUE, PaymentMethod.CARD)


@dataclass(frozen=True)
class LineRequest:
    sku: str
    qty: int
    unit_price_cents: int | None = None


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount_cents: int  # cash: what the customer handed over


@dataclass(frozen=True)
class RecordedLine:
    id: int
    sale_id: int
    product_id: int
    qty: int
    unit_price_cents: int
    line_total_cents: int


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
    lines: tuple[RecordedLine, ...] = ()
    payments: tuple[RecordedPayment, ...] = ()


@dataclass(frozen=True)
class SaleResult:
    sale: Sale | RecordedSale
    created: bool  # False: the same client_id was already recorded
    skus: dict[int, str] = field(default_factory=dict)  # product id → SKU, when known


def request_fingerprint(cash_session_id: int, lines: Sequence[LineRequest],
                        payments: Sequence[PaymentRequest]) -> str:
    content = [cash_session_id,
               [[line.sku, line.qty, line.unit_price_cents] for line in lines],
               [[p.method, p.amount_cents] for p in payments]]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


SALES = Sale.__table__
LINES = SaleLine.__table__
PAYMENTS = Payment.__table__
MOVES = StockMove.__table__
PRODUCTS = Product.__table__
CASH_SESSIONS = CashSession.__table__
CLOSURES = CashSessionClosure.__table__


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
        select(CLOSURES.c.id).where(CLOSURES.c.cash_session_id == session_id)
        .scalar_subquery().label("closure_id"),
        numbering.LAST_SEQ.label("last_seq"),
        batch.next_ids(dialect, SALES, "n_sales").label("sale_ids"),
        batch.next_ids(dialect, LINES, "n_lines").label("line_ids"),
        batch.next_ids(dialect, PAYMENTS, "n_payments").label("payment_ids"),
        batch.next_ids(dialect, MOVES, "n_lines").label("move_ids"),
        PRODUCTS.c.id.label("product_id"), PRODUCTS.c.sku, PRODUCTS.c.price_cents,
    ).select_from(one_row.outerjoin(
        PRODUCTS, PRODUCTS.c.sku.in_(bindparam("skus", expanding=True))))


# Built once per database: each statement caches its own compilation key.
SALE_CONTEXT = {dialect: _sale_context(dialect) for dialect in ("sqlite", "postgresql")}


def record_sale(session: Session, *, client_id: str, cash_session_id: int,
                lines: Sequence[LineRequest], payments: Sequence[PaymentRequest],
                user_id: int) -> SaleResult:
    """Record a sale at the stall. Stock may go negative: a customer holding a bag is
    never refused; the level is flagged for a count instead.

    This is the path a queue waits on, measured in bench/: after the head lock, one
    query says all that is needed (SALE_CONTEXT) and the rows go in through
    batch.write_event (one statement in all on PostgreSQL). Every row is a dict holding
    all its columns: what is inserted is what the journal digests, nothing is reloaded.
    """
    client_id = str(uuid.UUID(str(client_id)))
    fingerprint = request_fingerprint(cash_session_id, lines, payments)
    _check_shape(lines, payments)
    head = journal.lock_head(session)
    connection = session.connection()
    now = utcnow()
    year = numbering.sale_year(now)
    rows = connection.execute(SALE_CONTEXT[connection.dialect.name], {
        "client_id": client_id, "cash_session_id": cash_session_id, "for_year": year,
        "n_sales": 1, "n_lines": len(lines), "n_payments": len(payments),
        "skus": [line.sku for line in lines]}).all()
    known_id, known_hash, location_id, closure_id, last_seq, *ids = rows[0][:9]
    if known_id is not None:  # checked under the lock: twin requests sell once
        if known_hash != fingerprint:
            raise Conflict("client_id_reused", "Cette vente a déjà été enregistrée avec un "
                           "autre contenu : recommencez le panier.")
        return SaleResult(get_sale(session, known_id), False)
    if location_id is None:
        raise NotFound("cash_session", "La caisse n° %(id)s n'existe pas.", id=cash_session_id)
    if closure_id is not None:
        raise Conflict("session_closed", "Cette caisse est fermée : ouvrez-en une nouvelle "
                       "pour vendre.")
    products = _product_prices(rows, [line.sku for line in lines])

    line_rows = []
    for line in lines:
        product_id, catalogue_price = products[line.sku]
        price = catalogue_price if line.unit_price_cents is None else line.unit_price_cents
        line_rows.append({"product_id": product_id, "qty": line.qty,
                          "unit_price_cents": price, "line_total_cents": line.qty * price})
    total = sum(row["line_total_cents"] for row in line_rows)
    payment_rows, change = _settle(total, payments)

    sale_ids, line_ids, payment_ids, move_ids = (
        batch.ids_from(value, count) for value, count in
        zip(ids, (1, len(line_rows), len(payments), len(line_rows)), strict=True))
    seq = last_seq + 1
    number = numbering.format_number(year, seq)
    sale_id = sale_ids[0]
    sale_row = {"id": sale_id, "number": number, "year": year, "seq": seq,
                "client_id": client_id, "request_hash": fingerprint,
                "kind": SaleKind.SALE.value, "cash_session_id": cash_session_id,
                "location_id": location_id, "user_id": user_id, "refund_of_id": None,
                "reason": "", "total_cents": total, "change_cents": change, "created_at": now}
    for row, row_id in zip(line_rows, line_ids, strict=True):
        row.update(id=row_id, sale_id=sale_id)
    for row, row_id in zip(payment_rows, payment_ids, strict=False):
        row.update(id=row_id, sale_id=sale_id)  # (a payment of nothing is not written)
    move_rows = [{"id": move_id, "product_id": row["product_id"], "location_id": location_id,
                  "qty": -row["qty"], "reason": MoveReason.SALE.value, "banner_lot_id": None,
                  "sale_id": sale_id, "group_ref": None, "note": "", "user_id": user_id,
                  "created_at": now} for row, move_id in zip(line_rows, move_ids, strict=True)]
    digests = [*journal.digest_rows("sales", [sale_row]),
               *journal.digest_rows("sale_lines", line_rows),
               *journal.digest_rows("payments", payment_rows),
               *journal.digest_rows("stock_moves", move_rows)]
    entry = journal.next_entry(head, "sale", number, digests, user_id, now)
    batch.write_event(connection, head, [(SALES, [sale_row]), (LINES, line_rows),
                                         (PAYMENTS, payment_rows), (MOVES, move_rows)],
                      level_deltas((row["product_id"], row["location_id"], row["qty"])
                                   for row in move_rows), entry)
    sale = RecordedSale(**sale_row, lines=tuple(RecordedLine(**row) for row in line_rows),
                        payments=tuple(RecordedPayment(**row) for row in payment_rows))
    return SaleResult(sale, True, {pid: sku for sku, (pid, _price) in products.items()})


def _check_shape(lines: Sequence[LineRequest], payments: Sequence[PaymentRequest]) -> None:
    if not lines:
        raise InvalidInput("empty_cart", "Le panier est vide : touchez un article d'abord.")
    if len(lines) > MAX_LINES:
        raise InvalidInput("too_many_lines", "%(n)s lignes au plus par vente.", n=MAX_LINES)
    for line in lines:
        if not 1 <= line.qty <= 999:
            raise InvalidInput("qty", "La quantité va de 1 à 999.")
        if line.unit_price_cents is not None and not 0 <= line.unit_price_cents <= (
                MAX_PRICE_CENTS):
            raise InvalidInput("price", "Le prix va de 0 à 10 000 €.")
    for payment in payments:
        if payment.method not in POS_METHODS:
            raise InvalidInput("method", "Le paiement se fait en espèces, chèque ou carte.")
        if not 1 <= payment.amount_cents <= 100_000_000:
            raise InvalidInput("amount", "Chaque paiement doit être un montant positif.")


def _open_session(session: Session, cash_session_id: int) -> CashSession:
    cash_session = get_cash_session(session, cash_session_id)
    if not cash_session.is_open:
        raise Conflict("session_closed", "Cette caisse est fermée : ouvrez-en une nouvelle "
                       "pour vendre.")
    return cash_session


def _product_prices(rows: Sequence[Row], skus: Sequence[str]) -> dict[str, tuple[int, int]]:
    """SKU → (product id, catalogue price) from the sale's context rows; unknown → 400."""
    found = {row.sku: (row.product_id, row.price_cents) for row in rows
             if row.product_id is not None}
    missing = [sku for sku in skus if sku not in found]
    if missing:
        raise InvalidInput("unknown_product", "Article inconnu : %(sku)s. Vérifiez l'étiquette "
                           "ou choisissez l'article à l'écran.", sku=missing[0])
    return found


def _settle(total: int, payments: Sequence[PaymentRequest]) -> tuple[list[dict], int]:
    """Payments for `total`: non-cash pays at most the total, cash gets the change back."""
    paid = sum(p.amount_cents for p in payments)
    not_cash = sum(p.amount_cents for p in payments if p.method != PaymentMethod.CASH)
    if paid < total:
        raise InvalidInput("short_payment", "Il manque %(amount)s : ajoutez un paiement.",
                           amount=format_money(total - paid))
    if not_cash > total:
        raise InvalidInput("overpaid", "Un chèque ou une carte ne peut pas dépasser le total : "
                           "la monnaie ne se rend qu'en espèces.")
    change = paid - total
    rows: list[dict] = []
    change_left = change
    for payment in reversed(payments):  # the change comes out of the last cash handed over
        if payment.method == PaymentMethod.CASH:
            given_back = min(change_left, payment.amount_cents)
            change_left -= given_back
        else:
            given_back = 0
        rows.append({"method": payment.method,
                     "amount_cents": payment.amount_cents - given_back,
                     "tendered_cents": payment.amount_cents, "change_cents": given_back,
                     "cheque_number": ""})
    rows.reverse()
    return [row for row in rows if row["amount_cents"] or row["tendered_cents"]], change


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


def void_sale(session: Session, sale_id: int, reason: str, user_id: int) -> SaleResult:
    """A seller cancels her own last sale in the open session: one tap and a reason.

    Tapping twice voids it once: the second tap returns the void already made.
    """
    reason = _reason(reason)
    journal.lock_head(session)
    sale = get_sale(session, sale_id)
    earlier = session.scalar(select(Sale).where(Sale.refund_of_id == sale.id,
                                                Sale.kind == SaleKind.VOID))
    if earlier is not None:
        return SaleResult(earlier, False)
    if sale.kind != SaleKind.SALE or sale.cash_session_id is None:
        raise Conflict("not_voidable", "Seule une vente peut être annulée.")
    _open_session(session, sale.cash_session_id)
    last = last_own_sale(session, sale.cash_session_id, user_id)
    if last is None or last.id != sale.id:
        raise Conflict("not_last_sale", "On ne peut annuler que sa propre dernière vente. "
                       "Pour une autre, demandez à la trésorière un remboursement.")
    if refunded_by(session, sale.id):
        raise Conflict("already_refunded", "Cette vente a déjà été remboursée.")
    lines = [(line.product_id, line.qty, line.unit_price_cents) for line in sale.lines]
    return SaleResult(_negative_sale(session, sale, SaleKind.VOID, lines, reason, user_id,
                                     sale.cash_session_id), True)


def refund_sale(session: Session, sale_id: int, reason: str,
                lines: Sequence[tuple[str, int]] | None, user_id: int) -> SaleResult:
    """A treasurer gives money back for a whole sale or some of its lines.

    The refund goes into the original session if it is still open, else into the open
    session at the same place, else it stands outside any drawer (the treasurer pays it).
    """
    reason = _reason(reason)
    journal.lock_head(session)
    sale = get_sale(session, sale_id)
    if sale.kind not in (SaleKind.SALE, SaleKind.CONSIGNMENT):
        raise Conflict("not_refundable", "Un remboursement ou une annulation ne se "
                       "rembourse pas.")
    remaining = _remaining(session, sale)
    products = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_([line.product_id for line in sale.lines])))}
    by_sku = {products[pid].sku: pid for pid in remaining}
    wanted: list[tuple[int, int, int]] = []
    if lines is None:
        wanted = [(pid, qty, price) for pid, (qty, price) in remaining.items() if qty > 0]
        if not wanted:
            raise Conflict("nothing_left", "Cette vente a déjà été entièrement remboursée.")
    else:
        if not lines:
            raise InvalidInput("no_lines", "Choisissez au moins un article à rembourser.")
        asked: dict[int, int] = {}
        for sku, qty in lines:
            if sku not in by_sku:
                raise InvalidInput("not_in_sale", "L'article %(sku)s n'est pas dans cette "
                                   "vente.", sku=sku)
            if not 1 <= qty <= 999:
                raise InvalidInput("qty", "La quantité va de 1 à 999.")
            asked[by_sku[sku]] = asked.get(by_sku[sku], 0) + qty
        for pid, qty in asked.items():
            left, price = remaining[pid]
            if qty > left:
                raise Conflict("too_many", "On ne peut rembourser que %(n)s « %(name)s » "
                               "de plus.", n=left, name=products[pid].name)
            wanted.append((pid, qty, price))
    target = None
    if sale.cash_session_id is not None:
        original = get_cash_session(session, sale.cash_session_id)
        target = original if original.is_open else None
    if target is None:
        location = sale.location_id
        from kiosk.models import Location

        code = session.scalar(select(Location.code).where(Location.id == location))
        target = open_session_for(session, code) if code else None
    return SaleResult(_negative_sale(session, sale, SaleKind.REFUND, wanted, reason, user_id,
                                     target.id if target else None), True)


def _remaining(session: Session, sale: Sale) -> dict[int, tuple[int, int]]:
    """Per product of `sale`: (quantity not yet refunded, unit price)."""
    remaining: dict[int, tuple[int, int]] = {}
    for line in sale.lines:
        qty, _price = remaining.get(line.product_id, (0, line.unit_price_cents))
        remaining[line.product_id] = (qty + line.qty, line.unit_price_cents)
    back = session.execute(
        select(SaleLine.product_id, func.sum(SaleLine.qty)).join(Sale)
        .where(Sale.refund_of_id == sale.id).group_by(SaleLine.product_id))
    for product_id, qty in back:
        left, price = remaining[product_id]
        remaining[product_id] = (left + int(qty), price)  # refunded quantities are negative
    return remaining


def _negative_sale(session: Session, sale: Sale, kind: SaleKind,
                   lines: Sequence[tuple[int, int, int]], reason: str, user_id: int,
                   cash_session_id: int | None) -> Sale:
    rows = [SaleLine(product_id=pid, qty=-qty, unit_price_cents=price,
                     line_total_cents=-qty * price) for pid, qty, price in lines]
    total = sum(row.line_total_cents for row in rows)
    method = max(sale.payments, key=lambda p: p.amount_cents).method if sale.payments else (
        PaymentMethod.CASH)
    now = utcnow()
    year, seq, number = next_sale_number(session, now)
    refund = Sale(number=number, year=year, seq=seq, client_id=str(uuid.uuid4()),
                  request_hash="", kind=kind, cash_session_id=cash_session_id,
                  location_id=sale.location_id, user_id=user_id, refund_of_id=sale.id,
                  reason=reason, total_cents=total, change_cents=0, created_at=now)
    session.add(refund)
    session.flush()
    for row in rows:
        row.sale_id = refund.id
    payment = Payment(sale_id=refund.id, method=method, amount_cents=total,
                      tendered_cents=total, change_cents=0)
    session.add_all([*rows, payment])
    moves = build_moves(session, [
        MoveSpec(row.product_id, sale.location_id, -row.qty, MoveReason.REFUND,
                 sale_id=refund.id) for row in rows], user_id)
    journal.append(session, kind.value, number, [refund, *rows, payment, *moves], user_id)
    return refund


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500 or any(ord(ch) < 32 for ch in reason):
        raise InvalidInput("reason", "Dites en quelques mots pourquoi (500 caractères au plus).")
    return reason
