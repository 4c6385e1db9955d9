"""How a refusal reaches the person: an HTML page for the pages, `{"error": CODE,
"message": sentence}` for anything under /api/ (never HTML there). One set of handlers
for the whole app, so a page and the API can never disagree on a status."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kiosk.errors import ServiceError

API_BLUEPRINT = "api"
API_PREFIX = "/api/v1"


class ApiError(Exception):
    """A refusal the API states itself (auth, body shape); services raise ServiceError."""

    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, str(message), extra


def is_api_request() -> bool:
    """Matched an API route, or asked for an address under /api/v1/ that has none."""
    return request.blueprint == API_BLUEPRINT or request.path.startswith(API_PREFIX + "/")


def error_response(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


def _api_http_messages() -> dict[int, tuple[str, str]]:
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


def http_error_json(exc: HTTPException):
    """Any HTTP error under /api/ (matched route or not) as JSON."""
    status = exc.code or 500
    code, message = _api_http_messages().get(status, ("error", exc.description or ""))
    if status >= 500:
        code, message = "server_error", _("Erreur du serveur : rien n'a été enregistré.")
    return error_response(status, code, message)


def error_page(exc: HTTPException, message: str | None = None):
    """The page a volunteer sees instead of a stack trace: what happened, what to do."""
    status = getattr(exc, "code", 500) or 500
    messages = {
        400: _("La demande n'a pas pu être lue. Revenez en arrière et recommencez."),
        403: _("Cette page est réservée à un autre rôle. Demandez à la coordinatrice."),
        404: _("Cette page n'existe pas. Touchez « Accueil » pour revenir."),
        405: _("Cette action n'est pas possible ici."),
        413: _("Le fichier envoyé est trop gros."),
        429: _("Trop d'essais : attendez quelques minutes."),
        500: _("Un problème est survenu ; rien n'a été perdu. Réessayez."),
    }
    text = message or messages.get(status, messages[500])
    return render_template("errors/error.html", status=status, message=text), status


def init_errors(app: Flask) -> None:
    """Register the handlers: each one asks is_api_request() which form to answer in."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if is_api_request():
            return http_error_json(exc)
        if exc.code == 401:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return error_page(exc)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if is_api_request():
            return error_response(400, "csrf", _(
                "La page a expiré : rien n'a été enregistré. Rechargez la page, puis "
                "recommencez."))
        return error_page(exc, _("La page a expiré : revenez en arrière et recommencez."))

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if is_api_request():
            return error_response(exc.status, exc.code, exc.message)
        return render_template("errors/error.html", status=exc.status,
                               message=exc.message), exc.status

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, **exc.extra)
