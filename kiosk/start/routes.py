"""/start: the first page of a new database; the DÉMO ribbon of a demo one.

A new database (no volunteer) sends its home and login pages here. Once started, these
pages send everyone home: nothing here can run twice.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from kiosk.auth.roles import admin_required
from kiosk.common.views import refusals
from kiosk.database import write_transaction
from kiosk.demo.seed import seed_demo
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.services import setup
from kiosk.start import bp
from kiosk.start.forms import ENVELOPE_ROWS, EmptyDemoForm, RealStartForm
from kiosk.tablet.setup import tablet_setup

GATED = ("main.home", "auth.login")  # the pages a new database answers with /start


@bp.before_app_request
def _first_start() -> Response | None:
    if request.endpoint in GATED and setup.is_new(db.session):
        return redirect(url_for("start.index"))
    return None


@bp.app_context_processor
def _demo_ribbon() -> dict:
    """`demo`: this database holds the demo (base.html shows its ribbon)."""
    if request.endpoint == "static":
        return {"demo": False}
    try:
        return {"demo": setup.is_demo(db.session)}
    except SQLAlchemyError:  # an error page about the database itself must still render
        db.session.rollback()
        return {"demo": False}


def _started() -> Response | None:
    return None if setup.is_new(db.session) else redirect(url_for("main.home"))


@bp.route("/start")
def index():
    # The tablet's set-up is a step of the first start: the certificate to install once.
    return _started() or render_template("start/index.html", **tablet_setup())


@bp.route("/start/demo", methods=["POST"])
def demo():
    if (started := _started()) is not None:
        return started  # (the CSRF token is checked for every form by CSRFProtect)
    with write_transaction(db.session):
        setup.check_new(db.session)  # (under the write lock: two taps load it once)
        seed_demo(db.session)
    flash(_("La démo est chargée. Touchez un prénom : Admin (code 1234), Tresoriere "
            "(2345) ou Vendeuse (3456)."), "success")
    return redirect(url_for("auth.login"), 303)


def _envelope_defaults(form: RealStartForm) -> None:
    if request.method == "GET":
        form.envelope_1.data, form.share_1.data = _("Solidarité"), 1
        form.envelope_2.data, form.share_2.data = _("Loisirs"), 1


@bp.route("/start/real", methods=["GET", "POST"])
def real():
    if (started := _started()) is not None:
        return started
    form = RealStartForm()
    _envelope_defaults(form)
    status, error = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            start = setup.RealStart(
                group_name=form.group_name.data, address=form.address.data,
                admin_name=form.admin_name.data, pin=form.pin.data,
                pin_again=form.pin_again.data, stall_name=form.stall_name.data,
                decided_on=form.decided_on.data, workshop_name=form.workshop_name.data or "",
                shop_name=form.shop_name.data or "",
                envelopes=[(getattr(form, f"envelope_{i}").data or "",
                            getattr(form, f"share_{i}").data or 0)
                           for i in range(1, ENVELOPE_ROWS + 1)],
                spend_decision_above=form.spend_decision_above.data)
            with refusals() as refused:
                with write_transaction(db.session):
                    setup.start_real(db.session, start)
                flash(_("La caisse est prête. Touchez votre prénom et tapez votre code "
                        "pour commencer."), "success")
                return redirect(url_for("auth.login"), 303)
            status, error = refused.status, refused.message
        else:
            status = 400
            error = next(iter(form.errors.values()))[0]
    envelopes = [(getattr(form, f"envelope_{i}"), getattr(form, f"share_{i}"))
                 for i in range(1, ENVELOPE_ROWS + 1)]
    return render_template("start/real.html", form=form, envelopes=envelopes,
                           error=error), status


@bp.route("/start/empty-demo", methods=["POST"])
@admin_required
def empty_demo():
    """From the demo, "Commencer pour de vrai": the demo is emptied, then the first page."""
    if not EmptyDemoForm().validate_on_submit():
        raise InvalidInput("confirm", _("Cochez la case pour confirmer : rien n'a été "
                                        "effacé."))
    with write_transaction(db.session):
        setup.empty_demo(db.session)
    logout_user()
    session.clear()
    return redirect(url_for("start.real"), 303)
