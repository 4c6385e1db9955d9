"""The one text rule for every input, pages and API alike: no control character in a path,
a query or a form field (the API's bodies are checked by their schemas the same way).

A NUL byte reaches PostgreSQL as an error, and ESC, GS or DLE in a name would reach the
receipt printer as commands: both are refused at the door, before any handler reads them.
Line breaks and tabs stay allowed in form fields (a note on several lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import Flask, request

from kiosk.errors import InvalidInput
from kiosk.text import _, is_digits
from kiosk.vocabulary import FIRST_DAY, LAST_DAY, MAX_ID

ALLOWED_IN_FIELDS = frozenset("\t\n\r")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_clean(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """No C0 control character (but those allowed), and no DEL."""
    return not any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text)


def init_input(app: Flask) -> None:
    @app.before_request
    def _refuse_control_characters() -> None:
        fields = [*request.args.items(multi=True)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += request.form.items(multi=True)
        if not is_clean(request.path) or not all(
                is_clean(key) and is_clean(value, ALLOWED_IN_FIELDS) for key, value in fields):
            raise InvalidInput("control_characters", "Un caractère invisible s'est glissé "
                               "dans la saisie : effacez le champ, tapez-le à nouveau et "
                               "recommencez.")


# --- numbers, ids and days: the same rule for every form and query as for the API ---------
#
# str.isdigit() says yes to "²" (which int() cannot read: a 500) and to "５３０" (which
# int() reads as 530: a full-width number stored as if typed in ASCII); an id of twenty
# digits overflows SQLite, one above 2^31 - 1 PostgreSQL. Every number, id and day read
# from a form or a query goes through these, as the API's bodies go through their schemas
# (kiosk/api/schemas.py): ASCII digits only, bounded, else a 400 naming the field.

def whole_number(text: object, field: str, *, maximum: int, minimum: int = 0,
                 message: str | None = None) -> int:
    """`text` as a whole number from `minimum` to `maximum`, or InvalidInput(field)."""
    text = text.strip() if isinstance(text, str) else text
    if is_digits(text) and minimum <= int(text) <= maximum:
        return int(text)
    raise InvalidInput(field, message or _(
        "Écrivez un nombre entier de %(low)s à %(high)s, en chiffres.", low=minimum,
        high=maximum))


def row_id(text: object, field: str = "id", message: str | None = None) -> int:
    """A row's id as a form or a query names it: 1 to MAX_ID (what the databases hold)."""
    return whole_number(text, field, minimum=1, maximum=MAX_ID,
                        message=message or _("Choisissez dans la liste."))


def parse_day(text: object) -> date:
    """AAAA-MM-JJ in ASCII digits, from FIRST_DAY to LAST_DAY; ValueError otherwise."""
    if not isinstance(text, str) or not DAY.fullmatch(text.strip()):
        raise ValueError(text)
    day = date.fromisoformat(text.strip())
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(text)
    return day


def optional_day(text: object, field: str = "date") -> date | None:
    """A day typed in a form (empty: None), or InvalidInput(field) saying the bounds."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise InvalidInput(field, _(
            "La date s'écrit AAAA-MM-JJ, du %(first)s au %(last)s.",
            first=f"{FIRST_DAY:%d/%m/%Y}", last=f"{LAST_DAY:%d/%m/%Y}")) from None


def arg_number(maximum: int, minimum: int = 0) -> Callable[[str], int]:
    """For `request.args.get(name, type=…)`: a bounded whole number in ASCII digits; any
    other value is ValueError, which werkzeug turns into the default."""
    def read(text: str) -> int:
        if is_digits(text) and minimum <= int(text) <= maximum:
            return int(text)
        raise ValueError(text)

    return read


arg_id = arg_number(MAX_ID, 1)  # a row's id in a query: 1 to MAX_ID


def id_or_none(text: object) -> int | None:
    """A row's id (1 to MAX_ID, ASCII digits), or None for anything else."""
    text = text.strip() if isinstance(text, str) else text
    return int(text) if is_digits(text) and 1 <= int(text) <= MAX_ID else None
