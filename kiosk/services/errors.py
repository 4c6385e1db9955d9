"""Errors a service raises when a request cannot be carried out; nothing was changed.

Views turn them into a page message, the API into `{"error", "message"}` with `status`.
Messages are plain sentences for a volunteer, translated by the caller's locale.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status


class InvalidInput(ServiceError):
    status = 400


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409
