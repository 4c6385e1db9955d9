"""What every page shares: area blueprints, security headers, filters, error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kiosk.services.errors import ServiceError
from kiosk.services.money import format_money

# Everything comes from this server: the stall has no internet, and nothing may be
# injected. Camera frames (scanning) are blobs; label previews are data: URLs.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register_web(app: Flask) -> None:
    from kiosk.admin import bp as admin_bp
    from kiosk.cash import bp as cash_bp
    from kiosk.envelopes import bp as envelopes_bp
    from kiosk.main import bp as main_bp
    from kiosk.reports import bp as reports_bp
    from kiosk.sell import bp as sell_bp
    from kiosk.stock import bp as stock_bp

    for blueprint in (main_bp, sell_bp, stock_bp, cash_bp, envelopes_bp, reports_bp, admin_bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def _security_headers(response):
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["paris"] = paris_datetime
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["languages"] = (("fr", "Français"), ("en", "English"))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        from kiosk.api.errors import http_error_json, is_api_request

        if is_api_request():
            return http_error_json(exc)
        if exc.code == 401:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return error_page(exc)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(exc, _("La page a expiré : revenez en arrière et recommencez."))

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        from kiosk.api.errors import error_response, is_api_request

        if is_api_request():
            return error_response(exc.status, exc.code, exc.message)
        return render_template("errors/error.html", status=exc.status,
                               message=exc.message), exc.status



def error_page(exc: HTTPException, message: str | None = None):
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


def paris_datetime(value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)

