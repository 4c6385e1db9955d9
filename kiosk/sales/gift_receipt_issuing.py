"""Issuing gift receipts (reçus de don): for the gift part of a sale only, never for the
price of an item, and only if the admin said the association may issue them. Their paper
is kiosk/documents/gift_receipts.py.

Numbered `DON-YYYY-NNNN` in their own sequence per year (Paris time), without gap or
repeat: the next number is read under the journal head lock, the unique (year, seq)
index refuses a repeat, and a rolled-back receipt takes its number back with it. One
receipt per sale: asking again gives the same one (its reprint says DUPLICATA).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, ServiceError
from kiosk.ledger import journal, money, numbering, rows, write
from kiosk.models import GiftReceipt, Sale
from kiosk.models.sales import SaleKind
from kiosk.sales import rules
from kiosk.sales.record import get_sale


@dataclass(frozen=True)
class GiftReceiptResult:
    receipt: GiftReceipt
    created: bool  # False: the sale had its receipt already


def format_gift_number(year: int, seq: int) -> str:
    return f"DON-{year}-{seq:04d}"


def gift_method(sale: Sale) -> str:
    """How the gift was paid: the method most of it came in."""
    parts = money.donation_by_method(
        [(p.method, p.amount_cents) for p in sale.payments], sale.donation_cents)
    return max(parts.items(), key=lambda part: part[1])[0] if parts else "cash"


def issue_gift_receipt(session: Session, sale_id: int, donor_name: str, donor_address: str,
                       user_id: int, *, enabled: bool) -> GiftReceiptResult:
    """The gift receipt of `sale_id`'s gift, in the caller's transaction, journaled."""
    if not enabled:
        raise ServiceError("gift_receipts_off", "L'association ne délivre pas de reçus de "
                           "don : l'administratrice peut l'activer si elle en a le droit.",
                           status=403)
    head = journal.lock_head(session)  # numbers are taken one writer at a time
    sale = get_sale(session, sale_id)
    known = session.scalar(select(GiftReceipt).where(GiftReceipt.sale_id == sale.id))
    if known is not None:
        return GiftReceiptResult(known, False)
    name, address = rules.check_donor(donor_name, donor_address)
    if sale.kind != SaleKind.SALE or sale.donation_cents <= 0:
        raise Conflict("no_gift", "Cette vente ne porte pas de don : un reçu de don ne "
                       "se fait que pour un don, jamais pour le prix d'un article.")
    voided = session.scalar(select(func.count()).select_from(Sale).where(
        Sale.refund_of_id == sale.id, Sale.kind == SaleKind.VOID))
    if voided:
        raise Conflict("voided", "Cette vente a été annulée, son don aussi.")
    now = utcnow()
    year = numbering.sale_year(now)
    last = session.scalar(select(func.coalesce(func.max(GiftReceipt.seq), 0))
                          .where(GiftReceipt.year == year))
    seq = int(last) + 1
    [receipt_id] = write.take_ids(session, {rows.GIFT_RECEIPTS: 1})[rows.GIFT_RECEIPTS.name]
    number = format_gift_number(year, seq)
    receipt = rows.gift_receipt(id=receipt_id, number=number, year=year, seq=seq,
                                sale_id=sale.id, amount_cents=sale.donation_cents,
                                method=gift_method(sale), donor_name=name,
                                donor_address=address, created_by=user_id, created_at=now)
    write.record_event(session, "gift_receipt", number, [(rows.GIFT_RECEIPTS, [receipt])],
                       user_id, now, head=head)
    return GiftReceiptResult(session.get(GiftReceipt, receipt_id), True)


def gift_receipt_of(session: Session, sale_id: int) -> GiftReceipt | None:
    return session.scalar(select(GiftReceipt).where(GiftReceipt.sale_id == sale_id))
