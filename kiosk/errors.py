"""Errors a service raises when a request cannot be carried out; nothing was changed.

Views turn them into a page message, the API into `{"error", "message"}` with `status`.
The message is a French sentence with `%(name)s` placeholders, translated into the
volunteer's language when it is read in a request (scripts/i18n.py extracts the second
argument of these classes), and plain French elsewhere (CLI).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def N_(message: str) -> str:
    """Marks a message for extraction when it reaches a ServiceError indirectly."""
    return message


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str, status: int | None = None,
                 **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.template = str(message)
        self.params = params
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        if has_request_context():
            return gettext(self.template, **self.params)
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        return self.message


class InvalidInput(ServiceError):
    status = 400


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409
