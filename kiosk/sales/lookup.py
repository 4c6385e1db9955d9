"""Finding sales again: a drawer's sales as its page lists them, and a sale by its number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import InvalidInput, NotFound
from kiosk.ledger import numbering
from kiosk.models import Payment, Sale
from kiosk.models.sales import gift_only

# "2026-000123", "2026-123" or "123" (this year); spaces around are forgiven.
NUMBER = re.compile(r"^\s*(?:([0-9]{4})\s*[-/ ]\s*)?([0-9]{1,6})\s*$")  # ASCII digits


@dataclass(frozen=True)
class ListedSale:
    id: int
    number: str
    kind: str
    created_at: datetime
    total_cents: int
    methods: tuple[str, ...]
    undone_by: tuple[tuple[str, int, str], ...]  # (kind, id, number) of its voids and refunds
    refund_of: tuple[int, str] | None  # (id, number) of the sale a void or refund undoes
    gift: bool = False  # a gift-only ticket or its void: a gift, not a sale
    donation_cents: int = 0


def session_sales(session: Session, cash_session_id: int) -> list[ListedSale]:
    """Every sale, void and refund of the drawer in number order, with its payment
    methods and what undid it, a gift-only ticket marked a gift: four queries whatever
    the day's size."""
    sales = session.scalars(select(Sale).where(Sale.cash_session_id == cash_session_id)
                            .order_by(Sale.year, Sale.seq)).all()
    ids = [sale.id for sale in sales]
    methods: dict[int, list[str]] = {}
    for sale_id, method in session.execute(select(Payment.sale_id, Payment.method).where(
            Payment.sale_id.in_(ids)).order_by(Payment.id)):
        if method not in methods.setdefault(sale_id, []):
            methods[sale_id].append(method)
    undone: dict[int, list[tuple[str, int, str]]] = {}
    for of_id, kind, undo_id, number in session.execute(
            select(Sale.refund_of_id, Sale.kind, Sale.id, Sale.number)
            .where(Sale.refund_of_id.in_(ids)).order_by(Sale.id)):
        undone.setdefault(of_id, []).append((kind, undo_id, number))
    gifts = set(session.scalars(select(Sale.id).where(
        Sale.cash_session_id == cash_session_id, gift_only())))
    originals = dict(session.execute(select(Sale.id, Sale.number).where(
        Sale.id.in_({s.refund_of_id for s in sales if s.refund_of_id}))).all())
    return [ListedSale(s.id, s.number, s.kind, s.created_at, s.total_cents,
                       tuple(methods.get(s.id, ())), tuple(undone.get(s.id, ())),
                       (s.refund_of_id, originals[s.refund_of_id]) if s.refund_of_id else None,
                       s.id in gifts, s.donation_cents)
            for s in sales]


def find_by_number(session: Session, text: str) -> Sale:
    """The sale of that ticket number: "2026-000123", "2026-123", or "123" for this year."""
    found = NUMBER.match(text or "")
    if not found:
        raise InvalidInput("number", "Tapez le numéro du ticket, par exemple 2026-000123 "
                           "(ou seulement 123 pour cette année).")
    year = int(found.group(1)) if found.group(1) else numbering.sale_year(utcnow())
    number = numbering.format_number(year, int(found.group(2)))
    sale = session.scalar(select(Sale).where(Sale.year == year,
                                             Sale.seq == int(found.group(2))))
    if sale is None:
        raise NotFound("sale_number", "Aucun ticket n'a le numéro %(number)s. Vérifiez le "
                       "numéro imprimé sur le ticket.", number=number)
    return sale


__all__ = ["ListedSale", "find_by_number", "session_sales"]
