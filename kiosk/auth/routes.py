"""Login and logout pages."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_login import login_user as start_session
from sqlalchemy import select

from kiosk.auth import bp
from kiosk.auth.forms import LoginForm
from kiosk.common.login import lockout_from_config
from kiosk.extensions import db
from kiosk.models import User
from kiosk.services.auth import AuthError, check_pin


def _safe_next(target: str | None) -> str:
    # Only paths on this kiosk: never send a volunteer elsewhere after login.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    volunteers = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name)).all()
    form = LoginForm()
    form.user.choices = [(v.name, v.name) for v in volunteers]
    status, error = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = check_pin(db.session, form.user.data, form.pin.data,
                                 lockout_from_config())
            except AuthError as refused:
                db.session.commit()  # keep the count of wrong PINs
                status, error = _refusal(refused, form.user.data)
            else:
                db.session.commit()
                start_session(user)
                return redirect(_safe_next(request.args.get("next")))
        else:
            status = 400
            error = next(iter(form.errors.values()))[0]
    return render_template("auth/login.html", form=form, volunteers=volunteers,
                           error=error, selected=form.user.data), status


def _refusal(refused: AuthError, name: str) -> tuple[int, str]:
    if refused.code == "locked":
        return 429, _(
            "Trop de codes faux : %(name)s est bloqué(e) %(minutes)s minutes. "
            "Réessayez à %(time)s, ou demandez à une autre personne de vous relayer.",
            name=name, minutes=lockout_from_config().minutes,
            time=format_time(refused.locked_until, "HH:mm"))
    if refused.code == "unknown_user":
        return 400, _("Ce prénom n'est pas dans la liste : touchez votre prénom.")
    return 401, _("Ce code n'est pas le bon. Tapez-le à nouveau, doucement.")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
