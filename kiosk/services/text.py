"""Messages of the services: translated in a request, plain French elsewhere (CLI, seed)."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **values: object) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
