"""JSON errors for the API only: `{"error": CODE, "message": sentence}`, never HTML."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kiosk.api import bp


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, str(message), extra


def error_response(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


def _http_messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("La demande est mal formée.")),
        401: ("unauthorized", _("Connectez-vous d'abord : POST /api/v1/login, puis le jeton.")),
        403: ("forbidden", _("Votre rôle ne permet pas cette action.")),
        404: ("not_found", _("Cette adresse n'existe pas.")),
        405: ("method_not_allowed", _("Cette méthode n'est pas acceptée ici.")),
        413: ("too_large", _("La demande est trop grosse.")),
        415: ("unsupported_media_type", _("Envoyez du JSON (Content-Type: application/json).")),
        429: ("too_many_requests", _("Trop de demandes : réessayez dans un moment.")),
    }


def _from_http(exc: HTTPException):
    status = exc.code or 500
    code, message = _http_messages().get(status, ("error", exc.description or ""))
    if status >= 500:
        code, message = "server_error", _("Erreur du serveur : rien n'a été enregistré.")
    return error_response(status, code, message)


@bp.app_errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):
    return error_response(400, "csrf", _("Jeton CSRF absent ou périmé : rechargez la page."))


def http_error_json(exc: HTTPException):
    """Any HTTP error under /api/ (matched route or not) as JSON."""
    return _from_http(exc)


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path.startswith(bp.url_prefix + "/")
