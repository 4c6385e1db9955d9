"""Forms of the envelopes page: a spend, a transfer, the split, where gifts go, a new
envelope. Amounts, days and shares are read by the shared fields (kiosk/common/fields.py);
names, labels and codes are checked by the services, which say what is wrong."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, Length

from kiosk.common.fields import DayField, EurosField, IdField, TextField, share_field
from kiosk.vocabulary import NOTE_MAX

AMOUNT = _l("Écrivez le montant en euros, par exemple 12,50.")
NOTE = _l("La note fait %(max)s caractères au plus.")
EFFECTIVE = _l("La date d'effet s'écrit AAAA-MM-JJ.")


class SpendForm(FlaskForm):
    envelope = TextField()
    amount = EurosField(message=AMOUNT)
    label = TextField()
    entry_date = DayField(message=_l("La date s'écrit AAAA-MM-JJ."), blank_is_none=True)
    receipt_ref = TextField()
    charge_account = TextField()
    paid_from = TextField()
    decision_id = IdField()
    confirm = TextField()


class TransferForm(FlaskForm):
    source = TextField(name="from")
    to = TextField()
    amount = EurosField(message=AMOUNT)
    label = TextField()
    entry_date = DayField(message=_l("La date s'écrit AAAA-MM-JJ."), blank_is_none=True)
    confirm = TextField()


def split_form(codes: Iterable[str]) -> FlaskForm:
    """The split: a share for each envelope, then the day it applies from and a note."""

    class SplitForm(FlaskForm):
        pass

    for code in codes:  # (first: a share that cannot be read is said before the day)
        setattr(SplitForm, f"weight_{code}", share_field(code))
    SplitForm.effective_from = DayField(message=EFFECTIVE, validators=[InputRequired(EFFECTIVE)])
    SplitForm.decision = TextField(validators=[Length(max=NOTE_MAX, message=NOTE)])
    SplitForm.confirm = TextField()
    return SplitForm()


class DonationsForm(FlaskForm):
    envelope = TextField()
    effective_from = DayField(message=EFFECTIVE, validators=[InputRequired(EFFECTIVE)])
    decision = TextField(validators=[Length(max=NOTE_MAX, message=NOTE)])


class NewEnvelopeForm(FlaskForm):
    code = TextField()
    name = TextField()
