"""Pages of the envelopes area: balances and ledgers, spending, transfers, the split."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk.auth.roles import treasurer_required
from kiosk.common.input import id_or_none, is_digits, parse_day
from kiosk.common.views import refusals
from kiosk.database import utcnow, write_transaction
from kiosk.envelopes import bp
from kiosk.extensions import db
from kiosk.models import Envelope
from kiosk.services import envelopes as service
from kiosk.services import meetings
from kiosk.services.errors import ServiceError
from kiosk.services.money import format_money, parse_euros
from kiosk.vocabulary import PARIS


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def _render(status: int = 200, **extra):
    rows = service.balances(db.session)
    codes = {b.envelope.id: b.envelope.code for b in rows}
    context = {
        "form": FlaskForm(), "balances": rows, "today": _today().isoformat(),
        "ledgers": {b.envelope.code: service.ledger(db.session, b.envelope.id) for b in rows},
        "rules": service.rules_history(db.session), "codes": codes,
        "donation_rules": service.donation_rules_history(db.session),
        "names": {b.envelope.id: b.envelope.name for b in rows},
        "values": {}, "problem": None, "confirm_spend": False, "confirm_transfer": False,
        # issue 30: the group's decisions a spend may cite, with what is left of each
        "spend_decisions": meetings.open_spend_decisions(db.session),
        "confirm_split": False,
    }
    context.update(extra)
    return render_template("envelopes/index.html", **context), status


@bp.route("/envelopes")
@treasurer_required
def index():
    return _render()


def _checked_form() -> dict[str, str]:
    if not FlaskForm().validate_on_submit():
        abort(400)
    return {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}


def _amount(values: dict[str, str]) -> int:
    try:
        cents = parse_euros(values.get("amount", ""))
    except ValueError:
        raise ServiceError("amount", _("Écrivez le montant en euros, par exemple 12,50.")
                           ) from None
    return service.check_amount(cents)


def _day(values: dict[str, str]) -> date:
    try:
        return parse_day(values.get("entry_date") or _today().isoformat())
    except ValueError:
        raise ServiceError("date", _("La date s'écrit AAAA-MM-JJ.")) from None


@bp.route("/envelopes/spend", methods=["POST"])
@treasurer_required
def spend():
    values = _checked_form()
    with refusals() as refused:
        amount, day = _amount(values), _day(values)
        with write_transaction(db.session):
            service.spend(db.session, values.get("envelope", ""), amount,
                          values.get("label", ""), day, values.get("receipt_ref", ""),
                          confirm=values.get("confirm") == "1", user_id=current_user.id,
                          charge_account=values.get("charge_account") or None,
                          paid_from=values.get("paid_from") or None,
                          decision_id=id_or_none(values.get("decision_id")))
        flash(_("Dépense de %(a)s enregistrée.", a=format_money(amount)), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=values, problem=refused.message,
                   confirm_spend=refused.code == "below_zero")


@bp.route("/envelopes/transfer", methods=["POST"])
@treasurer_required
def transfer():
    values = _checked_form()
    with refusals() as refused:
        amount, day = _amount(values), _day(values)
        with write_transaction(db.session):
            service.transfer(db.session, values.get("from", ""), values.get("to", ""), amount,
                             values.get("label", ""), day,
                             confirm=values.get("confirm") == "1", user_id=current_user.id)
        flash(_("Virement de %(a)s enregistré.", a=format_money(amount)), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=values, problem=refused.message,
                   confirm_transfer=refused.code == "below_zero")


@bp.route("/envelopes/rules", methods=["POST"])
@treasurer_required
def decide():
    values = _checked_form()
    envelopes = db.session.scalars(select(Envelope).order_by(Envelope.id)).all()
    with refusals() as refused:
        weights = {}
        for envelope in envelopes:
            raw = values.get(f"weight-{envelope.code}", "0") or "0"
            if not is_digits(raw, 4) or int(raw) > 1000:
                raise ServiceError("weights", _("Les parts sont des nombres de 0 à 1000, "
                                                "par exemple 1 et 1 pour moitié-moitié."))
            weights[envelope.code] = int(raw)
        try:
            effective = parse_day(values.get("effective_from", ""))
        except ValueError:
            raise ServiceError("date", _("La date d'effet s'écrit AAAA-MM-JJ.")) from None
        if len(values.get("decision", "")) > 500:
            raise ServiceError("decision", _("La note fait 500 caractères au plus."))
        if effective < _today() and values.get("confirm") != "1":
            closed = service.closings_since(db.session, effective)
            raise ServiceError("split_in_the_past", ngettext(
                "Cette décision part du %(d)s, une date passée. %(num)s caisse a été fermée "
                "depuis : elle garde sa répartition. La nouvelle ne s'applique qu'aux "
                "prochaines clôtures. Confirmez pour l'enregistrer.",
                "Cette décision part du %(d)s, une date passée. %(num)s caisses ont été "
                "fermées depuis : elles gardent leur répartition. La nouvelle ne s'applique "
                "qu'aux prochaines clôtures. Confirmez pour l'enregistrer.",
                closed, d=effective.strftime("%d/%m/%Y")) if closed else _(
                "Cette décision part du %(d)s, une date passée : aucune caisse n'a été fermée "
                "depuis. Confirmez pour l'enregistrer.", d=effective.strftime("%d/%m/%Y")))
        with write_transaction(db.session):
            service.decide_split(db.session, weights, effective, values.get("decision", ""),
                                 current_user.id)
        flash(_("La nouvelle répartition s'applique à partir du %(d)s.",
                d=effective.strftime("%d/%m/%Y")), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=values, problem=refused.message,
                   confirm_split=refused.code == "split_in_the_past")


@bp.route("/envelopes/donations", methods=["POST"])
@treasurer_required
def decide_donations():
    """Where the stall's gifts go from a date: one envelope, or shared by the split."""
    values = _checked_form()
    with refusals() as refused:
        try:
            effective = parse_day(values.get("effective_from", ""))
        except ValueError:
            raise ServiceError("date", _("La date d'effet s'écrit AAAA-MM-JJ.")) from None
        if len(values.get("decision", "")) > 500:
            raise ServiceError("decision", _("La note fait 500 caractères au plus."))
        with write_transaction(db.session):
            service.decide_donations(db.session, values.get("envelope") or None, effective,
                                     values.get("decision", ""), current_user.id)
        flash(_("Les dons vont là à partir du %(d)s.", d=effective.strftime("%d/%m/%Y")),
              "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=values, problem=refused.message)


@bp.route("/envelopes/new", methods=["POST"])
@treasurer_required
def new_envelope():
    values = _checked_form()
    with refusals() as refused:
        with write_transaction(db.session):
            service.add_envelope(db.session, values.get("code", ""), values.get("name", ""))
        flash(_("Enveloppe ajoutée : elle reçoit de l'argent dès qu'une répartition la "
                "compte."), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=values, problem=refused.message)
