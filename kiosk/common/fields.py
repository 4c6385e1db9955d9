"""The form fields of the pages for numbers and days: the same rule as the API's bodies
and every query (kiosk/common/input.py). WTForms' own IntegerField reads "５３０" as 530
and its DateField "２０２６-01-01" or "0001-01-01" as days; these read ASCII digits only,
bounded, and say what is wrong in the kiosk's words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField

from kiosk.common.input import is_digits, parse_day
from kiosk.vocabulary import FIRST_DAY, LAST_DAY, MAX_ID


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits (a minus sign allowed: NumberRange says the
    bounds), never more than the databases hold."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        digits = text[1:] if text.startswith("-") else text
        if not is_digits(digits, 10) or abs(int(text)) > MAX_ID:
            self.data = None
            raise ValueError(_l("Écrivez un nombre entier, en chiffres."))
        self.data = int(text)


class DayField(DateField):
    """A day as AAAA-MM-JJ in ASCII digits, from FIRST_DAY to LAST_DAY."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            if valuelist:
                raise ValueError(_l("Donnez une date."))
            return
        try:
            self.data = parse_day(" ".join(valuelist))
        except ValueError:
            self.data = None
            raise ValueError(_l("La date s'écrit AAAA-MM-JJ, du %(first)s au %(last)s.",
                                first=f"{FIRST_DAY:%d/%m/%Y}",
                                last=f"{LAST_DAY:%d/%m/%Y}")) from None


def choice_id(value: object) -> int | None:
    """`coerce` for a SelectField of rows: an id in ASCII digits (else no choice at all)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if is_digits(value) and int(value) <= MAX_ID else None
