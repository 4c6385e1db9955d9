"""Undoing a sale: a void (the seller's own last sale) or a refund (the treasurer, whole or
some lines), each a new negative sale of its own, written like a sale: rows from rows.py,
one write.write_event, one journal entry ("void" or "refund")."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput
from kiosk.ledger import journal, rows, write
from kiosk.ledger.rows import LINES, MOVES, PAYMENTS, SALES
from kiosk.models import CashSession, Location, Product, Sale, SaleLine
from kiosk.models.sales import SaleKind
from kiosk.models.stock import MoveReason
from kiosk.sales import rules
from kiosk.sales.record import SaleResult, get_sale, last_own_sale, new_sale, recorded, refunded_by
from kiosk.services import cash


def void_sale(session: Session, sale_id: int, reason: str, user_id: int) -> SaleResult:
    """A seller cancels her own last sale in the open session: one tap and a reason.

    Tapping twice voids it once: the second tap returns the void already made.
    """
    reason = rules.check_reason(reason)
    journal.lock_head(session)
    sale = get_sale(session, sale_id)
    earlier = session.scalar(select(Sale).where(Sale.refund_of_id == sale.id,
                                                Sale.kind == SaleKind.VOID))
    if earlier is not None:
        return SaleResult(earlier, False)
    refusal = void_refusal(session, sale, user_id)
    if refusal is not None:
        raise refusal
    lines = [(line.product_id, line.qty, line.unit_price_cents) for line in sale.lines]
    return SaleResult(_negative_sale(session, sale, SaleKind.VOID, lines, reason, user_id,
                                     sale.cash_session_id,
                                     donation_cents=-sale.donation_cents), True)


def void_refusal(session: Session, sale: Sale, user_id: int) -> Conflict | None:
    """Why this volunteer may not void this sale now, or None when she may: the rule of
    void_sale and of the sale screen's "Annuler la dernière vente" button alike.

    Only a sale (not a refund, a void or a statement), in a drawer still open, her own
    last one there, and not refunded yet.
    """
    if sale.kind != SaleKind.SALE or sale.cash_session_id is None:
        return Conflict("not_voidable", "Seule une vente peut être annulée.")
    if not cash.get_cash_session(session, sale.cash_session_id).is_open:
        return Conflict("session_closed", "Cette caisse est fermée : ouvrez-en une nouvelle "
                        "pour vendre.")
    last = last_own_sale(session, sale.cash_session_id, user_id)
    if last is None or last.id != sale.id:
        return Conflict("not_last_sale", "On ne peut annuler que sa propre dernière vente. "
                        "Pour une autre, demandez à la trésorière un remboursement.")
    if refunded_by(session, sale.id):
        return Conflict("already_refunded", "Cette vente a déjà été remboursée.")
    return None


def voidable_sale(session: Session, cash_session_id: int, user_id: int) -> Sale | None:
    """The sale this volunteer may void in this drawer now (void_refusal says none
    against it), or None: what the sale screen offers to undo."""
    last = last_own_sale(session, cash_session_id, user_id)
    return last if last is not None and void_refusal(session, last, user_id) is None else None


def refund_sale(session: Session, sale_id: int, reason: str,
                lines: Sequence[tuple[str, int]] | None, user_id: int,
                cash_session_id: int | None = None) -> SaleResult:
    """A treasurer gives money back for a whole sale (`lines` None: all that is left) or
    some of its lines, as (SKU, quantity).

    The money leaves a drawer, never "no drawer": the one the treasurer chose
    (`cash_session_id`, an open one), else the original drawer if it is still open, else
    the open one at the sale's place. That drawer's count expects the cash out, and its
    closing takes the refund from the envelopes as the sale's closing put it in.
    """
    reason = rules.check_reason(reason)
    journal.lock_head(session)
    sale = get_sale(session, sale_id)
    if not rules.is_refundable(sale.kind):
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
            rules.check_refund_qty(qty)
            asked[by_sku[sku]] = asked.get(by_sku[sku], 0) + qty
        for pid, qty in asked.items():
            left, price = remaining[pid]
            if qty > left:
                raise Conflict("too_many", "On ne peut rembourser que %(n)s « %(name)s » "
                               "de plus.", n=left, name=products[pid].name)
            wanted.append((pid, qty, price))
    target = refund_drawer(session, sale, cash_session_id)
    return SaleResult(_negative_sale(session, sale, SaleKind.REFUND, wanted, reason, user_id,
                                     target.id), True)


def refund_drawer(session: Session, sale: Sale, chosen: int | None = None) -> CashSession:
    """The open drawer a refund of `sale` is paid from (see refund_sale); a Conflict that
    says what to do when there is none."""
    if chosen is not None:
        target = cash.get_cash_session(session, chosen)
        if not target.is_open:
            raise Conflict("session_closed", "La caisse choisie est fermée : choisissez une "
                           "caisse ouverte pour rembourser.")
        return target
    target = default_refund_drawer(session, sale)
    if target is None:
        raise Conflict("no_open_drawer", "Aucune caisse n'est ouverte pour rendre cet argent. "
                       "Ouvrez une caisse (ou choisissez-en une), puis remboursez.")
    return target


def default_refund_drawer(session: Session, sale: Sale) -> CashSession | None:
    """The original drawer if it is still open, else the open one at the sale's place."""
    if sale.cash_session_id is not None:
        original = cash.get_cash_session(session, sale.cash_session_id)
        if original.is_open:
            return original
    code = session.scalar(select(Location.code).where(Location.id == sale.location_id))
    return cash.open_session_for(session, code) if code else None


def refundable_lines(session: Session, sale: Sale) -> dict[int, int]:
    """Per product of `sale`: the quantity that can still be refunded (0 when all was)."""
    return {pid: qty for pid, (qty, _price) in _remaining(session, sale).items()}


def refund_as_asked(session: Session, sale_id: int, reason: str, asked: Mapping[str, int],
                    user_id: int, cash_session_id: int | None = None) -> SaleResult:
    """The refund form: the quantity typed per SKU (missing: 0). Every quantity left as
    sold refunds the whole sale (what is left of it); otherwise the lines asked for."""
    sale = get_sale(session, sale_id)
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_([line.product_id for line in sale.lines]))).all())
    lines = rules.refund_lines(((skus[line.product_id], line.qty) for line in sale.lines),
                               asked)
    return refund_sale(session, sale_id, reason, lines, user_id, cash_session_id)


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
                   cash_session_id: int | None, donation_cents: int = 0):
    """The void or refund of `lines` (product id, quantity, unit price) of `sale`: paid
    back the way most of the money came, the pieces back into the sale's place. A void
    gives the gift back too (`donation_cents`, negative); a refund is of items only."""
    head = journal.lock_head(session)
    connection = session.connection()
    now = utcnow()
    new = new_sale(connection, now, {SALES: 1, LINES: len(lines), PAYMENTS: 1,
                                     MOVES: len(lines)})
    [refund_id] = new.ids[SALES.name]
    line_rows = [rows.line(id=line_id, sale_id=refund_id, product_id=pid, qty=-qty,
                           unit_price_cents=price)
                 for line_id, (pid, qty, price) in zip(new.ids[LINES.name], lines, strict=True)]
    total = sum(row["line_total_cents"] for row in line_rows)
    refund_row = rows.sale(id=refund_id, number=new.number, year=new.year, seq=new.seq,
                           client_id=str(uuid.uuid4()), request_hash="", kind=kind,
                           cash_session_id=cash_session_id, location_id=sale.location_id,
                           user_id=user_id, refund_of_id=sale.id, reason=reason,
                           total_cents=total, created_at=now,
                           donation_cents=donation_cents)
    [payment_id] = new.ids[PAYMENTS.name]
    payment_rows = [rows.payment(id=payment_id, sale_id=refund_id,
                                 amount_cents=total + donation_cents,
                                 method=rules.refund_method(
                                     (p.method, p.amount_cents) for p in sale.payments))]
    move_rows = [rows.move(id=move_id, product_id=row["product_id"],
                           location_id=sale.location_id, qty=-row["qty"],
                           reason=MoveReason.REFUND, sale_id=refund_id, user_id=user_id,
                           created_at=now)
                 for move_id, row in zip(new.ids[MOVES.name], line_rows, strict=True)]
    tables = [(SALES, [refund_row]), (LINES, line_rows), (PAYMENTS, payment_rows),
              (MOVES, move_rows)]
    write.record_event(session, kind.value, new.number, tables, user_id, now, head=head)
    return recorded(refund_row, line_rows, payment_rows)
