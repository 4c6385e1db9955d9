"""Volunteers and API tokens, managed by the coordinator."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk.admin import bp
from kiosk.admin.forms import (
    ActiveForm,
    ClockForm,
    PinResetForm,
    RevokeForm,
    RoleForm,
    TokenForm,
    UserForm,
)
from kiosk.auth.roles import admin_required
from kiosk.common.input import id_or_none
from kiosk.extensions import db
from kiosk.models import ApiToken, User
from kiosk.services import clock
from kiosk.services.auth import (
    create_user,
    issue_token,
    revoke_token,
    set_active,
    set_pin,
    set_role,
)
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
    token_id = id_or_none(form.token_id.data) if form.validate_on_submit() else None
    if token_id is not None and revoke_token(db.session, token_id):
        db.session.commit()
        flash(_("Le jeton ne marche plus."), "success")
        return redirect(url_for("admin.index"))
    flash(_("Ce jeton n'existe pas ou est déjà révoqué."), "error")
    return _render(UserForm(prefix="user"), _token_form(), status=400)


# What a refused change says to the admin.
REFUSALS = {
    "last_admin": _l("C'est la seule coordinatrice active : nommez-en une autre d'abord, "
                     "sinon plus personne ne pourrait gérer les personnes et les réglages."),
    "pin": _l("Le code secret a 4 à 6 chiffres, rien d'autre."),
    "role": _l("Choisissez un des trois rôles."),
}


def _volunteer_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _volunteer_page(user: User, pin_form: PinResetForm | None = None,
                    role_form: RoleForm | None = None, error: str | None = None,
                    status: int = 200):
    role_form = role_form or RoleForm(prefix="role", data={"role": user.role})
    return render_template("admin/volunteer.html", volunteer=user,
                           pin_form=pin_form or PinResetForm(prefix="pin"),
                           role_form=role_form, active_form=ActiveForm(prefix="active"),
                           error=error), status


@bp.route("/users/<int:user_id>", methods=["GET"])
@admin_required
def volunteer(user_id: int):
    return _volunteer_page(_volunteer_or_404(user_id))


def _change(user: User, change, done: str):
    """Apply one change to a volunteer in one transaction, then back to her page."""
    try:
        change(user)
    except ValueError as exc:
        db.session.rollback()
        return _volunteer_page(db.session.get(User, user.id), error=str(REFUSALS[str(exc)]),
                               status=400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.volunteer", user_id=user.id))


@bp.route("/users/<int:user_id>/pin", methods=["POST"])
@admin_required
def reset_pin(user_id: int):
    user = _volunteer_or_404(user_id)
    form = PinResetForm(prefix="pin")
    if not form.validate_on_submit():
        return _volunteer_page(user, pin_form=form, status=400)
    return _change(user, lambda u: set_pin(db.session, u, form.pin.data), _(
        "%(name)s a un nouveau code secret. Donnez-le-lui de vive voix ; ses connexions "
        "ouvertes sont fermées.", name=user.name))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def change_role(user_id: int):
    user = _volunteer_or_404(user_id)
    form = RoleForm(prefix="role")
    if not form.validate_on_submit():
        return _volunteer_page(user, role_form=form, status=400)
    return _change(user, lambda u: set_role(db.session, u, form.role.data), _(
        "Le rôle de %(name)s est changé ; elle se reconnecte pour s'en servir.",
        name=user.name))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def change_active(user_id: int):
    user = _volunteer_or_404(user_id)
    form = ActiveForm(prefix="active")
    if not form.validate_on_submit():
        return _volunteer_page(user, error=_("Ce changement n'a pas été compris : "
                                             "touchez à nouveau le bouton."), status=400)
    active = form.active.data == "1"
    return _change(user, lambda u: set_active(db.session, u, active), _(
        "%(name)s est de nouveau dans la liste de connexion.", name=user.name) if active
        else _("%(name)s n'est plus dans la liste de connexion ; ses ventes passées gardent "
               "son nom.", name=user.name))


@bp.route("/clock", methods=["GET"])
@admin_required
def clock_page():
    """The server's clock against the tablet's, and the admin's choice when they differ."""
    return _clock_page()


def _clock_page(error: str | None = None, status_code: int = 200):
    status = clock.status(db.session)
    tablet = status.tablet or status.server
    return render_template("admin/clock.html", status=status, may_set=clock.may_set(),
                           command=clock.set_command(tablet), form=FlaskForm(),
                           error=error), status_code


@bp.route("/clock", methods=["POST"])
@admin_required
def clock_choice():
    form = ClockForm()
    action = form.action.data
    if not form.validate_on_submit() or action not in ("set", "follow", "keep"):
        return _clock_page(_("Ce choix n'a pas été compris : touchez à nouveau un des deux "
                             "boutons."), 400)
    if action == "keep":
        clock.keep_server_time(db.session, current_user.id)
        flash(_("Le serveur garde son heure. On peut de nouveau ouvrir une caisse."), "success")
        return redirect(url_for("admin.clock_page"))
    tablet = clock.parse_tablet_time(form.tablet_time.data)
    if tablet is None:
        return _clock_page(_("L'heure de la tablette n'est pas arrivée : rechargez la page, "
                             "puis touchez à nouveau le bouton."), 400)
    if action == "follow":
        clock.follow_tablet(tablet, current_user.id)
        flash(_("La caisse date maintenant ses opérations à l'heure de la tablette."),
              "success")
        return redirect(url_for("admin.clock_page"))
    if not clock.set_from_tablet(tablet, current_user.id):
        return _clock_page(_("La caisse n'a pas le droit de changer l'heure du serveur : "
                             "tapez la commande ci-dessous sur le serveur."), 409)
    flash(_("Le serveur est maintenant à l'heure de la tablette."), "success")
    return redirect(url_for("admin.clock_page"))
