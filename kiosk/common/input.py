"""The one text rule for every input, pages and API alike: no control character in a path,
a query or a form field (the API's bodies are checked by their schemas the same way).

A NUL byte reaches PostgreSQL as an error, and ESC, GS or DLE in a name would reach the
receipt printer as commands: both are refused at the door, before any handler reads them.
Line breaks and tabs stay allowed in form fields (a note on several lines).
"""

from __future__ import annotations

from flask import Flask, request

from kiosk.services.errors import InvalidInput

ALLOWED_IN_FIELDS = frozenset("\t\n\r")


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
