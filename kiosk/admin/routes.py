"""Volunteers and API tokens, managed by the coordinator."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from kiosk.admin import bp
from kiosk.admin.forms import RevokeForm, TokenForm, UserForm
from kiosk.auth.roles import admin_required
from kiosk.extensions import db
from kiosk.models import ApiToken, User
from kiosk.services.auth import create_user, issue_token, revoke_token
from kiosk.start.forms import EmptyDemoForm


def _token_form() -> TokenForm:
    form = TokenForm(prefix="token")
    form.user_id.choices = [(u.id, u.name) for u in
                            db.session.scalars(select(User).order_by(User.name))]
    return form


@bp.route("/", methods=["GET"])
@admin_required
def index():
    return _render(UserForm(prefix="user"), _token_form())


def _render(user_form: UserForm, token_form: TokenForm, new_token: str | None = None,
            status: int = 200):
    users = db.session.scalars(select(User).order_by(User.name)).all()
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/index.html", users=users, tokens=tokens,
                           user_form=user_form, token_form=token_form,
                           revoke_form=RevokeForm(prefix="revoke"), new_token=new_token,
                           empty_demo_form=EmptyDemoForm()), status


@bp.route("/users", methods=["POST"])
@admin_required
def add_user():
    form = UserForm(prefix="user")
    if form.validate_on_submit():
        try:
            create_user(db.session, form.name.data, form.role.data, form.pin.data)
        except ValueError as exc:
            db.session.rollback()
            form.name.errors.append(
                _("Cette personne existe déjà.") if str(exc) == "exists"
                else _("Ce prénom n'est pas accepté."))
        else:
            db.session.commit()
            flash(_("%(name)s peut maintenant se connecter.", name=form.name.data), "success")
            return redirect(url_for("admin.index"))
    return _render(form, _token_form(), status=400)


@bp.route("/tokens", methods=["POST"])
@admin_required
def add_token():
    form = _token_form()
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        token = issue_token(db.session, user, int(current_app.config["TOKEN_DAYS"]),
                            form.label.data or "")
        db.session.commit()
        return _render(UserForm(prefix="user"), _token_form(), new_token=token)
    return _render(UserForm(prefix="user"), form, status=400)


@bp.route("/tokens/revoke", methods=["POST"])
@admin_required
def revoke():
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit() and revoke_token(db.session, int(form.token_id.data)):
        db.session.commit()
        flash(_("Le jeton ne marche plus."), "success")
        return redirect(url_for("admin.index"))
    flash(_("Ce jeton n'existe pas ou est déjà révoqué."), "error")
    return _render(UserForm(prefix="user"), _token_form(), status=400)
