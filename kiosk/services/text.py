"""Messages of the services: translated in a request, plain French elsewhere (CLI, seed)."""

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
