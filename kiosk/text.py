"""Messages of the services (translated in a request, plain French elsewhere: CLI, seed),
and names and numbers as a French reader expects them."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **values: object) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


def alphabetical(name: str) -> tuple[str, str]:
    """A name's place in a French list: "Éliane" next to "Elise", not after "Zoé" (the
    databases compare code points, where "É" comes after every plain letter)."""
    import unicodedata

    plain = "".join(ch for ch in unicodedata.normalize("NFD", name)
                    if not unicodedata.combining(ch))
    return plain.casefold(), name


def is_digits(text: object, most: int = 18) -> bool:
    """ASCII digits only, 1 to `most` of them: what int() reads as it was typed. (str's
    isdigit() says yes to "²", which int() cannot read, and to "５３０", which it reads as
    530.) The one test of a number typed anywhere: kiosk/common/input.py builds on it."""
    return (isinstance(text, str) and 0 < len(text) <= most and text.isascii()
            and text.isdigit())


def same_name_key(name: str) -> str:
    """A name as a uniqueness check compares it: every letter's case folded, "É" and "é"
    alike (SQLite's lower() folds ASCII only), accents and spacing kept as typed."""
    import unicodedata

    return unicodedata.normalize("NFC", name.strip()).casefold()


def figure(value: float) -> str:
    """A count or a measure as the reader's language writes it: 1 234 or 77,2."""
    from flask_babel import format_decimal

    return format_decimal(value, format="#,##0.#").replace("\u202f", " ").replace("\xa0", " ")
