"""The sale receipt: what the printer gets for a sale, a void or a refund.

Registered with the print queue as "receipt" (kiosk/documents/__init__.py), so
`queue.submit_and_attempt(session, "receipt", ref_id=sale.id)` prints it; the queue marks
reprints DUPLICATA itself.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import PrintJob, Product, Sale, Setting, User
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.services.setup import is_demo
from kiosk.vocabulary import PARIS, kind_word, method_word
from printer.printouts import PaymentLine, Receipt, ReceiptLine

# Settings an admin may change (Setting rows, or KIOSK_RECEIPT_* in the environment).
DEFAULTS = {
    "receipt_name": "Les Fées déclic — section de l'ASCS",
    "receipt_address": "Centre social de la Fontaine d'Ouche, Dijon",
    # An association under the VAT threshold says so on its receipts.
    "receipt_legal": "TVA non applicable, art. 293 B du CGI",
    "receipt_thanks": "Merci ! Vos achats financent les sorties et les actions solidaires "
                      "des Fées déclic.",
    # The law forbids printing receipts systematically (FIELD-NOTES): on request by
    # default; "always" prints one for every sale, "never" hides the button.
    "receipt_mode": "on_request",
    # Reçus de don only if the association may issue them (d'intérêt général): "on".
    "gift_receipts": "off",
    # Its identity on a gift receipt beyond its name and address: RNA or SIRET, object.
    "gift_receipt_identity": "",
}
RECEIPT_MODES = ("on_request", "always", "never")
# A sale that takes money back says so above everything else: "REMBOURSEMENT", "ANNULATION".
TITLED_KINDS = (SaleKind.REFUND, SaleKind.VOID)


def setting(session: Session, key: str) -> str:
    """An admin's Setting row first, then the configuration, then the default."""
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    if value is not None:
        return value
    if has_app_context():
        configured = current_app.config.get(key.upper())
        if configured is not None:
            return str(configured)
    return DEFAULTS[key]


def address_lines(address: str) -> list[str]:
    """The address as its lines were typed (blank ones dropped)."""
    return [line.strip() for line in (address or "").splitlines() if line.strip()]


def receipt_mode(session: Session) -> str:
    """"on_request", "always" or "never"; anything else stored reads as on request."""
    mode = setting(session, "receipt_mode")
    return mode if mode in RECEIPT_MODES else "on_request"


def gift_receipts_enabled(session: Session) -> bool:
    return setting(session, "gift_receipts") == "on"


def save_settings(session: Session, values: dict[str, str]) -> None:
    """An admin's choices, as Setting rows (the caller commits)."""
    for key, value in values.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value


def build_receipt(session: Session, job: PrintJob) -> Receipt:
    sale = session.get(Sale, job.ref_id)
    if sale is None:
        raise LookupError(f"sale {job.ref_id} does not exist")
    names = dict(session.execute(select(Product.id, Product.name).where(
        Product.id.in_([line.product_id for line in sale.lines]))).all())
    seller = session.get(User, sale.user_id)
    cash = [p for p in sale.payments if p.method == PaymentMethod.CASH]
    title = kind_word(sale.kind, paper=True).upper() if sale.kind in TITLED_KINDS else ""
    footer = [setting(session, "receipt_legal"), setting(session, "receipt_thanks")]
    if sale.refund_of_id is not None:
        original = session.scalar(select(Sale.number).where(Sale.id == sale.refund_of_id))
        footer.insert(0, f"Pour le ticket n° {original}")
        if sale.reason:
            footer.insert(1, f"Raison : {sale.reason}")
    public_url = current_app.config.get("PUBLIC_URL") if has_app_context() else None
    return Receipt(
        # the address's lines as typed: never joined, never cut mid-phrase
        header=[setting(session, "receipt_name"),
                *address_lines(setting(session, "receipt_address"))],
        number=sale.number,
        when=sale.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
        seller=seller.first_name if seller else "",
        lines=[ReceiptLine(names.get(line.product_id, "?"), line.qty, line.unit_price_cents,
                           line.line_total_cents, line.catalogue_price_cents)
               for line in sale.lines],
        total_cents=sale.total_cents,
        payments=[PaymentLine(method_word(p.method, paper=True), p.amount_cents)
                  for p in sale.payments],
        cash_given_cents=sum(p.tendered_cents for p in cash)
        if cash and sale.kind == SaleKind.SALE else None,
        change_cents=sale.change_cents,
        donation_cents=sale.donation_cents,
        footer=footer,
        qr=str(public_url).rstrip("/") + "/" if public_url else None,
        title=title,
        demo=is_demo(session),
    )
