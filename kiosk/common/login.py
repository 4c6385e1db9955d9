"""Who is asking (the web session's cookie or an API bearer token) and the PIN lockout:
one home for the login page and POST /api/v1/login."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import LoginManager

from kiosk.extensions import db
from kiosk.models.people import Volunteer
from kiosk.services.auth import Lockout, user_for_token, volunteer


def init_login(login_manager: LoginManager) -> None:
    """Load the volunteer from the session cookie, or from `Authorization: Bearer …`."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says what to do on its own
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> Volunteer | None:
        if not user_id.isdigit():
            return None
        return volunteer(db.session, int(user_id))

    @login_manager.request_loader
    def load_from_token(req) -> Volunteer | None:
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        user = user_for_token(db.session, header[len("Bearer "):].strip())
        if user is not None:
            g.auth_by_token = True
        return user


def authenticated_by_token() -> bool:
    """A token caller sends no cookie, so it needs no CSRF token."""
    return bool(g.get("auth_by_token")) or request.headers.get(
        "Authorization", "").startswith("Bearer ")


def lockout_from_config() -> Lockout:
    """How many wrong PINs lock a name, and for how long (LOCKOUT_ATTEMPTS, _MINUTES)."""
    return Lockout(int(current_app.config["LOCKOUT_ATTEMPTS"]),
                   int(current_app.config["LOCKOUT_MINUTES"]))
