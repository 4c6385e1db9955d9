"""Who is asking: the web session's cookie, or an API bearer token."""

from __future__ import annotations

from flask import g, request
from flask_login import LoginManager

from kiosk.extensions import db
from kiosk.models.people import Volunteer
from kiosk.services.auth import user_for_token, volunteer


def register_loaders(login_manager: LoginManager) -> None:
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
    return bool(g.get("auth_by_token")) or request.headers.get(
        "Authorization", "").startswith("Bearer ")
