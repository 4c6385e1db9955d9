"""The association's books as Paheko's "Simplifié" journal import reads them: the kiosk's
entries (a closed drawer, a consignment statement, an envelope spending or transfer, a
partner's invoice, credit note or payment), each with a stable reference, its rows split by
envelope into Paheko's analytic projects.

Paheko's rules (FIELD-NOTES, "Paheko's journal import"): one row per two-line entry,
positive amounts only (a refund or a shortfall swaps the accounts), `Numéro d'écriture`
left empty, every account in the chart, a project matched exactly. A project's balance in
Paheko is its revenue minus its charges (classes 7 and 6): each entry is split by
envelope so that, project by project, that balance equals the envelope's ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from kiosk.ledger.money import donation_by_method, split_largest_remainder
from kiosk.models import (
    CashSession,
    CashSessionClosure,
    ConsignmentStatement,
    CreditNote,
    Envelope,
    EnvelopeEntry,
    EnvelopeSpendAccount,
    ExportEntry,
    Invoice,
    JournalEntry,
    Location,
    Order,
    OrderPayment,
    Payment,
    Sale,
    Shift,
)
from kiosk.models.sales import PaymentMethod
from kiosk.services.closing import late_sales
from kiosk.services.paheko_accounts import accounts, project_codes
from kiosk.services.report_figures import hours_tenths, period_bounds
from kiosk.vocabulary import LATE_SALE, PARIS, method_word

ORDER_KIND = "order"  # the envelope entries of a paid invoice (kiosk.sales.partner_orders)
METHOD_ACCOUNT = {PaymentMethod.CASH: "paheko_account_cash",
                  PaymentMethod.CHEQUE: "paheko_account_cheque",
                  PaymentMethod.CARD: "paheko_account_card",
                  PaymentMethod.TRANSFER: "paheko_account_transfer"}
PAHEKO_COLUMNS = ["Numéro d'écriture", "Libellé", "Date", "Remarques",
                  "Numéro pièce comptable", "Référence paiement", "Compte de débit",
                  "Compte de crédit", "Montant", "Projet analytique"]


def euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def is_result_account(code: str) -> bool:
    """Charges (6) and revenue (7): the accounts a Paheko project's balance adds up."""
    return code[:1] in ("6", "7")


@dataclass
class Entry:
    """One entry of the books, exported once: its rows share one Numéro pièce comptable."""

    ref: str  # remembered in ExportEntry: "caisse-12", "releve-3", "depense-40"…
    piece: str  # what the treasurer searches for in Paheko: "Caisse 12"
    day: date
    rows: list[list[str]] = field(default_factory=list)
    ready: bool = True  # False: a drawer still open, left for a later export
    name: str = ""
    # Entries this one makes needless, remembered as exported with it: a drawer's sales
    # that arrived after its closing and before its export ("tardive-…").
    covers: list[str] = field(default_factory=list)


@dataclass
class Item:
    """A row before its split by envelope: `cents` from `debit` to `credit` (negative:
    the other way)."""

    label: str
    day: date
    notes: str
    debit: str
    credit: str
    cents: int

    @property
    def weight(self) -> int:
        """What one cent of this row adds to a project's balance (revenue − charges)."""
        return int(is_result_account(self.credit)) - int(is_result_account(self.debit))


def split_by_envelope(items: Sequence[Item], targets: dict[str, int]
                      ) -> list[dict[str | None, int]]:
    """Each item's cents per project, so that project by project the balance equals
    `targets` (the envelope entries the event posted) to the cent.

    Each item is shared like the allocation was (largest remainder, in proportion to
    what each envelope received); the cents rounding leaves over are then moved between
    projects inside one item, which changes no item's total."""
    weights = {code: abs(cents) for code, cents in targets.items() if cents}
    if not weights:
        return [{None: item.cents} for item in items]
    cells: list[dict[str | None, int]] = [
        dict(split_largest_remainder(item.cents, weights)) for item in items]
    if sum(i.weight * i.cents for i in items) != sum(targets.values()):
        return cells  # the ledgers disagree with the sales: leave the plain shares
    deficit = {code: targets.get(code, 0) - sum(i.weight * c[code]
                                                for i, c in zip(items, cells, strict=True))
               for code in weights}
    movable = [n for n, item in enumerate(items) if item.weight]
    while movable and any(deficit.values()):
        plus = next(code for code, d in deficit.items() if d > 0)
        minus = next(code for code, d in deficit.items() if d < 0)
        moved = min(deficit[plus], -deficit[minus])
        n = max(movable, key=lambda j: items[j].weight * cells[j][minus])
        k = items[n].weight
        cells[n][plus] += k * moved
        cells[n][minus] -= k * moved
        deficit[plus] -= moved
        deficit[minus] += moved
    return cells


def _rows(items: Sequence[Item], piece: str, targets: dict[str, int]) -> list[list[str]]:
    out = []
    for item, cells in zip(items, split_by_envelope(items, targets), strict=True):
        for project, cents in cells.items():
            if cents == 0:
                continue
            debit, credit = item.debit, item.credit
            if cents < 0:  # Paheko books -5,19 as 5,19: swap the accounts instead
                debit, credit = credit, debit
            out.append(["", item.label[:120], item.day.strftime("%d/%m/%Y"), item.notes,
                        piece, "", debit, credit, euros(abs(cents)), project or ""])
    return out


def _projects(session: Session) -> dict[int, str]:
    return project_codes(session)


def _targets(session: Session, column, ids: Iterable[int], kinds: Sequence[str],
             projects: dict[int, str]) -> dict[int, dict[str, int]]:
    ids = list(ids)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return out
    for owner, envelope_id, cents in session.execute(
            select(column, EnvelopeEntry.envelope_id, func.sum(EnvelopeEntry.amount_cents))
            .where(column.in_(ids), EnvelopeEntry.kind.in_(kinds))
            .group_by(column, EnvelopeEntry.envelope_id)):
        code = projects[envelope_id]
        out[owner][code] = out[owner].get(code, 0) + int(cents)
    return out


def _day(moment) -> date:
    return moment.astimezone(PARIS).date()


def _numbers(numbers: list[str]) -> str:
    return f"Tickets {numbers[0]} à {numbers[-1]}" if len(numbers) > 1 else (
        f"Ticket {numbers[0]}")


def late_sale_ids(session: Session, drawer_ids: Iterable[int],
                  exported_at: dict[int, datetime] | None = None) -> dict[int, list[int]]:
    """Each drawer's sales that reached it after its closing (journaled LATE_SALE), in
    the order they arrived; with `exported_at` (drawer → when its entry was exported),
    only those that arrived after that."""
    out: dict[int, list[int]] = defaultdict(list)
    drawer_ids = list(drawer_ids)
    if not drawer_ids:
        return out
    for sale_id, drawer_id, arrived in session.execute(
            select(Sale.id, Sale.cash_session_id, JournalEntry.created_at)
            .join(JournalEntry, (JournalEntry.ref == Sale.number)
                  & (JournalEntry.event == LATE_SALE))
            .where(Sale.cash_session_id.in_(drawer_ids)).order_by(JournalEntry.seq)):
        if exported_at is None or arrived >= exported_at.get(drawer_id, arrived):
            out[drawer_id].append(sale_id)
    return out


def drawers_exported_at(session: Session) -> dict[int, datetime]:
    """When each drawer's entry was last written to a Paheko file."""
    return {int(ref.split("-", 1)[1]): moment for ref, moment in session.execute(
        select(ExportEntry.ref, func.max(ExportEntry.created_at))
        .where(ExportEntry.state == "exported", ExportEntry.ref.like("caisse-%"))
        .group_by(ExportEntry.ref))}


def _sale_items(sale: dict, label: str, acc: dict[str, str]) -> list[Item]:
    """A sale's rows: what it paid per method to sales, its gift apart (to donations)."""
    items = []
    gifts = donation_by_method(sale["payments"], sale["gift"])
    for method in dict.fromkeys(method for method, _cents in sale["payments"]):
        amount = sum(cents for m, cents in sale["payments"] if m == method)
        word = method_word(method, paper=True).lower()
        for part, cents in ((0, amount - gifts.get(method, 0)), (1, gifts.get(method, 0))):
            if not cents:
                continue
            if part:
                what, credit = ("Don" if cents > 0 else "Don rendu"), "paheko_account_donations"
            else:
                what, credit = ("Vente" if cents > 0 else "Remboursement"), (
                    "paheko_account_sales")
            items.append(Item(f"{what} {label} ({word})", sale["day"],
                              f"Ticket {sale['number']}",
                              acc[METHOD_ACCOUNT.get(method, "paheko_account_cash")],
                              acc[credit], cents))
    return items


def _difference_items(before: int, after: int, label: str, day: date,
                      acc: dict[str, str]) -> list[Item]:
    """What turns a cash difference booked as `before` into `after`: the surplus (758)
    and the shortfall (658) each moved by what changed (a negative one swaps accounts)."""
    items = []
    surplus = max(after, 0) - max(before, 0)
    shortfall = max(-after, 0) - max(-before, 0)
    if surplus:
        items.append(Item(f"Excédent de caisse corrigé {label}", day,
                          "Écart de la clôture, corrigé par une vente arrivée après",
                          acc["paheko_account_cash"], acc["paheko_account_surplus"], surplus))
    if shortfall:
        items.append(Item(f"Manque en caisse corrigé {label}", day,
                          "Écart de la clôture, corrigé par une vente arrivée après",
                          acc["paheko_account_shortfall"], acc["paheko_account_cash"],
                          shortfall))
    return items


def late_sale_entries(session: Session, drawer: CashSession, sale_ids: Sequence[int],
                      late: Sequence[int], acc: dict[str, str], projects: dict[int, str]
                      ) -> list[Entry]:
    """Sales that reached a drawer after its entry was exported (`sale_ids`, among its
    late sales `late` in arrival order): one entry each, its sales and gift, and the
    cash difference corrected (its cash was in the count, so the difference the drawer's
    export booked shrinks by it); split by envelope as its own postings were."""
    closure = drawer.closure
    cash = dict(session.execute(
        select(Payment.sale_id, func.sum(Payment.amount_cents))
        .where(Payment.sale_id.in_(list(late)), Payment.method == PaymentMethod.CASH)
        .group_by(Payment.sale_id)).all())
    sales: dict[int, dict] = {}
    for sale_id, created_at, number, donation, method, amount in session.execute(
            select(Sale.id, Sale.created_at, Sale.number, Sale.donation_cents,
                   Payment.method, Payment.amount_cents)
            .join(Payment, Payment.sale_id == Sale.id)
            .where(Sale.id.in_(list(sale_ids))).order_by(Payment.id)):
        sale = sales.setdefault(sale_id, {"day": _day(created_at), "number": number,
                                          "gift": donation, "payments": []})
        sale["payments"].append((method, amount))
    targets = _targets(session, EnvelopeEntry.sale_id, sale_ids, (LATE_SALE,), projects)
    out = []
    for sale_id in sale_ids:
        sale = sales.get(sale_id)
        if sale is None:
            continue
        earlier = sum(int(cash.get(i, 0)) for i in late[:late.index(sale_id)])
        before = closure.difference_cents - earlier
        after = before - int(cash.get(sale_id, 0))
        label = f"{drawer.name} arrivée après l'export"
        items = [*_sale_items(sale, label, acc),
                 *_difference_items(before, after, drawer.name, _day(closure.closed_at), acc)]
        piece = f"Caisse {drawer.id} vente {sale['number']}"
        out.append(Entry(f"tardive-{sale_id}", piece, sale["day"],
                         _rows(items, piece, targets.get(sale_id, {})), name=drawer.name))
    return out


def drawer_entries(session: Session, ids: Iterable[int], acc: dict[str, str],
                   projects: dict[int, str], done: frozenset[str] | set[str] = frozenset()
                   ) -> list[Entry]:
    """One entry per drawer: all its sales per day and payment method, its gifts apart
    (to the donations account, 7541 by default), then the cash difference at closing;
    split by envelope as its closing allocated the takings and the gifts.

    A drawer exported already (its reference in `done`) gives also one entry per sale
    that reached it after that export (late_sale_entries): they are not in the file
    imported, and the drawer (exported) is not written twice."""
    ids = sorted(set(ids))
    if not ids:
        return []
    late = late_sale_ids(session, ids)
    out: list[Entry] = []
    exported = [i for i in ids if f"caisse-{i}" in done]
    after = late_sale_ids(session, exported, drawers_exported_at(session)) if exported else {}
    for drawer in session.scalars(select(CashSession).where(CashSession.id.in_(exported))
                                  .order_by(CashSession.id)):
        if drawer.closure is None:
            continue
        pending = [i for i in after.get(drawer.id, []) if f"tardive-{i}" not in done]
        if pending:
            out += late_sale_entries(session, drawer, pending, late[drawer.id], acc, projects)

    drawers = {s.id: s for s in session.scalars(select(CashSession).where(
        CashSession.id.in_(ids)))}
    closures = {c.cash_session_id: c for c in session.scalars(
        select(CashSessionClosure).where(CashSessionClosure.cash_session_id.in_(ids)))}
    groups: dict[int, dict[tuple, dict]] = defaultdict(
        lambda: defaultdict(lambda: {"cents": 0, "numbers": []}))
    paid: dict[int, dict] = {}  # sale id → its drawer, day, number, gift and payments
    for sale_id, drawer_id, created_at, number, donation, method, amount in session.execute(
            select(Sale.id, Sale.cash_session_id, Sale.created_at, Sale.number,
                   Sale.donation_cents, Payment.method, Payment.amount_cents)
            .join(Payment, Payment.sale_id == Sale.id)
            .where(Sale.cash_session_id.in_(ids))
            .order_by(Sale.year, Sale.seq, Payment.id)):
        sale = paid.setdefault(sale_id, {"drawer": drawer_id, "day": _day(created_at),
                                         "number": number, "gift": donation, "payments": []})
        sale["payments"].append((method, amount))
    for sale in paid.values():
        gifts = donation_by_method(sale["payments"], sale["gift"])
        for method in dict.fromkeys(method for method, _cents in sale["payments"]):
            amount = sum(cents for m, cents in sale["payments"] if m == method)
            # part 0: the sales, 1: the gifts (after the sales on a day)
            for part, cents in ((0, amount - gifts.get(method, 0)), (1, gifts.get(method, 0))):
                if part == 1 and not cents:
                    continue
                group = groups[sale["drawer"]][(sale["day"], part, method)]
                group["cents"] += cents
                group["numbers"].append(sale["number"])
    # a sale that reached the drawer after its closing posted entries of its own (LATE_SALE)
    targets = _targets(session, EnvelopeEntry.cash_session_id, closures,
                       ("takings", "donation", LATE_SALE), projects)
    for drawer_id in ids:
        drawer = drawers[drawer_id]
        items = []
        for (day, part, method), group in sorted(groups[drawer_id].items()):
            if group["cents"] == 0:
                continue
            word = method_word(method, paper=True).lower()
            if part == 1:
                what = "Dons" if group["cents"] > 0 else "Dons rendus"
                credit = acc["paheko_account_donations"]
            else:
                what = "Ventes" if group["cents"] > 0 else "Remboursements"
                credit = acc["paheko_account_sales"]
            items.append(Item(f"{what} {drawer.name} ({word})", day,
                              _numbers(group["numbers"]),
                              acc[METHOD_ACCOUNT.get(method, "paheko_account_cash")],
                              credit, group["cents"]))
        closure = closures.get(drawer_id)
        # The cash of sales that arrived after the closing was in the count: the difference
        # is what remains without it (the Z report's "Écart corrigé").
        difference = 0 if closure is None else (
            closure.difference_cents - late_sales(session, drawer_id).cash_cents)
        if closure is not None and difference:
            day = _day(closure.closed_at)
            if difference < 0:
                items.append(Item(f"Manque en caisse {drawer.name}", day,
                                  "Écart constaté à la clôture",
                                  acc["paheko_account_shortfall"], acc["paheko_account_cash"],
                                  -difference))
            else:
                items.append(Item(f"Excédent de caisse {drawer.name}", day,
                                  "Écart constaté à la clôture", acc["paheko_account_cash"],
                                  acc["paheko_account_surplus"], difference))
        piece = f"Caisse {drawer_id}"
        out.append(Entry(f"caisse-{drawer_id}", piece, _day(drawer.opened_at),
                         _rows(items, piece, targets.get(drawer_id, {})),
                         ready=closure is not None, name=drawer.name,
                         covers=[f"tardive-{i}" for i in late.get(drawer_id, [])]))
    return out


def sale_entries(session: Session, start, end, acc: dict[str, str],
                 projects: dict[int, str]) -> list[Entry]:
    """Sales outside any drawer: a consignment statement (the goods at their price to
    sales, the commission the shop kept as a charge), or any other, one entry each."""
    sales = list(session.scalars(select(Sale).where(
        Sale.cash_session_id.is_(None), Sale.created_at >= start, Sale.created_at < end)
        .order_by(Sale.year, Sale.seq)))
    if not sales:
        return []
    ids = [s.id for s in sales]
    statements = {c.sale_id: c for c in session.scalars(select(ConsignmentStatement).where(
        ConsignmentStatement.sale_id.in_(ids)))}
    places = dict(session.execute(select(Location.id, Location.name)).all())
    targets = _targets(session, EnvelopeEntry.sale_id, ids, ("consignment", "takings"),
                       projects)
    out = []
    for sale in sales:
        day = _day(sale.created_at)
        statement = statements.get(sale.id)
        place = places.get(sale.location_id, "")
        items = []
        for payment in sale.payments:
            if payment.amount_cents == 0:
                continue
            what = "Relevé" if statement else "Vente"
            items.append(Item(f"{what} {place} : {sale.reason}" if statement
                              else f"{what} {place}", day, f"Ticket {sale.number}",
                              acc[METHOD_ACCOUNT.get(payment.method, "paheko_account_cash")],
                              acc["paheko_account_sales"], payment.amount_cents))
        if statement is not None and statement.commission_cents:
            items.append(Item(f"Commission {place} : {sale.reason}", day,
                              f"Ticket {sale.number} : ventes {euros(sale.total_cents)}, "
                              f"commission {euros(statement.commission_cents)}",
                              acc["paheko_account_commission"], acc["paheko_account_sales"],
                              statement.commission_cents))
        if statement is not None:
            ref, piece = f"releve-{statement.id}", f"Relevé {sale.number}"
        else:
            ref, piece = f"vente-{sale.id}", f"Vente {sale.number}"
        out.append(Entry(ref, piece, day, _rows(items, piece, targets.get(sale.id, {}))))
    return out


def envelope_entries(session: Session, date_from: date, date_to: date, acc: dict[str, str],
                     projects: dict[int, str]) -> list[Entry]:
    """Spending (the charge account chosen, paid from the bank or the drawer) and
    transfers between envelopes: the money leaves one project and reaches the other
    through the waiting account, the sales account used on both sides so the year's
    sales stay the kiosk's sales."""
    rows = session.execute(
        select(EnvelopeEntry, EnvelopeSpendAccount, Envelope.name)
        .join(Envelope, Envelope.id == EnvelopeEntry.envelope_id)
        .outerjoin(EnvelopeSpendAccount,
                   EnvelopeSpendAccount.envelope_entry_id == EnvelopeEntry.id)
        .where(EnvelopeEntry.kind.in_(("spend", "transfer")),
               EnvelopeEntry.entry_date >= date_from, EnvelopeEntry.entry_date <= date_to)
        .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id)).all()
    out = []
    transfers: dict[str, list] = defaultdict(list)
    for entry, how, name in rows:
        if entry.kind == "transfer":
            transfers[entry.group_ref or str(entry.id)].append((entry, name))
            continue
        charge = how.charge_account if how else acc["paheko_account_spend"]
        source = acc["paheko_account_cash"] if how and how.paid_from == "cash" else (
            acc["paheko_account_transfer"])
        piece = f"Dépense {entry.id}"
        out.append(Entry(f"depense-{entry.id}", piece, entry.entry_date, [[
            "", f"{entry.label} ({name})"[:120], entry.entry_date.strftime("%d/%m/%Y"),
            entry.receipt_ref, piece, "", charge, source, euros(-entry.amount_cents),
            projects[entry.envelope_id]]]))
    for pair in transfers.values():
        first = min(entry.id for entry, _ in pair)
        piece = f"Virement {first}"
        lines = []
        for entry, name in sorted(pair, key=lambda p: p[0].amount_cents):
            if entry.amount_cents < 0:  # leaves this project
                debit, credit = acc["paheko_account_sales"], acc["paheko_account_waiting"]
            else:
                debit, credit = acc["paheko_account_waiting"], acc["paheko_account_sales"]
            lines.append(["", f"{entry.label} ({name})"[:120],
                          entry.entry_date.strftime("%d/%m/%Y"), "Virement entre enveloppes",
                          piece, "", debit, credit, euros(abs(entry.amount_cents)),
                          projects[entry.envelope_id]])
        out.append(Entry(f"virement-{first}", piece, pair[0][0].entry_date, lines))
    return out


def order_entries(session: Session, start, end, acc: dict[str, str]) -> list[Entry]:
    """A partner's order in the books (issue 19): each invoice from the partner's account
    (411) to the orders' sales account, each credit note back, each payment from the bank
    (512, or the cheques to cash) to the partner's account. None carries a project: what
    the envelopes get is known once the invoice is paid (share_entries)."""
    customers, sales_account = acc["paheko_account_customers"], acc["paheko_account_orders"]
    invoices = list(session.scalars(select(Invoice).where(
        Invoice.created_at >= start, Invoice.created_at < end)
        .order_by(Invoice.year, Invoice.seq)))
    notes = list(session.execute(
        select(CreditNote, Invoice.number, Invoice.partner_name)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(CreditNote.created_at >= start, CreditNote.created_at < end)
        .order_by(CreditNote.year, CreditNote.seq)).all())
    out = []
    for invoice in invoices:
        piece = f"Facture {invoice.number}"
        day = _day(invoice.created_at)
        items = [Item(f"Facture {invoice.number} {invoice.partner_name}", day,
                      f"Commande {invoice.order_id}", customers, sales_account,
                      invoice.total_cents)]
        out.append(Entry(f"facture-{invoice.id}", piece, day, _rows(items, piece, {})))
    for note, number, partner in notes:
        piece = f"Avoir {note.number}"
        day = _day(note.created_at)
        items = [Item(f"Avoir {note.number} {partner} (facture {number})", day,
                      note.reason[:120], sales_account, customers, note.amount_cents)]
        out.append(Entry(f"avoir-{note.id}", piece, day, _rows(items, piece, {})))
    for payment, number in session.execute(
            select(OrderPayment, Order.number).join(Order, Order.id == OrderPayment.order_id)
            .where(OrderPayment.created_at >= start, OrderPayment.created_at < end)
            .order_by(OrderPayment.id)):
        piece = f"Paiement {payment.id}"
        account = acc[METHOD_ACCOUNT.get(payment.method, "paheko_account_transfer")]
        out.append(Entry(f"paiement-{payment.id}", piece, payment.received_on, [[
            "", f"Paiement commande {number}", payment.received_on.strftime("%d/%m/%Y"),
            payment.reference, piece, payment.reference, account, customers,
            euros(payment.amount_cents), ""]]))
    return out


def paid_invoices(session: Session, start=None, end=None) -> list[int]:
    """The invoices whose payment reached the envelopes (in [start, end) when given)."""
    query = select(Invoice.id).join(EnvelopeEntry, (EnvelopeEntry.receipt_ref == Invoice.number)
                                    & (EnvelopeEntry.kind == ORDER_KIND))
    if start is not None:
        query = query.where(EnvelopeEntry.created_at >= start, EnvelopeEntry.created_at < end)
    return sorted({int(i) for i in session.scalars(query)})


def share_entries(session: Session, invoice_ids: Iterable[int], acc: dict[str, str],
                  projects: dict[int, str]) -> list[Entry]:
    """What a paid invoice brought to each envelope, brought to Paheko's projects by an
    entry of its own, whenever the invoice was exported: its amount leaves the orders'
    sales account without a project for the waiting account (4718), and comes back to
    the sales account project by project (the account's total is unchanged, and each
    project's result gains the envelope's share)."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return []
    sales_account, waiting = acc["paheko_account_orders"], acc["paheko_account_waiting"]
    shares: dict[int, dict[str, int]] = defaultdict(dict)
    days: dict[int, date] = {}
    for invoice_id, envelope_id, day, cents in session.execute(
            select(Invoice.id, EnvelopeEntry.envelope_id, func.max(EnvelopeEntry.entry_date),
                   func.sum(EnvelopeEntry.amount_cents))
            .join(EnvelopeEntry, (EnvelopeEntry.receipt_ref == Invoice.number)
                  & (EnvelopeEntry.kind == ORDER_KIND))
            .where(Invoice.id.in_(ids))
            .group_by(Invoice.id, EnvelopeEntry.envelope_id)):
        code = projects[envelope_id]
        shares[invoice_id][code] = shares[invoice_id].get(code, 0) + int(cents)
        days[invoice_id] = max(days.get(invoice_id, day), day)
    out = []
    for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(list(shares)))
                                   .order_by(Invoice.year, Invoice.seq)):
        parts = {code: cents for code, cents in shares[invoice.id].items() if cents}
        total = sum(parts.values())
        if total <= 0:
            continue
        day, piece = days[invoice.id], f"Répartition {invoice.number}"
        label = f"Facture {invoice.number} {invoice.partner_name} payée"
        rows = [["", f"{label} : vers les enveloppes"[:120], day.strftime("%d/%m/%Y"),
                 "Part des enveloppes, une ligne par projet", piece, "", sales_account,
                 waiting, euros(total), ""]]
        rows += [["", f"{label} : part {code}"[:120], day.strftime("%d/%m/%Y"),
                  "Part des enveloppes", piece, "", waiting, sales_account, euros(cents),
                  code] for code, cents in sorted(parts.items())]
        out.append(Entry(f"repartition-facture-{invoice.id}", piece, day, rows))
    return out


# Personnel bénévole / Bénévolat, in the 2018 and 2025 association charts (870 is "Dons en
# nature")
VOLUNTEER_DEBIT, VOLUNTEER_CREDIT = "864", "875"


def volunteer_entries(session: Session, ids: Iterable[int]) -> list[Entry]:
    """The volunteers' hours at each closed drawer, rounded as the reports round them
    (to the tenth of an hour), valued at PAHEKO_VOLUNTEER_HOUR_CENTS an hour in class
    86/87 (optional in the accounts, read by funders); none when 0."""
    from flask import current_app

    rate = int(current_app.config.get("PAHEKO_VOLUNTEER_HOUR_CENTS") or 0)
    wanted = sorted(set(ids))
    if rate <= 0 or not wanted:
        return []
    minutes: dict[int, int] = defaultdict(int)
    for drawer_id, started, ended in session.execute(
            select(Shift.cash_session_id, Shift.started_at, Shift.ended_at)
            .where(Shift.cash_session_id.in_(wanted), Shift.ended_at.is_not(None))):
        minutes[drawer_id] += max(0, int((ended - started).total_seconds() // 60))
    out = []
    for drawer in session.scalars(select(CashSession).where(CashSession.id.in_(wanted))
                                  .order_by(CashSession.id)):
        tenths = hours_tenths(minutes.get(drawer.id, 0))  # the reports' one rounding
        cents = tenths * rate // 10
        if drawer.closure is None or cents <= 0:
            continue  # an open drawer's shifts are not over; 0,00 is refused by Paheko
        day, piece = _day(drawer.opened_at), f"Bénévolat {drawer.id}"
        hours = f"{tenths // 10},{tenths % 10}"
        out.append(Entry(f"benevolat-{drawer.id}", piece, day, [[
            "", f"Bénévolat : {hours} h, {drawer.name}"[:120], day.strftime("%d/%m/%Y"),
            f"{hours} h à {euros(rate)} l'heure", piece, "", VOLUNTEER_DEBIT,
            VOLUNTEER_CREDIT, euros(cents), ""]]))
    return out


def drawers_in(session: Session, start, end) -> list[int]:
    """The drawers a period holds: opened, closed or selling in it."""
    query = union(
        select(CashSession.id).where(CashSession.opened_at >= start,
                                     CashSession.opened_at < end),
        select(CashSessionClosure.cash_session_id).where(
            CashSessionClosure.closed_at >= start, CashSessionClosure.closed_at < end),
        select(Sale.cash_session_id).where(Sale.cash_session_id.is_not(None),
                                           Sale.created_at >= start, Sale.created_at < end))
    return [int(i) for i in session.scalars(query)]


def entries(session: Session, date_from: date, date_to: date,
            extra_drawers: Iterable[int] = (), done: frozenset[str] | set[str] = frozenset(),
            extra_invoices: Iterable[int] = ()) -> list[Entry]:
    """The period's entries, open drawers included (marked not ready), in date order;
    `extra_drawers`: drawers left out by an earlier export, or exported before a sale
    reached them, whatever their date; `done`: the references exported already (a drawer
    among them gives only its sales that came after); `extra_invoices`: invoices paid
    whose shares no export carried yet, whatever their date."""
    acc = accounts(session)
    projects = _projects(session)
    start, end = period_bounds(date_from, date_to)
    drawers = [*drawers_in(session, start, end), *extra_drawers]  # (one UNION, used twice)
    found = [*drawer_entries(session, drawers, acc, projects, done),
             *sale_entries(session, start, end, acc, projects),
             *envelope_entries(session, date_from, date_to, acc, projects),
             *order_entries(session, start, end, acc),
             *share_entries(session, [*paid_invoices(session, start, end), *extra_invoices],
                            acc, projects),
             *volunteer_entries(session, drawers)]
    return sorted(found, key=lambda e: e.day)  # stable: drawers first on a day


def paheko_rows(session: Session, date_from: date, date_to: date) -> list[list[str]]:
    """Every row of the period's entries, drawers still open included (what they would
    give if closed now, before their allocation)."""
    return [row for entry in entries(session, date_from, date_to) for row in entry.rows]


def ready_entry_days(session: Session, date_from: date, date_to: date) -> dict[str, date]:
    """The references and days of the period's ready entries, without building their rows
    (what the exports page needs to propose a period, cheaply)."""
    start, end = period_bounds(date_from, date_to)
    out: dict[str, date] = {}
    for drawer_id, opened_at in session.execute(
            select(CashSession.id, CashSession.opened_at)
            .join(CashSessionClosure, CashSessionClosure.cash_session_id == CashSession.id)
            .where(CashSession.opened_at >= start, CashSession.opened_at < end)):
        out[f"caisse-{drawer_id}"] = _day(opened_at)
    for statement_id, created_at in session.execute(
            select(ConsignmentStatement.id, ConsignmentStatement.created_at).where(
                ConsignmentStatement.created_at >= start,
                ConsignmentStatement.created_at < end)):
        out[f"releve-{statement_id}"] = _day(created_at)
    firsts: dict[str, tuple[int, date]] = {}
    for entry_id, kind, group, day in session.execute(
            select(EnvelopeEntry.id, EnvelopeEntry.kind, EnvelopeEntry.group_ref,
                   EnvelopeEntry.entry_date)
            .where(EnvelopeEntry.kind.in_(("spend", "transfer")),
                   EnvelopeEntry.entry_date >= date_from, EnvelopeEntry.entry_date <= date_to)):
        if kind == "spend":
            out[f"depense-{entry_id}"] = day
        else:
            key = group or str(entry_id)
            firsts[key] = min(firsts.get(key, (entry_id, day)), (entry_id, day))
    for entry_id, day in firsts.values():
        out[f"virement-{entry_id}"] = day
    exported_at = drawers_exported_at(session)  # sales that reached them after
    for drawer_id, sales in late_sale_ids(session, exported_at, exported_at).items():
        for sale_id in sales:
            out[f"tardive-{sale_id}"] = _day(exported_at[drawer_id])
    for invoice_id, created_at in session.execute(
            select(Invoice.id, func.min(EnvelopeEntry.created_at))
            .join(EnvelopeEntry, (EnvelopeEntry.receipt_ref == Invoice.number)
                  & (EnvelopeEntry.kind == ORDER_KIND))
            .where(EnvelopeEntry.created_at >= start, EnvelopeEntry.created_at < end)
            .group_by(Invoice.id)):
        out[f"repartition-facture-{invoice_id}"] = _day(created_at)
    for prefix, model in (("facture", Invoice), ("avoir", CreditNote),
                          ("paiement", OrderPayment)):
        for row_id, created_at in session.execute(select(model.id, model.created_at).where(
                model.created_at >= start, model.created_at < end)):
            out[f"{prefix}-{row_id}"] = _day(created_at)
    return out
