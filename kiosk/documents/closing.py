"""The Z report and the hand-over slip of a closed session, as printer Reports (paper and PDF).

Both are built from the database each time they are printed, so a reprint is the same
document; the print queue marks copies "DUPLICATA". Registered with the queue as
"z_report" and "slip" (kiosk/documents/__init__.py).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.documents import queue
from kiosk.documents.receipts import setting
from kiosk.errors import Conflict
from kiosk.ledger.money import donation_by_method
from kiosk.ledger.money import format_money_for_paper as money
from kiosk.models import (
    Envelope,
    EnvelopeEntry,
    Location,
    Payment,
    PrintJob,
    Product,
    Sale,
    SaleLine,
    User,
)
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.services.cash import get_cash_session
from kiosk.services.closing import (
    closed_figures,
    closing_entry,
    counted_lines,
    difference_in_words,
    late_sales,
    session_cheques,
    session_totals,
)
from kiosk.services.setup import is_demo
from kiosk.services.witness import came_back
from kiosk.vocabulary import LATE_SALE, PARIS, kind_word, method_word
from printer.printouts import Report, Section

DOCUMENTS = ("z_report", "slip")


def _when(moment) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _closed(session: Session, cash_session_id: int):
    cash_session = get_cash_session(session, cash_session_id)
    if cash_session.closure is None:
        raise Conflict("session_open", "Cette caisse n'est pas encore fermée : le ticket Z et "
                       "le bordereau viennent après la clôture.")
    return cash_session, cash_session.closure


def _header(session: Session, cash_session, closure) -> list[str]:
    location = session.get(Location, cash_session.location_id)
    opened_by = session.get(User, cash_session.opened_by)
    closed_by = session.get(User, closure.closed_by)
    # the group's name as typed at the first start (the receipt's), not the demo's
    return [setting(session, "receipt_name"), f"{cash_session.name} - {location.name}",
            f"Caisse n° {cash_session.id}",
            f"Ouverte le {_when(cash_session.opened_at)} par {opened_by.name}",
            f"Fermée le {_when(closure.closed_at)} par {closed_by.name}"]


def _hash_lines(session: Session, cash_session_id: int, closure) -> list[str]:
    """The chain's hashes, each on two half lines: 64 characters fit no receipt. The
    closing entry's number and hash are what `verify-journal --expect-head` is given; the
    Z and the slip add a short control code, never a command line (issue 27: the command
    is in SECURITY.md and docs/backup.md)."""
    entry = closing_entry(session, cash_session_id)
    lines = ["Empreinte du journal avant clôture :", closure.journal_hash[:32],
             closure.journal_hash[32:]]
    if entry is not None:
        # the paper is the chain's anchor outside the database (SECURITY.md)
        lines += [f"Écriture de clôture n° {entry.seq} :", entry.hash[:32], entry.hash[32:],
                  f"Code de contrôle : {entry.seq}-{entry.hash[:8].upper()}"]
    return lines


def _allocations(session: Session, cash_session_id: int, kind: str = "takings"
                 ) -> list[tuple[str, str]]:
    """What the closing posted to each envelope: the takings, or ("donation") the gifts."""
    rows = session.execute(
        select(Envelope.name, func.sum(EnvelopeEntry.amount_cents))
        .join(Envelope, Envelope.id == EnvelopeEntry.envelope_id)
        .where(EnvelopeEntry.cash_session_id == cash_session_id,
               EnvelopeEntry.kind == kind)
        .group_by(Envelope.name).order_by(Envelope.name))
    return [(name, money(int(cents))) for name, cents in rows]


def ticket_ranges(numbers) -> str:
    """The drawer's tickets as runs of consecutive numbers: a number another drawer or a
    consignment statement took in between is left out ("2026-000001 à 2026-000004,
    2026-000006")."""
    runs: list[list] = []
    for year, seq, number in numbers:
        if runs and runs[-1][0] == year and runs[-1][1] + 1 == seq:
            runs[-1][1], runs[-1][3] = seq, number
        else:
            runs.append([year, seq, number, number])
    return ", ".join(first if first == last else f"{first} à {last}"
                     for _, _, first, last in runs) or "aucun"


def late_sales_words(count: int) -> str:
    return f"{count} vente{'s' if count > 1 else ''} arrivée{'s' if count > 1 else ''} " \
        "après la clôture"


def late_count_line(session: Session, cash_session_id: int) -> list[tuple[str, str]]:
    count = late_sales(session, cash_session_id).count
    return [(f"Dont {late_sales_words(count)}", str(count))] if count else []


def _late_section(session: Session, cash_session_id: int, closure) -> list[Section]:
    """Sales that waited on a tablet and reached the drawer after its closing: sold while
    it was open, so their cash was in the count; the difference reads again without it."""
    figures = closed_figures(session, cash_session_id, closure)
    late = figures.late
    if not late.count:
        return []
    corrected = figures.difference_cents
    rows = [(late_sales_words(late.count), money(late.total_cents))]
    rows += [(f"{s.number} faite le {_when(s.sold_at)}" if s.sold_at else s.number,
              money(s.total_cents)) for s in late.sales]
    rows += [("Leurs espèces, déjà dans le compte", money(late.cash_cents)),
             ("Écart corrigé", money(corrected)),
             (difference_in_words(corrected, money).capitalize(), ""),
             ("Ajouté aux enveloppes", money(late.to_envelopes_cents))]
    rows += [(f"  {name}", cents) for name, cents in
             _allocations(session, cash_session_id, LATE_SALE)]
    return [Section("Ventes arrivées après la clôture", rows)]


def _came_back_section(session: Session, cash_session_id: int) -> list[Section]:
    """Sales the server had lost (rebuilt from a copy a few seconds behind) that a tablet
    sent again (kiosk/services/witness.py): each with the number it had before."""

    rows = [(f"{sale.number}" + (f" (avant : {sale.earlier_number})"
                                 if sale.earlier_number and sale.earlier_number != sale.number
                                 else ""), money(sale.total_cents))
            for sale in came_back(session, cash_session_id)]
    return [Section("Ventes renvoyées par une tablette", rows)] if rows else []
def gifts_by_method(session: Session, cash_session_id: int) -> dict[str, int]:
    """The drawer's gifts by the method they came in (as the books take them: the gift
    from a sale's last payments first, kiosk.ledger.money.donation_by_method)."""
    payments: dict[int, list[tuple[str, int]]] = {}
    gifts: dict[int, int] = {}
    for sale_id, donation, method, amount in session.execute(
            select(Sale.id, Sale.donation_cents, Payment.method, Payment.amount_cents)
            .join(Payment, Payment.sale_id == Sale.id)
            .where(Sale.cash_session_id == cash_session_id, Sale.donation_cents != 0)
            .order_by(Sale.id, Payment.id)):
        payments.setdefault(sale_id, []).append((method, amount))
        gifts[sale_id] = donation
    out: dict[str, int] = {}
    for sale_id, paid in payments.items():
        for method, cents in donation_by_method(paid, gifts[sale_id]).items():
            out[method] = out.get(method, 0) + cents
    return out


def _by_method_rows(by_method: dict[str, int], gifts: dict[str, int]
                    ) -> list[tuple[str, str]]:
    """Per method, the sales, then (when there are some) the gifts, then what came in."""
    rows = []
    for method in PaymentMethod:
        total = by_method.get(method, 0)
        if method == PaymentMethod.TRANSFER and not total:
            continue
        word = method_word(method, paper=True)
        gift = gifts.get(method, 0)
        if not gifts:
            rows.append((word, money(total)))
            continue
        rows.append((f"{word} : ventes", money(total - gift)))
        if gift:
            rows.append((f"{word} : dons", money(gift)))
    if gifts:
        rows.append(("Encaissé, ventes et dons", money(sum(by_method.values()))))
    return rows


def z_report(session: Session, cash_session_id: int) -> Report:
    """Sales count, totals by method and by product, voids and refunds with reasons,
    the gifts apart from the sales, the count and its difference, the envelopes."""
    cash_session, closure = _closed(session, cash_session_id)
    totals = session_totals(session, cash_session_id)
    by_product = session.execute(
        select(Product.name, func.sum(SaleLine.qty), func.sum(SaleLine.line_total_cents))
        .join(Sale, Sale.id == SaleLine.sale_id).join(Product, Product.id == SaleLine.product_id)
        .where(Sale.cash_session_id == cash_session_id)
        .group_by(Product.name).order_by(Product.name)).all()
    undone = session.scalars(select(Sale).where(
        Sale.cash_session_id == cash_session_id, Sale.kind.in_((SaleKind.VOID, SaleKind.REFUND)))
        .order_by(Sale.seq)).all()
    changed = session.execute(
        select(Sale.number, Product.name, SaleLine.qty, SaleLine.unit_price_cents,
               SaleLine.catalogue_price_cents)
        .join(Sale, Sale.id == SaleLine.sale_id).join(Product, Product.id == SaleLine.product_id)
        .where(Sale.cash_session_id == cash_session_id,
               SaleLine.catalogue_price_cents.is_not(None),
               SaleLine.catalogue_price_cents != SaleLine.unit_price_cents)
        .order_by(Sale.seq, SaleLine.id)).all()
    numbers = session.execute(select(Sale.year, Sale.seq, Sale.number).where(
        Sale.cash_session_id == cash_session_id).order_by(Sale.year, Sale.seq)).all()
    sections = [
        Section("Ventes", [
            ("Nombre de ventes", str(totals.sales_count)),
            ("Annulations", str(totals.voids_count)),
            ("Remboursements", str(totals.refunds_count)),
            ("Tickets", ticket_ranges(numbers)),
            *late_count_line(session, cash_session_id),
            ("Total net des ventes", money(totals.revenue_cents))]),
        Section("Dons (à part des ventes)", [
            ("Tickets avec un don", str(totals.donations_count)),
            ("Dont dons sans achat", str(totals.gift_only_count)),
            ("Total des dons", money(totals.donations_cents))]),
        # Sales and gifts apart, method by method (issue 28): the gifts are booked apart
        # (7541), and the slip gives them apart too.
        Section("Par moyen de paiement", _by_method_rows(
            totals.by_method, gifts_by_method(session, cash_session_id))),
        Section("Par article", [(f"{name} x {int(qty)}", money(int(cents)))
                                for name, qty, cents in by_product] or [("Aucun article", "")]),
        # A price chosen instead of the catalogue's (a treasurer's): the Z names each one.
        Section("Prix modifiés", [
            (f"{number} {name} x {qty} : {money(price)} au lieu de {money(catalogue)}", "")
            for number, name, qty, price, catalogue in changed] or [("Aucun", "")]),
        Section("Annulations et remboursements", [
            (f"{s.number} {kind_word(s.kind, paper=True)} : {s.reason}", money(s.total_cents))
            for s in undone] or [("Aucun", "")]),
        Section("Caisse", [
            ("Fond de caisse", money(totals.float_cents)),
            ("Espèces reçues", money(totals.cash_tendered_cents)),
            ("Monnaie rendue", money(-totals.change_cents)),
            ("Espèces remboursées", money(-totals.cash_refunds_cents)),
            ("Espèces attendues", money(closure.expected_cash_cents)),
            ("Espèces comptées", money(closure.counted_cash_cents)),
            ("Écart", money(closure.difference_cents)),
            (difference_in_words(closure.difference_cents, money, paper=True).capitalize(), ""),
            ("Chèques remis", money(closure.cheque_total_cents)),
            ("Carte (terminal)", money(closure.card_total_cents))]),
        Section("Enveloppes", _allocations(session, cash_session_id)
                or [("Rien à répartir", "")]),
        *_late_section(session, cash_session_id, closure),
        *_came_back_section(session, cash_session_id),
    ]
    if totals.donations_cents:
        sections.append(Section("Dons dans les enveloppes",
                                _allocations(session, cash_session_id, "donation")))
    return Report(title="TICKET Z", header=_header(session, cash_session, closure),
                  sections=sections, footer=_hash_lines(session, cash_session_id, closure),
                  demo=is_demo(session))


def slip(session: Session, cash_session_id: int) -> Report:
    """The bordereau de remise: what the treasurer takes away, to sign."""
    cash_session, closure = _closed(session, cash_session_id)
    lines = counted_lines(session, cash_session_id, "close")
    cheques = session_cheques(session, cash_session_id)
    cash_handed = closure.counted_cash_cents - cash_session.float_cents
    donations = session_totals(session, cash_session_id).donations_cents
    gifts = gifts_by_method(session, cash_session_id)
    cash_rows = [(f"{line.count} x {money(line.denomination_cents)}",
                  money(line.count * line.denomination_cents)) for line in lines]
    cash_rows.append(("Total compté", money(closure.counted_cash_cents)))
    cheque_rows = []
    for number, cheque in enumerate(cheques, 1):
        who = " ".join(part for part in (cheque.drawer, cheque.bank) if part) or "sans nom"
        ref = f" n° {cheque.number}" if cheque.number else ""
        cheque_rows.append((f"{number}. {who}{ref}", money(cheque.amount_cents)))
    cheque_rows.append((f"Total ({len(cheques)} chèque(s))", money(closure.cheque_total_cents)))
    sections = [
        Section("Espèces par billet et pièce", cash_rows),
        Section("Chèques", cheque_rows),
        Section("Carte bancaire", [("Total du terminal", money(closure.card_total_cents))]),
        Section("Remise", [
            ("Fond de caisse rendu", money(cash_session.float_cents)),
            ("Espèces remises", money(cash_handed)),
            ("Chèques remis", money(closure.cheque_total_cents)),
            ("Recette remise (espèces et chèques)",
             money(cash_handed + closure.cheque_total_cents)),
            ("Dons reçus, tous moyens (à part des ventes)", money(donations)),
            *((f"dont {method_word(method, paper=True).lower()}", money(gifts[method]))
              for method in PaymentMethod if gifts.get(method)),
            ("Écart de caisse", money(closure.difference_cents)),
            (difference_in_words(closure.difference_cents, money, paper=True).capitalize(), "")]),
    ]
    return Report(title="BORDEREAU DE REMISE", header=_header(session, cash_session, closure),
                  sections=sections,
                  footer=_hash_lines(session, cash_session_id, closure),
                  signatures=["Remis par", "Reçu par (trésorière)"], demo=is_demo(session))


def build(session: Session, document: str, cash_session_id: int) -> Report:
    return z_report(session, cash_session_id) if document == "z_report" else slip(
        session, cash_session_id)


def build_job(session: Session, job: PrintJob) -> Report:
    """The queue's builder for both documents: the job names which, its ref the session."""
    return build(session, job.document, job.ref_id)


def already_printed(session: Session, document: str, cash_session_id: int) -> bool:
    return session.scalar(select(func.count()).select_from(PrintJob).where(
        PrintJob.document == document, PrintJob.ref_id == cash_session_id,
        PrintJob.status == queue.PRINTED)) > 0


def print_document(session: Session, document: str, cash_session_id: int) -> str:
    """Print (or queue) one of the two documents; a copy says DUPLICATA."""
    _closed(session, cash_session_id)
    session.rollback()
    return queue.submit_and_attempt(session, document, ref_id=cash_session_id)


def print_closing_documents(session: Session, cash_session_id: int) -> dict[str, str]:
    """After a close: the Z report then the slip, each printed or queued."""
    return {document: print_document(session, document, cash_session_id)
            for document in DOCUMENTS}
