"""The form fields of the pages for numbers and days: the same rule as the API's bodies
and every query (kiosk/common/input.py). WTForms' own IntegerField reads "５３０" as 530
and its DateField "２０２６-01-01" or "0001-01-01" as days; these read ASCII digits only,
bounded, and say what is wrong in the kiosk's words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import NumberRange

from kiosk.common.input import id_or_none, is_digits, parse_day
from kiosk.ledger.money import parse_euros
from kiosk.vocabulary import FIRST_DAY, LAST_DAY, MAX_ID, MAX_SHARE


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits (a minus sign allowed: NumberRange says the
    bounds), never more than the databases hold. `blank`: what an empty box means (None:
    it is an error like any other text); `message`: the refusal in the form's words."""

    def __init__(self, *args, blank: int | None = None, message: str | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.blank, self.message = blank, message

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not text and self.blank is not None:
            self.data = self.blank
            return
        digits = text[1:] if text.startswith("-") else text
        if not is_digits(digits, 10) or abs(int(text)) > MAX_ID:
            self.data = None
            raise ValueError(self.message or _l("Écrivez un nombre entier, en chiffres."))
        self.data = int(text)


class DayField(DateField):
    """A day as AAAA-MM-JJ in ASCII digits, from FIRST_DAY to LAST_DAY. `message`: the
    refusal in the form's words; `blank_is_none`: an empty box is no day (data None),
    which the view may read as "today"."""

    def __init__(self, *args, message: str | None = None, blank_is_none: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.message, self.blank_is_none = message, blank_is_none

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            if valuelist and not self.blank_is_none:
                raise ValueError(self.message or _l("Donnez une date."))
            return
        try:
            self.data = parse_day(" ".join(valuelist))
        except ValueError:
            self.data = None
            raise ValueError(self.message or _l(
                "La date s'écrit AAAA-MM-JJ, du %(first)s au %(last)s.",
                first=f"{FIRST_DAY:%d/%m/%Y}", last=f"{LAST_DAY:%d/%m/%Y}")) from None


class EurosField(StringField):
    """An amount typed in euros ("12,50", "12.5", "12 €") read as cents (parse_euros);
    an empty box is None (the view or a validator says whether one is needed)."""

    def __init__(self, *args, message: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not text:
            self.data = None
            return
        try:
            self.data = parse_euros(text)
        except ValueError:
            self.data = None
            raise ValueError(self.message or _l("Écrivez le montant en euros, par exemple "
                                                "12,50.")) from None

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ""


class IdListField(StringField):
    """The ids ticked in a list of boxes of one name (`team`): each 1 to MAX_ID in ASCII
    digits, None in its place when it is not one (the view says what is wrong)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [id_or_none(value) for value in valuelist]

    def _value(self) -> str:
        return ""


class IdField(StringField):
    """A row's id chosen in a list (1 to MAX_ID, ASCII digits), or None: an empty or
    unreadable choice is no choice."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = id_or_none(valuelist[0]) if valuelist else None


def choice_id(value: object) -> int | None:
    """`coerce` for a SelectField of rows: an id in ASCII digits (else no choice at all)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if is_digits(value) and int(value) <= MAX_ID else None


def _trimmed(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def TextField(label: str | None = None, **kwargs) -> StringField:
    """A line of text, trimmed; "" when the form did not send it (the service says
    whether it may be empty and how long it may be)."""
    return StringField(label, filters=[_trimmed, *kwargs.pop("filters", ())], **kwargs)


SHARES = _l("Les parts sont des nombres de %(min)s à %(max)s, par exemple 1 et 1 pour "
            "moitié-moitié.")


def share_field(code: str) -> WholeNumberField:
    """One envelope's share of a split, `weight-CODE` (the envelopes page and the meeting's
    split): 0 to MAX_SHARE, an empty box is 0."""
    return WholeNumberField(name=f"weight-{code}", blank=0, default=0, message=SHARES,
                            validators=[NumberRange(0, MAX_SHARE, SHARES)])


def shares(form: object, codes: list[str]) -> dict[str, int]:
    """The shares read by share_field() (added to a form as `weight_CODE`), by code."""
    return {code: form[f"weight_{code}"].data for code in codes}  # type: ignore[index]
