"""A partner order's paper: the quote (devis), the delivery slip (bon de livraison), the
invoice (facture) and the credit note (avoir), as A4 PDFs (fpdf2) and printable pages; the
delivery slip also as a printer Report for the receipt printer ("delivery_slip").

Each is built from the rows each time it is printed, so a reprint is the same document.
The invoice carries what French practice asks of an association outside VAT
(FIELD-NOTES): number, date, the association's identity, the customer, each line, the
total, "TVA non applicable, art. 293 B du CGI" and the payment terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.documents.pdf import a4
from kiosk.documents.receipts import setting
from kiosk.errors import InvalidInput, NotFound
from kiosk.ledger.money import format_money_for_paper as money
from kiosk.models import PrintJob, Setting
from kiosk.sales import partner_orders
from kiosk.text import _
from kiosk.vocabulary import NOTE_MAX, PARIS
from printer.printouts import Report, Section

if TYPE_CHECKING:
    from fpdf import FPDF

VAT_MENTION = "TVA non applicable, art. 293 B du CGI"

# The association's identity on invoices, beside the receipts' name and address.
ISSUER_DEFAULTS = {
    "invoice_siret": "",  # SIRET or RNA number, if the association has one
    "invoice_iban": "",  # where a transfer goes
    "invoice_terms": "Paiement à 30 jours, par virement ou par chèque à l'ordre de l'ASCS.",
    # Code de commerce L441-10: the late-payment penalty rate (at least three times the
    # legal interest rate; without a stipulation, the ECB's rate plus 10 points)
    "invoice_penalties": "Pénalités de retard : taux de la Banque centrale européenne à son "
                         "opération de refinancement la plus récente, majoré de 10 points.",
}
# L441-10 and D441-5: due by any business paying late, whatever the penalties' rate.
RECOVERY_INDEMNITY = ("Indemnité forfaitaire pour frais de recouvrement due en cas de retard "
                      "de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce).")
NOT_DELIVERED = "sans bon de livraison"
ISSUER_KEYS = ("receipt_name", "receipt_address", *ISSUER_DEFAULTS)


def issuer(session: Session) -> dict[str, str]:
    stored = dict(session.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_(list(ISSUER_DEFAULTS)))).all())
    values = {key: stored.get(key, default) for key, default in ISSUER_DEFAULTS.items()}
    values["receipt_name"] = setting(session, "receipt_name")
    values["receipt_address"] = setting(session, "receipt_address")
    return values


def set_issuer(session: Session, values: dict[str, str]) -> None:
    """The treasurer's settings for the invoices' heading and terms."""
    for key in ISSUER_KEYS:
        value = (values.get(key) or "").strip().replace("\r\n", "\n")
        if len(value) > NOTE_MAX or any(ord(c) < 32 and c != "\n" for c in value):
            raise InvalidInput("issuer", _("Chaque réglage fait 500 caractères au plus."))
        if key == "receipt_name" and not value:
            raise InvalidInput("issuer", _("Le nom de l'association est obligatoire."))
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value


@dataclass
class Paper:
    """One business document, as the PDF and the printable page both show it."""

    title: str  # "FACTURE"
    number: str
    day: str  # dd/mm/yyyy
    issuer: list[str]
    recipient: list[str]
    references: list[str]  # "Commande DEV-2026-0001", "Échéance : …"
    columns: list[str]
    rows: list[list[str]]
    totals: list[tuple[str, str]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    signature: str = ""  # a box to sign: "Bon pour accord", "Reçu par"
    filename: str = ""


def _issuer_lines(session: Session) -> list[str]:
    me = issuer(session)
    lines = [me["receipt_name"], *me["receipt_address"].splitlines()]
    if me["invoice_siret"]:
        lines.append(f"SIRET / RNA : {me['invoice_siret']}")
    return lines


def _recipient(name: str, address: str, contact: str = "") -> list[str]:
    lines = [name, *address.splitlines()]
    if contact:
        lines.append(f"Contact : {contact}")
    return lines


def _day(moment) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y")


def quote(session: Session, order_id: int) -> Paper:
    state = partner_orders.order_state(session, order_id)
    order = state.order
    references = []
    if state.lot is not None:
        references.append(f"Taillé dans : {state.lot.partner} · "
                          f"{state.lot.description or state.lot.code}")
    if order.wished_on:
        references.append(f"Date souhaitée : {order.wished_on:%d/%m/%Y}")
    if order.note:
        references.append(order.note)
    return Paper(
        "DEVIS", order.number, _day(order.created_at), _issuer_lines(session),
        _recipient(state.partner.name, state.partner.address, state.partner.contact),
        references, ["Désignation", "Quantité", "Prix unitaire", "Montant"],
        [[s.line.description, str(s.line.qty), money(s.line.unit_price_cents),
          money(s.line.line_total_cents)] for s in state.lines],
        [("Total", money(order.total_cents))],
        [VAT_MENTION, issuer(session)["invoice_terms"]],
        "Bon pour accord (date, nom et signature)", f"devis-{order.number}.pdf")


def delivery(session: Session, delivery_id: int) -> Paper:
    found = partner_orders.get_delivery(session, delivery_id)
    state = partner_orders.order_state(session, found.order_id)
    [(slip, lines)] = [(d, ls) for d, ls in state.deliveries if d.id == found.id]
    by_line = {s.line.id: s for s in state.lines}
    return Paper(
        "BON DE LIVRAISON", slip.number, _day(slip.created_at), _issuer_lines(session),
        _recipient(state.partner.name, state.partner.address, state.partner.contact),
        [f"Commande {state.order.number}"], ["Désignation", "Référence", "Quantité livrée"],
        [[by_line[line.order_line_id].line.description, by_line[line.order_line_id].sku or "",
          str(line.qty)] for line in lines],
        [("Pièces livrées", str(sum(line.qty for line in lines)))], [],
        "Reçu par (date, nom et signature)", f"bon-de-livraison-{slip.number}.pdf")


def invoice(session: Session, invoice_id: int) -> Paper:
    found = partner_orders.get_invoice(session, invoice_id)
    state = partner_orders.order_state(session, found.order_id)
    [current] = [i for i in state.invoices if i.invoice.id == found.id]
    me = issuer(session)
    references = [f"Commande {state.order.number}"]
    if found.purchase_order:
        references.append(f"Votre bon de commande n° {found.purchase_order}")
    slips = [f"{slip.number} du {_day(slip.created_at)}" for slip, _lines in state.deliveries
             if slip.created_at <= found.created_at]
    references.append(f"Livraison : {', '.join(slips)}" if slips
                      else "Livraison : aucune à la date de la facture")
    references.append(f"Échéance : {found.due_on:%d/%m/%Y}")
    # What is invoiced without a delivery slip (a free line: a service, or pieces not
    # handed over through the kiosk) says so, on its line and below.
    products = {s.line.id: s.line.product_id for s in state.lines}
    undelivered = [line for line in current.lines if not products.get(line.order_line_id)]
    mentions = [VAT_MENTION, me["invoice_terms"]]
    mentions.append(me["invoice_penalties"] or ISSUER_DEFAULTS["invoice_penalties"])
    mentions.append(RECOVERY_INDEMNITY)
    if undelivered:
        mentions.insert(0, "Facturé sans bon de livraison (prestation, ou pièces remises "
                        "hors bon de livraison) : " + "; ".join(
                            f"{line.description} x {line.qty}" for line in undelivered) + ".")
    if me["invoice_iban"]:
        mentions.append(f"IBAN : {me['invoice_iban']}")
    mentions.append(f"Merci de rappeler le numéro {found.number} avec votre paiement.")
    totals = [("Total", money(found.total_cents))]
    for note in current.credit_notes:
        totals.append((f"Avoir {note.number}", "- " + money(note.amount_cents)))
    return Paper(
        "FACTURE", found.number, f"{found.issued_on:%d/%m/%Y}", _issuer_lines(session),
        _recipient(found.partner_name, found.partner_address), references,
        ["Désignation", "Quantité", "Prix unitaire", "Montant"],
        [[line.description + (f" ({NOT_DELIVERED})" if line in undelivered else ""),
          str(line.qty), money(line.unit_price_cents), money(line.line_total_cents)]
         for line in current.lines],
        totals, mentions, "", f"facture-{found.number}.pdf")


def credit_note(session: Session, note_id: int) -> Paper:
    note = partner_orders.get_credit_note(session, note_id)
    found = partner_orders.get_invoice(session, note.invoice_id)
    return Paper(
        "AVOIR", note.number, _day(note.created_at), _issuer_lines(session),
        _recipient(found.partner_name, found.partner_address),
        [f"Sur la facture {found.number} du {found.issued_on:%d/%m/%Y}"],
        ["Motif", "Montant"], [[note.reason, "- " + money(note.amount_cents)]],
        [("Total de l'avoir", "- " + money(note.amount_cents))], [VAT_MENTION], "",
        f"avoir-{note.number}.pdf")


BUILDERS = {"quote": quote, "delivery": delivery, "invoice": invoice,
            "credit_note": credit_note}


def paper(session: Session, kind: str, ref_id: int) -> Paper:
    if kind not in BUILDERS:
        raise NotFound("unknown_document", _("Ce document n'existe pas."))
    return BUILDERS[kind](session, ref_id)


# --- PDF ----------------------------------------------------------------------------------

def paper_pdf(doc: Paper) -> bytes:
    pdf: FPDF = a4(f"{doc.title} {doc.number}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width * 0.5, 6, doc.issuer[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in doc.issuer[1:]:
        pdf.multi_cell(width * 0.5, 5, line, new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.55, top + 14)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width * 0.45, 6, doc.recipient[0], new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in doc.recipient[1:]:
        pdf.multi_cell(width * 0.45, 5, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(left_end, pdf.get_y()) + 8)
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(width, 10, f"{doc.title} n° {doc.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 6, f"Date : {doc.day}", new_x="LMARGIN", new_y="NEXT")
    for line in doc.references:
        pdf.multi_cell(width, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    first = 0.46 if len(doc.columns) > 2 else 0.75
    rest = (1 - first) / max(len(doc.columns) - 1, 1)
    widths = [width * first] + [width * rest] * (len(doc.columns) - 1)
    pdf.set_font("DejaVu", "B", 10)
    for name, cell_width in zip(doc.columns, widths, strict=True):
        pdf.cell(cell_width, 8, name, border="B", align="L" if name == doc.columns[0] else "R")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 10)
    for row in doc.rows:
        y = pdf.get_y()
        pdf.multi_cell(widths[0], 6, row[0], new_x="RIGHT", new_y="TOP")
        for value, cell_width in zip(row[1:], widths[1:], strict=True):
            pdf.cell(cell_width, 6, value, align="R")
        pdf.set_y(max(pdf.get_y() + 6, y + 6))
    pdf.ln(2)
    for label, value in doc.totals:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(width * 0.75, 7, label, align="R", border="T")
        pdf.cell(width * 0.25, 7, value, align="R", border="T", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 10)
    for line in doc.mentions:
        pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    if doc.signature:
        pdf.ln(8)
        pdf.cell(width, 6, doc.signature, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.cell(width * 0.5, 24, "", border=1, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- the delivery slip on the receipt printer -------------------------------------------

def delivery_report(session: Session, delivery_id: int) -> Report:
    doc = delivery(session, delivery_id)
    return Report(f"{doc.title} {doc.number}", [doc.issuer[0], f"Le {doc.day}",
                                                *doc.references],
                  [Section("Pour", [(line, "") for line in doc.recipient]),
                   Section("Pièces", [(row[0], row[2]) for row in doc.rows])],
                  signatures=["Reçu par"])


def build_delivery_job(session: Session, job: PrintJob) -> Report:
    """The queue's builder of "delivery_slip": the job's ref is the delivery's id."""
    return delivery_report(session, job.ref_id)
