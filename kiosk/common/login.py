"""Who is asking (the web session's cookie or an API bearer token) and the PIN lockout:
one home for the login page and POST /api/v1/login."""

from __future__ import annotations

import math
from datetime import datetime

from flask import current_app, g, request, session
from flask_login import LoginManager

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.models.people import Volunteer
from kiosk.services.auth import (
    AddressLimit,
    AddressThrottle,
    Lockout,
    user_for_token,
    volunteer_for_web_session,
)
from kiosk.text import is_digits

# The key of the Flask session that holds the web session's id (services/auth.py).
WEB_SESSION_KEY = "sid"


def init_login(login_manager: LoginManager) -> None:
    """Load the volunteer from the session cookie, or from `Authorization: Bearer …`."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says what to do on its own
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> Volunteer | None:
        sid = session.get(WEB_SESSION_KEY)
        if not is_digits(user_id) or not isinstance(sid, str):
            return None
        return volunteer_for_web_session(db.session, int(user_id), sid)

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
    """A caller that shows a valid token needs no CSRF token (another site cannot make a
    browser send an Authorization header). Not merely one that says "Bearer": a page's
    cookie with a junk Authorization header must still show its CSRF token."""
    if g.get("auth_by_token"):
        return True
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and user_for_token(
        db.session, header[len("Bearer "):].strip()) is not None


def lockout_from_config() -> Lockout:
    """How many wrong PINs lock a name, and for how long (LOCKOUT_ATTEMPTS, _MINUTES)."""
    return Lockout(int(current_app.config["LOCKOUT_ATTEMPTS"]),
                   int(current_app.config["LOCKOUT_MINUTES"]))


def login_throttle() -> tuple[AddressThrottle, str]:
    """This app's per-address login throttle and the asking client's address."""
    throttle = current_app.extensions.get("kiosk_login_throttle")
    if throttle is None:
        throttle = current_app.extensions.setdefault("kiosk_login_throttle", AddressThrottle(
            AddressLimit(names=int(current_app.config["LOGIN_SLOW_AFTER_NAMES"]),
                         wait_seconds=int(current_app.config["LOGIN_SLOW_SECONDS"]))))
    return throttle, request.remote_addr or ""


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until `moment`, at least 1 (what a message says to wait)."""
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


def web_session_hours() -> float:
    """How long a login on a browser lasts at most (SESSION_HOURS, a day at most)."""
    return min(float(current_app.config["SESSION_HOURS"]), 24.0)
