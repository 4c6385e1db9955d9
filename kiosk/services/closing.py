"""Closing a cash session: expected vs counted cash, the closure, and the envelope postings.

Expected cash = float + cash in − change given − cash refunds. Payment.amount_cents of a
cash payment is already "handed over − change", and a refund's cash payment is negative,
so expected = float + the sum of the session's cash payments.
The envelopes receive what was really handed over: the session's net sales (all methods)
plus the cash difference (negative when cash is short), split by the rule in force on the
session's day (Europe/Paris).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    Envelope,
    JournalEntry,
    Payment,
    Sale,
)
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.services import journal, shifts
from kiosk.services.cash import get_cash_session, validate_counts
from kiosk.services.envelopes import post_takings, rule_in_force
from kiosk.services.errors import Conflict, InvalidInput
from kiosk.services.money import format_money, split_largest_remainder
from kiosk.services.text import _
from kiosk.vocabulary import MAX_AMOUNT_CENTS, PARIS

MAX_CHEQUES = 200


@dataclass(frozen=True)
class ChequeIn:
    amount_cents: int
    drawer: str = ""
    bank: str = ""
    number: str = ""


@dataclass
class SessionTotals:
    """What the session's sales say, before anything is counted."""

    float_cents: int
    revenue_cents: int  # net sales, all methods
    by_method: dict[str, int]  # net payments per method
    cash_refunds_cents: int  # cash given back by refunds and voids (positive)
    change_cents: int  # change given to customers
    cash_tendered_cents: int  # cash handed over by customers
    sales_count: int
    voids_count: int
    refunds_count: int

    @property
    def expected_cash_cents(self) -> int:
        return self.float_cents + self.by_method.get(PaymentMethod.CASH, 0)


@dataclass
class ClosePreview:
    cash_session_id: int
    totals: SessionTotals
    counted: dict[int, int]
    counted_cash_cents: int
    cheques: list[ChequeIn]
    cheque_total_cents: int
    card_total_cents: int
    allocations: dict[str, int]  # envelope code → cents (revenue + difference)
    day: date
    split_rule_id: int | None

    @property
    def expected_cash_cents(self) -> int:
        return self.totals.expected_cash_cents

    @property
    def difference_cents(self) -> int:
        return self.counted_cash_cents - self.expected_cash_cents

    @property
    def revenue_cents(self) -> int:
        return self.totals.revenue_cents

    @property
    def handed_over_cents(self) -> int:
        return self.revenue_cents + self.difference_cents

    @property
    def cheque_expected_cents(self) -> int:
        return self.totals.by_method.get(PaymentMethod.CHEQUE, 0)

    @property
    def card_expected_cents(self) -> int:
        return self.totals.by_method.get(PaymentMethod.CARD, 0)


@dataclass
class CloseResult:
    closure: CashSessionClosure
    preview: ClosePreview
    entries: list = field(default_factory=list)

    @property
    def allocations(self) -> dict[str, int]:
        return self.preview.allocations


def difference_in_words(difference_cents: int, money=format_money) -> str:
    """What the screen and the slip say about the count, in plain French."""
    if difference_cents < 0:
        return _("il manque %(amount)s", amount=money(-difference_cents))
    if difference_cents > 0:
        return _("il y a %(amount)s de trop", amount=money(difference_cents))
    return _("le compte est bon")


def session_day(cash_session: CashSession) -> date:
    """The sales day of a session: its opening date in Paris."""
    return cash_session.opened_at.astimezone(PARIS).date()


def session_totals(session: Session, cash_session_id: int) -> SessionTotals:
    cash_session = get_cash_session(session, cash_session_id)
    by_method: dict[str, int] = {}
    cash_refunds = change = tendered = 0
    rows = session.execute(
        select(Payment.method, Payment.amount_cents, Payment.change_cents,
               Payment.tendered_cents)
        .join(Sale, Payment.sale_id == Sale.id)
        .where(Sale.cash_session_id == cash_session_id))
    for method, amount, given_back, handed in rows:
        by_method[method] = by_method.get(method, 0) + amount
        if method == PaymentMethod.CASH:
            if amount < 0:
                cash_refunds += -amount
            else:
                change += given_back
                tendered += handed
    revenue = session.scalar(select(func.coalesce(func.sum(Sale.total_cents), 0))
                             .where(Sale.cash_session_id == cash_session_id))
    counts = dict(session.execute(
        select(Sale.kind, func.count()).where(Sale.cash_session_id == cash_session_id)
        .group_by(Sale.kind)).all())
    return SessionTotals(
        float_cents=cash_session.float_cents, revenue_cents=int(revenue or 0),
        by_method=by_method, cash_refunds_cents=cash_refunds, change_cents=change,
        cash_tendered_cents=tendered, sales_count=counts.get(SaleKind.SALE, 0),
        voids_count=counts.get(SaleKind.VOID, 0), refunds_count=counts.get(SaleKind.REFUND, 0))


def _clean_cheques(cheques: Sequence[ChequeIn]) -> list[ChequeIn]:
    if len(cheques) > MAX_CHEQUES:
        raise InvalidInput("cheques", "%(n)s chèques au plus par caisse.", n=MAX_CHEQUES)
    clean = []
    for cheque in cheques:
        if not 1 <= cheque.amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidInput("cheque_amount", "Chaque chèque doit avoir un montant, "
                               "par exemple 12,50.")
        texts = (cheque.drawer.strip(), cheque.bank.strip(), cheque.number.strip())
        if any(len(t) > 120 or any(ord(c) < 32 or ord(c) == 127 for c in t) for t in texts):
            raise InvalidInput("cheque_text", "Le nom sur le chèque fait 120 caractères "
                               "au plus.")
        if len(texts[2]) > 40:
            raise InvalidInput("cheque_number", "Le numéro du chèque fait 40 caractères "
                               "au plus.")
        clean.append(ChequeIn(cheque.amount_cents, *texts))
    return clean


def _allocations(session: Session, amount_cents: int, day: date) -> tuple[dict[str, int],
                                                                          int | None]:
    rule = rule_in_force(session, day)
    if rule is None:
        raise InvalidInput("no_split_rule", "Aucune répartition n'est décidée pour cette date : "
                           "enregistrez d'abord une décision dans « Enveloppes ».")
    codes = dict(session.execute(select(Envelope.id, Envelope.code).where(
        Envelope.id.in_([part.envelope_id for part in rule.parts]))).all())
    shares = split_largest_remainder(
        amount_cents, {str(part.envelope_id): part.weight for part in rule.parts})
    return {codes[int(envelope_id)]: cents for envelope_id, cents in shares.items()}, rule.id


def preview_close(session: Session, cash_session_id: int, counted: Mapping[int, int],
                  cheques: Sequence[ChequeIn] = (), card_total_cents: int = 0
                  ) -> ClosePreview:
    """Everything the closing screen shows before saving; nothing is written."""
    cash_session = get_cash_session(session, cash_session_id)
    if not cash_session.is_open:
        raise Conflict("session_closed", "Cette caisse est déjà fermée.")
    counts = validate_counts(counted)
    cheques = _clean_cheques(cheques)
    if not 0 <= card_total_cents <= MAX_AMOUNT_CENTS:
        raise InvalidInput("card_total", "Le total de la carte bancaire est un montant "
                           "positif, ou 0.")
    totals = session_totals(session, cash_session_id)
    counted_cents = sum(d * c for d, c in counts.items())
    day = session_day(cash_session)
    handed_over = totals.revenue_cents + counted_cents - totals.expected_cash_cents
    allocations, rule_id = _allocations(session, handed_over, day)
    return ClosePreview(cash_session_id=cash_session_id, totals=totals, counted=counts,
                        counted_cash_cents=counted_cents, cheques=cheques,
                        cheque_total_cents=sum(c.amount_cents for c in cheques),
                        card_total_cents=card_total_cents, allocations=allocations, day=day,
                        split_rule_id=rule_id)


def close_cash_session(session: Session, cash_session_id: int, counted: Mapping[int, int],
                       cheques: Sequence[ChequeIn], card_total_cents: int,
                       user_id: int) -> CloseResult:
    """Close the drawer in the caller's one transaction: the count, the cheques, the
    closure and the envelope postings, all in ONE journal entry. A second close is a 409."""
    head = journal.lock_head(session)  # serialises with sales: none slips in after the count
    preview = preview_close(session, cash_session_id, counted, cheques, card_total_cents)
    rows: list = []
    lines = [CashCountLine(cash_session_id=cash_session_id, moment="close",
                           denomination_cents=d, count=c)
             for d, c in sorted(preview.counted.items(), reverse=True) if c]
    cheque_rows = [Cheque(cash_session_id=cash_session_id, amount_cents=c.amount_cents,
                          drawer=c.drawer, bank=c.bank, number=c.number)
                   for c in preview.cheques]
    closure = CashSessionClosure(
        cash_session_id=cash_session_id, closed_by=user_id,
        expected_cash_cents=preview.expected_cash_cents,
        counted_cash_cents=preview.counted_cash_cents,
        difference_cents=preview.difference_cents, revenue_cents=preview.revenue_cents,
        cheque_total_cents=preview.cheque_total_cents, card_total_cents=card_total_cents,
        split_rule_id=preview.split_rule_id,
        journal_hash=head.hash)  # the chain as it stood after the session's last sale
    session.add_all([*lines, *cheque_rows, closure])
    rows.extend([*lines, *cheque_rows, closure])
    cash_session = session.get(CashSession, cash_session_id)
    entries = post_takings(session, preview.handed_over_cents, preview.day,
                           f"Recette {cash_session.name} (caisse n° {cash_session_id})",
                           cash_session_id=cash_session_id, user_id=user_id,
                           journal_rows=rows)
    journal.append(session, "cash_close", f"session-{cash_session_id}", rows, user_id)
    shifts.end_all(session, cash_session_id, closure.closed_at or utcnow())  # who was there
    session.expire(cash_session, ["closure"])
    return CloseResult(closure=closure, preview=preview, entries=entries)


def closing_entry(session: Session, cash_session_id: int) -> JournalEntry | None:
    """The journal entry that sealed the session (its hash goes on the slip)."""
    return session.scalar(select(JournalEntry).where(
        JournalEntry.event == "cash_close", JournalEntry.ref == f"session-{cash_session_id}"))


def counted_lines(session: Session, cash_session_id: int, moment: str) -> list[CashCountLine]:
    return list(session.scalars(select(CashCountLine).where(
        CashCountLine.cash_session_id == cash_session_id, CashCountLine.moment == moment)
        .order_by(CashCountLine.denomination_cents.desc())))


def session_cheques(session: Session, cash_session_id: int) -> list[Cheque]:
    return list(session.scalars(select(Cheque).where(Cheque.cash_session_id == cash_session_id)
                                .order_by(Cheque.id)))
