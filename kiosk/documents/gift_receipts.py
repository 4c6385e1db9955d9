"""The gift receipt (reçu de don) on paper and as a PDF: a printer Report built from the
GiftReceipt row, registered with the print queue as "gift_receipt" (ref: its id)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.documents.receipts import setting
from kiosk.ledger.money import format_money_for_paper as money
from kiosk.models import GiftReceipt, PrintJob, Sale
from kiosk.services.words import euros_in_words
from kiosk.vocabulary import PARIS, method_word
from printer.printouts import Report, Section


def gift_report(session: Session, receipt: GiftReceipt) -> Report:
    """Its mentions: a unique number, the association, the donor, the amount in figures
    and in words, the date, the method; a line to sign. Never the price of an item."""
    sale = session.get(Sale, receipt.sale_id)
    identity = [line for line in (setting(session, "receipt_name"),
                                  setting(session, "receipt_address"),
                                  setting(session, "gift_receipt_identity")) if line]
    when = receipt.created_at.astimezone(PARIS)
    return Report(
        title="REÇU DE DON",
        header=identity,
        sections=[
            Section(f"Reçu n° {receipt.number}", [
                ("Date du don", when.strftime("%d/%m/%Y")),
                ("Ticket", sale.number if sale else "")]),
            Section("Donateur", [(receipt.donor_name, ""), (receipt.donor_address, "")]),
            Section("Don", [
                ("Montant", money(receipt.amount_cents)),
                (f"Soit {euros_in_words(receipt.amount_cents)}", ""),
                ("Moyen de paiement", method_word(receipt.method, paper=True))]),
        ],
        footer=["Don manuel reçu par l'association, à part de tout achat."],
        signatures=["Pour l'association"],
    )


def build_job(session: Session, job: PrintJob) -> Report:
    receipt = session.get(GiftReceipt, job.ref_id)
    if receipt is None:
        raise LookupError(f"gift receipt {job.ref_id} does not exist")
    return gift_report(session, receipt)
