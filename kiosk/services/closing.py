"""Closing a cash session: expected vs counted cash, the closure, and the envelope postings.

Expected cash = float + cash in − change given − cash refunds. Payment.amount_cents of a
cash payment is already "handed over − change", and a refund's cash payment is negative,
so expected = float + the sum of the session's cash payments.
The envelopes receive what was really handed over: the session's net sales (all methods)
plus the cash difference (negative when cash is short), split by the rule in force on the
session's day (Europe/Paris); and the session's gifts apart (entries of kind "donation"),
by the same split or all to the envelope the group chose (envelopes.donation_shares).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput
from kiosk.ledger import journal, rows, write
from kiosk.ledger.money import format_money, split_largest_remainder
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    Envelope,
    EnvelopeEntry,
    JournalEntry,
    Payment,
    Sale,
)
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.models.sales import gift_only as gift_only_ticket
from kiosk.services import shifts, tablets
from kiosk.services.cash import get_cash_session, validate_counts
from kiosk.services.envelopes import donation_shares, rule_in_force, takings_rows
from kiosk.text import _
from kiosk.vocabulary import LATE_SALE, MAX_AMOUNT_CENTS, PARIS

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
    sales_count: int  # tickets with something sold (a gift alone is not a sale)
    voids_count: int
    refunds_count: int
    donations_cents: int = 0  # gifts on top of the prices, net of voids
    donations_count: int = 0  # tickets carrying a gift
    gift_only_count: int = 0  # gifts without purchase, counted apart from the sales

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
    allocations: dict[str, int]  # envelope code → cents (revenue + gifts + difference)
    day: date
    split_rule_id: int | None
    waiting: int = 0  # sales the tablets say wait for this drawer (services/tablets.py)

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
    def donations_cents(self) -> int:
        return self.totals.donations_cents

    @property
    def handed_over_cents(self) -> int:
        """The takings the envelopes share as the split says: sales and the difference."""
        return self.revenue_cents + self.difference_cents

    # The split of the gifts alone (envelope code → cents), inside `allocations`.
    donation_allocations: dict[str, int] = field(default_factory=dict)

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


def difference_in_words(difference_cents: int, money=format_money, *,
                        paper: bool = False) -> str:
    """What the screen and the slip say about the count, in plain words: the volunteer's
    language on screen, French always on paper (`paper`)."""
    say = (lambda text, **values: text % values if values else text) if paper else _
    if difference_cents < 0:
        return say("il manque %(amount)s", amount=money(-difference_cents))
    if difference_cents > 0:
        return say("il y a %(amount)s de trop", amount=money(difference_cents))
    return say("le compte est bon")


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
    revenue, donations = session.execute(
        select(func.coalesce(func.sum(Sale.total_cents), 0),
               func.coalesce(func.sum(Sale.donation_cents), 0))
        .where(Sale.cash_session_id == cash_session_id)).one()
    counts = dict(session.execute(
        select(Sale.kind, func.count()).where(Sale.cash_session_id == cash_session_id)
        .group_by(Sale.kind)).all())
    with_gift, gift_only, gift_voids = session.execute(
        select(func.count().filter(Sale.kind == SaleKind.SALE, Sale.donation_cents > 0),
               func.count().filter(Sale.kind == SaleKind.SALE, gift_only_ticket()),
               func.count().filter(Sale.kind == SaleKind.VOID, gift_only_ticket()))
        .where(Sale.cash_session_id == cash_session_id)).one()
    return SessionTotals(
        float_cents=cash_session.float_cents, revenue_cents=int(revenue or 0),
        by_method=by_method, cash_refunds_cents=cash_refunds, change_cents=change,
        cash_tendered_cents=tendered,
        sales_count=counts.get(SaleKind.SALE, 0) - int(gift_only or 0),
        voids_count=counts.get(SaleKind.VOID, 0) - int(gift_voids or 0),
        refunds_count=counts.get(SaleKind.REFUND, 0),
        donations_cents=int(donations or 0), donations_count=int(with_gift or 0),
        gift_only_count=int(gift_only or 0))


def _clean_cheques(cheques: Sequence[ChequeIn]) -> list[ChequeIn]:
    if len(cheques) > MAX_CHEQUES:
        raise InvalidInput("cheques", "%(n)s chèques au plus par caisse.", n=MAX_CHEQUES)
    clean = []
    for cheque in cheques:
        if not 1 <= cheque.amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidInput("cheque_amount", "Un chèque va de 0,01 € à 1 000 000 € : "
                               "écrivez son montant, par exemple 12,50.")
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
        raise InvalidInput("card_total", "Le total de la carte bancaire va de 0 à "
                           "1 000 000 € : recopiez le total imprimé par le terminal.")
    totals = session_totals(session, cash_session_id)
    counted_cents = sum(d * c for d, c in counts.items())
    day = session_day(cash_session)
    handed_over = totals.revenue_cents + counted_cents - totals.expected_cash_cents
    allocations, rule_id = _allocations(session, handed_over, day)
    gifts = _donation_allocations(session, totals.donations_cents, day)
    for code, cents in gifts.items():
        allocations[code] = allocations.get(code, 0) + cents
    return ClosePreview(cash_session_id=cash_session_id, totals=totals, counted=counts,
                        counted_cash_cents=counted_cents, cheques=cheques,
                        cheque_total_cents=sum(c.amount_cents for c in cheques),
                        card_total_cents=card_total_cents, allocations=allocations, day=day,
                        split_rule_id=rule_id, donation_allocations=gifts,
                        waiting=tablets.waiting_for(session, cash_session_id))


def _donation_allocations(session: Session, amount_cents: int, day: date) -> dict[str, int]:
    shares = donation_shares(session, amount_cents, day)
    codes = dict(session.execute(select(Envelope.id, Envelope.code).where(
        Envelope.id.in_([envelope_id for envelope_id, _cents in shares]))).all())
    return {codes[envelope_id]: cents for envelope_id, cents in shares}


def close_cash_session(session: Session, cash_session_id: int, counted: Mapping[int, int],
                       cheques: Sequence[ChequeIn], card_total_cents: int,
                       user_id: int, *, waiting_confirmed: bool = False) -> CloseResult:
    """Close the drawer in the caller's one transaction: the count, the cheques, the
    closure and the envelope postings, all in ONE journal entry. A second close is a 409.
    While a tablet says sales wait on it for this drawer, a 409 unless `waiting_confirmed`
    (they join the drawer when they arrive: kiosk.sales.record, late sales)."""
    head = journal.lock_head(session)  # serialises with sales: none slips in after the count
    preview = preview_close(session, cash_session_id, counted, cheques, card_total_cents)
    tablets.check_nothing_waits(session, cash_session_id, waiting_confirmed)
    cash_session = get_cash_session(session, cash_session_id)
    now = utcnow()
    counts = [(d, c) for d, c in sorted(preview.counted.items(), reverse=True) if c]
    ids = write.take_ids(session, {rows.COUNT_LINES: len(counts),
                                   rows.CHEQUES: len(preview.cheques), rows.CLOSURES: 1})
    line_rows = [rows.count_line(id=line_id, cash_session_id=cash_session_id, moment="close",
                                 denomination_cents=d, count=c)
                 for line_id, (d, c) in zip(ids[rows.COUNT_LINES.name], counts, strict=True)]
    cheque_rows = [rows.cheque(id=cheque_id, cash_session_id=cash_session_id,
                               amount_cents=c.amount_cents, drawer=c.drawer, bank=c.bank,
                               number=c.number)
                   for cheque_id, c in zip(ids[rows.CHEQUES.name], preview.cheques, strict=True)]
    [closure_id] = ids[rows.CLOSURES.name]
    closure_row = rows.closure(
        id=closure_id, cash_session_id=cash_session_id, closed_by=user_id, closed_at=now,
        expected_cash_cents=preview.expected_cash_cents,
        counted_cash_cents=preview.counted_cash_cents, revenue_cents=preview.revenue_cents,
        cheque_total_cents=preview.cheque_total_cents, card_total_cents=card_total_cents,
        split_rule_id=preview.split_rule_id,
        journal_hash=head.hash)  # the chain as it stood after the session's last sale
    entry_rows = takings_rows(
        session, preview.handed_over_cents, preview.day,
        f"Recette {cash_session.name} (caisse n° {cash_session_id})", kind="takings",
        cash_session_id=cash_session_id, user_id=user_id, now=now)
    entry_rows += takings_rows(
        session, preview.donations_cents, preview.day,
        f"Dons {cash_session.name} (caisse n° {cash_session_id})", kind="donation",
        cash_session_id=cash_session_id, user_id=user_id, now=now,
        shares=donation_shares(session, preview.donations_cents, preview.day))
    write.record_event(session, "cash_close", f"session-{cash_session_id}",
                       [(rows.COUNT_LINES, line_rows), (rows.CHEQUES, cheque_rows),
                        (rows.CLOSURES, [closure_row]), (rows.ENVELOPE_ENTRIES, entry_rows)],
                       user_id, now, head=head)
    shifts.end_all(session, cash_session_id, now)  # who was there
    session.expire(cash_session, ["closure"])
    closure = session.get(CashSessionClosure, closure_id)
    entries = list(session.scalars(select(EnvelopeEntry).where(
        EnvelopeEntry.id.in_([row["id"] for row in entry_rows])).order_by(EnvelopeEntry.id)))
    return CloseResult(closure=closure, preview=preview, entries=entries)


@dataclass(frozen=True)
class LateSale:
    number: str
    sold_at: object  # datetime | None: the tablet's time of the sale
    total_cents: int
    cash_cents: int  # already in the drawer when it was counted


@dataclass
class LateSales:
    """Sales that reached a drawer after its closing (they waited on a tablet)."""

    sales: list[LateSale]
    to_envelopes_cents: int  # what their postings added to the envelopes

    @property
    def count(self) -> int:
        return len(self.sales)

    @property
    def total_cents(self) -> int:
        return sum(s.total_cents for s in self.sales)

    @property
    def cash_cents(self) -> int:
        return sum(s.cash_cents for s in self.sales)


def late_sales(session: Session, cash_session_id: int) -> LateSales:
    """The drawer's sales journaled as late (event LATE_SALE), in number order, and what
    their envelope entries added: their total less their cash, which the count held."""
    found = session.execute(
        select(Sale.id, Sale.number, Sale.sold_at, Sale.total_cents)
        .join(JournalEntry, (JournalEntry.ref == Sale.number)
              & (JournalEntry.event == LATE_SALE))
        .where(Sale.cash_session_id == cash_session_id).order_by(Sale.year, Sale.seq)).all()
    cash = dict(session.execute(
        select(Payment.sale_id, func.sum(Payment.amount_cents))
        .where(Payment.sale_id.in_([row.id for row in found]),
               Payment.method == PaymentMethod.CASH).group_by(Payment.sale_id)).all())
    posted = session.scalar(select(func.coalesce(func.sum(EnvelopeEntry.amount_cents), 0))
                            .where(EnvelopeEntry.cash_session_id == cash_session_id,
                                   EnvelopeEntry.kind == LATE_SALE))
    return LateSales([LateSale(row.number, row.sold_at, row.total_cents,
                               int(cash.get(row.id, 0))) for row in found], int(posted or 0))


@dataclass(frozen=True)
class ClosedFigures:
    """A closed drawer's figures as they stand now: the closing's, with the sales that
    reached it after its closing (a tablet's, sold while it was open). The Z report and
    the drawer's page both read these, so they never disagree."""

    revenue_cents: int  # the net sales, late ones included
    expected_cash_cents: int  # what the count should have found, their cash included
    counted_cash_cents: int
    difference_cents: int  # counted − expected: the corrected difference
    closing_difference_cents: int  # as said at the closing
    late: LateSales


def closed_figures(session: Session, cash_session_id: int, closure) -> ClosedFigures:
    late = late_sales(session, cash_session_id)
    revenue = session_totals(session, cash_session_id).revenue_cents
    return ClosedFigures(
        revenue_cents=revenue,
        expected_cash_cents=closure.expected_cash_cents + late.cash_cents,
        counted_cash_cents=closure.counted_cash_cents,
        difference_cents=closure.difference_cents - late.cash_cents,
        closing_difference_cents=closure.difference_cents, late=late)


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
