"""Consignment statements: what a shop holding our stock reports it sold, what it paid
and the commission it kept, recorded as a sale of that location's stock."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.models import ConsignmentStatement, Payment, Sale, SaleLine
from kiosk.models.catalogue import LocationKind
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.models.stock import MoveReason
from kiosk.services import journal
from kiosk.services.envelopes import post_takings
from kiosk.services.errors import InvalidInput
from kiosk.services.numbering import next_sale_number
from kiosk.services.stock import MoveSpec, build_moves, check_qty, find_location, find_product
from kiosk.services.text import _

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class StatementLine:
    sku: str
    qty: int
    unit_price_cents: int | None = None  # None: the catalogue price


def commission_for(total_cents: int, commission_bp: int) -> int:
    """The shop's share, rounded half up to the cent (10 % of 12,35 € is 1,24 €)."""
    return (total_cents * commission_bp + 5000) // 10000


def record_statement(session: Session, location_code: str, period_label: str,
                     lines: Sequence[StatementLine], user_id: int, *,
                     commission_cents: int | None = None,
                     paid_cents: int | None = None) -> tuple[Sale, ConsignmentStatement]:
    """One statement = one numbered sale (kind "consignment") with its lines, the stock
    leaving the shop, a transfer payment of what the shop paid, the statement row with
    the commission, and the envelopes' share of what was paid: one journal entry."""
    period_label = (period_label or "").strip()
    if not period_label or len(period_label) > 120:
        raise InvalidInput("period", _("Dites quelle période ce relevé couvre, par exemple "
                                       "« mai 2026 »."))
    if not lines:
        raise InvalidInput("lines", _("Ajoutez au moins un produit vendu par la boutique."))
    journal.lock_head(session)
    location = find_location(session, location_code)
    if location.kind != LocationKind.CONSIGNMENT:
        raise InvalidInput("location", _("%(name)s n'est pas un dépôt-vente.",
                                         name=location.name))
    rows: list[SaleLine] = []
    for line in lines:
        product = find_product(session, line.sku)
        qty = check_qty(line.qty)
        price = product.price_cents if line.unit_price_cents is None else line.unit_price_cents
        if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price <= 1_000_000:
            raise InvalidInput("unit_price_cents", _("Le prix doit être entre 0 et 10 000 €."))
        rows.append(SaleLine(product_id=product.id, qty=qty, unit_price_cents=price,
                             line_total_cents=qty * price))
    total = sum(row.line_total_cents for row in rows)
    if commission_cents is None:
        commission_cents = commission_for(total, location.commission_bp)
    if not 0 <= commission_cents <= total:
        raise InvalidInput("commission", _("La commission doit être entre 0 et le total "
                                           "des ventes."))
    expected_paid = total - commission_cents
    if paid_cents is not None and paid_cents != expected_paid:
        raise InvalidInput("paid", _(
            "Les montants ne tombent pas juste : ventes %(total)s moins commission "
            "%(commission)s font %(expected)s, pas %(paid)s. Vérifiez le relevé.",
            total=_euros(total), commission=_euros(commission_cents),
            expected=_euros(expected_paid), paid=_euros(paid_cents)))

    now = utcnow()
    year, seq, number = next_sale_number(session, now)
    fingerprint = hashlib.sha256(json.dumps(
        [location.code, period_label, [[r.product_id, r.qty, r.unit_price_cents] for r in rows],
         commission_cents], separators=(",", ":")).encode()).hexdigest()
    sale = Sale(number=number, year=year, seq=seq, client_id=str(uuid.uuid4()),
                request_hash=fingerprint, kind=SaleKind.CONSIGNMENT, cash_session_id=None,
                location_id=location.id, user_id=user_id, total_cents=total, change_cents=0,
                reason=period_label, created_at=now)
    session.add(sale)
    session.flush()
    for row in rows:
        row.sale_id = sale.id
    payment = Payment(sale_id=sale.id, method=PaymentMethod.TRANSFER,
                      amount_cents=expected_paid, tendered_cents=expected_paid, change_cents=0)
    statement = ConsignmentStatement(location_id=location.id, sale_id=sale.id,
                                     period_label=period_label,
                                     commission_cents=commission_cents,
                                     paid_cents=expected_paid, user_id=user_id, created_at=now)
    session.add_all([*rows, payment, statement])
    moves = build_moves(session, [
        MoveSpec(row.product_id, location.id, -row.qty, MoveReason.SALE, sale_id=sale.id)
        for row in rows], user_id)
    journaled: list = [sale, *rows, payment, statement, *moves]
    post_takings(session, expected_paid, now.astimezone(PARIS).date(),
                 f"{location.name} : {period_label}", kind="consignment", sale_id=sale.id,
                 user_id=user_id, journal_rows=journaled)
    journal.append(session, "consignment", number, journaled, user_id)
    return sale, statement


def _euros(cents: int) -> str:
    from kiosk.services.money import format_money_for_paper

    return format_money_for_paper(cents)
