"""Login and logout pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_login import login_user as start_session
from sqlalchemy import select

from kiosk.auth import bp
from kiosk.auth.forms import LoginForm
from kiosk.common.login import (
    WEB_SESSION_KEY,
    lockout_from_config,
    login_throttle,
    seconds_until,
    web_session_hours,
)
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import User
from kiosk.services.auth import AuthError, check_pin, end_web_session, start_web_session
from kiosk.text import alphabetical


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this kiosk, parsed strictly, or the home page.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    "/\t/evil.com" or "/\\evil.com" would leave the kiosk: any such character, a scheme
    or a host refuses the target (and a CR LF could not reach a header either)."""
    home = url_for("main.home")
    if not target or len(target) > 2000 or not target.startswith("/"):
        return home
    if any(ch <= " " or ch in "\\\x7f" for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    volunteers = sorted(db.session.scalars(select(User).where(User.active.is_(True))),
                        key=lambda user: alphabetical(user.name))
    form = LoginForm()
    form.user.choices = [(v.name, v.name) for v in volunteers]
    status, error = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                throttle, address = login_throttle()
                user = check_pin(db.session, form.user.data, form.pin.data,
                                 lockout_from_config(), throttle, address)
            except AuthError as refused:
                status, error = _refusal(refused, form.user.data)
            else:
                with write_transaction(db.session):
                    sid = start_web_session(db.session, user.id, web_session_hours())
                session[WEB_SESSION_KEY] = sid
                start_session(user)
                return redirect(safe_next(request.args.get("next")))
        else:
            status = 400
            error = next(iter(form.errors.values()))[0]
    return render_template("auth/login.html", form=form, volunteers=volunteers,
                           error=error, selected=form.user.data), status


def _refusal(refused: AuthError, name: str) -> tuple[int, str]:
    if refused.code == "slowed":
        return 429, _("Trop de prénoms essayés depuis cet appareil : attendez %(seconds)s "
                      "secondes, puis réessayez.", seconds=seconds_until(refused.locked_until))
    if refused.code == "locked":
        return 429, _(
            "Trop de codes faux : le prénom %(name)s est bloqué %(minutes)s minutes. "
            "Réessayez à %(time)s, ou demandez à une autre personne de vous relayer.",
            name=name, minutes=lockout_from_config().minutes,
            time=format_time(refused.locked_until, "HH:mm"))
    if refused.code == "unknown_user":
        return 400, _("Ce prénom n'est pas dans la liste : touchez votre prénom.")
    return 401, _("Ce code n'est pas le bon. Tapez-le à nouveau, doucement.")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sid = session.pop(WEB_SESSION_KEY, None)
    if isinstance(sid, str):
        with write_transaction(db.session):
            end_web_session(db.session, sid)
    logout_user()
    return redirect(url_for("auth.login"))
