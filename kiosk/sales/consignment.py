"""Consignment statements: what a shop holding our stock reports it sold, what it paid
and the commission it kept, recorded as a sale of that location's stock, and what it
paid shared between the envelopes, all in one write (rows.py, write.write_event)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput
from kiosk.ledger import journal, rows, write
from kiosk.ledger.money import format_money_for_paper
from kiosk.ledger.rows import ENVELOPE_ENTRIES, LINES, MOVES, PAYMENTS, SALES, STATEMENTS
from kiosk.models.catalogue import Location, LocationKind, Product
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.models.stock import MoveReason
from kiosk.sales import rules
from kiosk.sales.record import RecordedSale, new_sale, recorded
from kiosk.services import envelopes, stock
from kiosk.text import _
from kiosk.vocabulary import NAME_MAX, PARIS


@dataclass(frozen=True)
class StatementLine:
    sku: str
    qty: int
    unit_price_cents: int | None = None  # None: the catalogue price


@dataclass(frozen=True)
class RecordedStatement:
    """The statement row as written."""

    id: int
    location_id: int
    sale_id: int
    period_label: str
    commission_cents: int
    paid_cents: int
    user_id: int
    created_at: datetime


def default_percent(location: Location) -> str:
    """The commission the form proposes for this shop, as a percent ("10", "12,5")."""
    return rules.percent_text(location.commission_bp)


def _check_deposit(session: Session, location: Location,
                   priced: Sequence[tuple[int, int, int]]) -> None:
    sold: dict[int, int] = {}
    for product_id, qty, _price in priced:
        sold[product_id] = sold.get(product_id, 0) + qty
    for product_id, qty in sold.items():
        held = stock.level(session, product_id, location.id)
        if qty > held:
            product = session.get(Product, product_id)
            raise Conflict("beyond_deposit", _(
                "%(place)s n'a que %(held)s « %(name)s » en dépôt, pas %(qty)s : vérifiez "
                "le relevé, ou confirmez si la boutique en a vraiment vendu autant.",
                place=location.name, held=max(held, 0), name=product.name, qty=qty))


def record_statement(session: Session, location_code: str, period_label: str,
                     lines: Sequence[StatementLine], user_id: int, *,
                     commission_cents: int | None = None, commission_bp: int | None = None,
                     paid_cents: int | None = None, confirm: bool = False
                     ) -> tuple[RecordedSale, RecordedStatement]:
    """One statement = one numbered sale (kind "consignment") with its lines, the stock
    leaving the shop, a transfer payment of what the shop paid, the statement row with
    the commission, and the envelopes' share of what was paid: one journal entry.

    The commission is `commission_cents`, else `commission_bp` (basis points, as a
    volunteer types a percent: rules.parse_percent) of the total, else the shop's own.

    More pieces of a product than the shop holds on deposit is refused (409, naming the
    deposit) unless `confirm`: 50 aprons typed for the 4 left at the museum is a slip."""
    period_label = (period_label or "").strip()
    if not period_label or len(period_label) > NAME_MAX:
        raise InvalidInput("period", _("Dites quelle période ce relevé couvre, par exemple "
                                       "« mai 2026 »."))
    if not lines:
        raise InvalidInput("lines", _("Ajoutez au moins un produit vendu par la boutique."))
    head = journal.lock_head(session)
    location = stock.find_location(session, location_code)
    if location.kind != LocationKind.CONSIGNMENT:
        raise InvalidInput("location", _("%(name)s n'est pas un dépôt-vente.",
                                         name=location.name))
    priced: list[tuple[int, int, int]] = []  # (product id, quantity, unit price)
    catalogue: dict[int, int] = {}  # product id → the catalogue's price now
    for line in lines:
        product = stock.find_product(session, line.sku)
        qty = stock.check_qty(line.qty)
        price = rules.check_statement_price(
            product.price_cents if line.unit_price_cents is None else line.unit_price_cents)
        priced.append((product.id, qty, price))
        catalogue[product.id] = product.price_cents
    if not confirm:
        _check_deposit(session, location, priced)
    total = sum(qty * price for _pid, qty, price in priced)
    if commission_cents is None:
        commission_cents = rules.commission_for(
            total, location.commission_bp if commission_bp is None else commission_bp)
    if not 0 <= commission_cents <= total:
        raise InvalidInput("commission", _("La commission doit être entre 0 et le total "
                                           "des ventes."))
    paid = total - commission_cents
    if paid_cents is not None and paid_cents != paid:
        raise InvalidInput("paid", _(
            "Les montants ne tombent pas juste : ventes %(total)s moins commission "
            "%(commission)s font %(expected)s, pas %(paid)s. Vérifiez le relevé.",
            total=format_money_for_paper(total),
            commission=format_money_for_paper(commission_cents),
            expected=format_money_for_paper(paid), paid=format_money_for_paper(paid_cents)))

    now = utcnow()
    on = now.astimezone(PARIS).date()
    shares = envelopes.takings_shares(session, paid, on)
    connection = session.connection()
    new = new_sale(connection, now, {SALES: 1, LINES: len(priced), PAYMENTS: 1,
                                     STATEMENTS: 1, MOVES: len(priced),
                                     ENVELOPE_ENTRIES: len(shares)})
    [sale_id] = new.ids[SALES.name]
    fingerprint = hashlib.sha256(json.dumps(
        [location.code, period_label, [list(p) for p in priced], commission_cents],
        separators=(",", ":")).encode()).hexdigest()
    sale_row = rows.sale(id=sale_id, number=new.number, year=new.year, seq=new.seq,
                         client_id=str(uuid.uuid4()), request_hash=fingerprint,
                         kind=SaleKind.CONSIGNMENT, cash_session_id=None,
                         location_id=location.id, user_id=user_id, total_cents=total,
                         reason=period_label, created_at=now)
    line_rows = [rows.line(id=line_id, sale_id=sale_id, product_id=pid, qty=qty,
                           unit_price_cents=price, catalogue_price_cents=catalogue[pid])
                 for line_id, (pid, qty, price) in zip(new.ids[LINES.name], priced, strict=True)]
    [payment_id] = new.ids[PAYMENTS.name]
    payment_rows = [rows.payment(id=payment_id, sale_id=sale_id, method=PaymentMethod.TRANSFER,
                                 amount_cents=paid)]
    [statement_id] = new.ids[STATEMENTS.name]
    statement_row = rows.statement(id=statement_id, location_id=location.id, sale_id=sale_id,
                                   period_label=period_label, commission_cents=commission_cents,
                                   paid_cents=paid, user_id=user_id, created_at=now)
    move_rows = [rows.move(id=move_id, product_id=pid, location_id=location.id, qty=-qty,
                           reason=MoveReason.SALE, sale_id=sale_id, user_id=user_id,
                           created_at=now)
                 for move_id, (pid, qty, _price) in zip(new.ids[MOVES.name], priced, strict=True)]
    entry_rows = rows.takings_entries(
        new.ids[ENVELOPE_ENTRIES.name], shares, kind="consignment",
        label=f"{location.name} : {period_label}", on=on, created_by=user_id, created_at=now,
        sale_id=sale_id)
    tables = [(SALES, [sale_row]), (LINES, line_rows), (PAYMENTS, payment_rows),
              (STATEMENTS, [statement_row]), (MOVES, move_rows), (ENVELOPE_ENTRIES, entry_rows)]
    write.record_event(session, "consignment", new.number, tables, user_id, now, head=head)
    return recorded(sale_row, line_rows, payment_rows), RecordedStatement(**statement_row)
