"""Forms of the partner orders pages: a new order (its partner, lot, day, note and lines),
an invoice, a payment, a credit note, a partner. Quantities and days are read by the input
layer (kiosk/common/input.py) and amounts by parse_euros, line by line in the order's own
words (orders/routes.py); the texts are checked by the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from kiosk.common.fields import DayField, EurosField, TextField

BLANK_LINES = 6  # empty lines the new order form offers
LINE_PARTS = ("sku", "description", "qty", "price")


class NewOrderForm(FlaskForm):
    partner = TextField()
    partner_name = TextField()
    partner_address = TextField()
    partner_contact = TextField()
    lot = TextField()
    wished_on = TextField()
    note = TextField()

    @property
    def values(self) -> dict[str, str]:
        """What each box holds, by its name: the page shown again after a refusal."""
        return {field.name: field.data or "" for field in self if field.name != "csrf_token"}

    def line(self, n: int, part: str) -> str:
        """What line `n` holds in its box `part` (sku, description, qty, price)."""
        return self[f"line_{n}_{part}"].data


for _n in range(BLANK_LINES):
    for _part in LINE_PARTS:
        setattr(NewOrderForm, f"line_{_n}_{_part}", TextField(name=f"line-{_n}-{_part}"))


class InvoiceForm(FlaskForm):
    purchase_order = TextField()


AMOUNT = "%(what)s : écrivez un montant en euros, par exemple 12,50."


class PaymentForm(FlaskForm):
    method = TextField()
    amount = EurosField(message=_l(AMOUNT, what=_l("Montant reçu")))
    reference = TextField()
    received_on = DayField(blank_is_none=True)


class CreditNoteForm(FlaskForm):
    amount = EurosField(message=_l(AMOUNT, what=_l("Montant de l'avoir")))
    reason = TextField()


class PartnerForm(FlaskForm):
    name = TextField()
    address = TextField()
    contact = TextField()


class DeliveryForm(FlaskForm):
    """The quantities come as `qty-LINE` boxes (read_counts), one per line of the order."""


