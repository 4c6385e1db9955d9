"""Forms of the cash pages: closing a drawer and the exports. The denomination counters of
the closing are the +/− boxes every count shares (read_counts in kiosk/common/views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from kiosk.common.fields import DayField, EurosField, TextField

CHEQUE_ROWS = 8  # cheque lines on the closing form


class CloseForm(FlaskForm):
    """The cheques (`cheque-N-amount`, `cheque-N-drawer`), the card terminal's total, and
    whether this is the preview or the confirmed closing."""

    card_total = EurosField(message=_l(
        "Carte bancaire : écrivez le total du terminal, par exemple 45,00 (0 s'il n'y en "
        "a pas)."))
    action = TextField()
    confirm_waiting = TextField()

    def cheque_rows(self) -> list[tuple[EurosField, TextField]]:
        """Each cheque line's amount and drawer fields, in order."""
        return [(self[f"cheque_{i}_amount"], self[f"cheque_{i}_drawer"])
                for i in range(CHEQUE_ROWS)]


for _i in range(CHEQUE_ROWS):
    setattr(CloseForm, f"cheque_{_i}_amount", EurosField(name=f"cheque-{_i}-amount"))
    setattr(CloseForm, f"cheque_{_i}_drawer", TextField(name=f"cheque-{_i}-drawer"))


DATES = _l("Les dates s'écrivent AAAA-MM-JJ.")


class ExportForm(FlaskForm):
    date_from = DayField(message=DATES, validators=[InputRequired(DATES)])
    date_to = DayField(message=DATES, validators=[InputRequired(DATES)])
    format = TextField()
    again = TextField()

