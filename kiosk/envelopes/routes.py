"""Pages of the envelopes area: balances and ledgers, spending, transfers, the split."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk.auth.roles import treasurer_required
from kiosk.common.fields import shares
from kiosk.common.views import posted, refusals, refuse_unread, typed
from kiosk.database import utcnow, write_transaction
from kiosk.envelopes import bp
from kiosk.envelopes.forms import (
    DonationsForm,
    NewEnvelopeForm,
    SpendForm,
    TransferForm,
    split_form,
)
from kiosk.errors import ServiceError
from kiosk.extensions import db
from kiosk.ledger.money import format_money
from kiosk.models import Envelope
from kiosk.services import envelopes as service
from kiosk.services import meetings
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


def _day(form: SpendForm | TransferForm) -> date:
    return form.entry_date.data or _today()  # an empty box: today


@bp.route("/envelopes/spend", methods=["POST"])
@treasurer_required
def spend():
    form = posted(SpendForm())
    with refusals() as refused:
        amount = service.check_amount(form.amount.data)  # (None: not read, same words)
        refuse_unread(form)
        with write_transaction(db.session):
            service.spend(db.session, form.envelope.data, amount, form.label.data,
                          _day(form), form.receipt_ref.data,
                          confirm=form.confirm.data == "1", user_id=current_user.id,
                          charge_account=form.charge_account.data or None,
                          paid_from=form.paid_from.data or None,
                          decision_id=form.decision_id.data)
        flash(_("Dépense de %(a)s enregistrée.", a=format_money(amount)), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=typed(form), problem=refused.message,
                   confirm_spend=refused.code == "below_zero")


@bp.route("/envelopes/transfer", methods=["POST"])
@treasurer_required
def transfer():
    form = posted(TransferForm())
    with refusals() as refused:
        amount = service.check_amount(form.amount.data)  # (None: not read, same words)
        refuse_unread(form)
        with write_transaction(db.session):
            service.transfer(db.session, form.source.data, form.to.data, amount,
                             form.label.data, _day(form), confirm=form.confirm.data == "1",
                             user_id=current_user.id)
        flash(_("Virement de %(a)s enregistré.", a=format_money(amount)), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=typed(form), problem=refused.message,
                   confirm_transfer=refused.code == "below_zero")


@bp.route("/envelopes/rules", methods=["POST"])
@treasurer_required
def decide():
    codes = list(db.session.scalars(select(Envelope.code).order_by(Envelope.id)))
    form = posted(split_form(codes))
    with refusals() as refused:
        refuse_unread(form)
        effective = form.effective_from.data
        if effective < _today() and form.confirm.data != "1":
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
            service.decide_split(db.session, shares(form, codes), effective,
                                 form.decision.data, current_user.id)
        flash(_("La nouvelle répartition s'applique à partir du %(d)s.",
                d=effective.strftime("%d/%m/%Y")), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=typed(form), problem=refused.message,
                   confirm_split=refused.code == "split_in_the_past")


@bp.route("/envelopes/donations", methods=["POST"])
@treasurer_required
def decide_donations():
    """Where the stall's gifts go from a date: one envelope, or shared by the split."""
    form = posted(DonationsForm())
    with refusals() as refused:
        refuse_unread(form)
        effective = form.effective_from.data
        with write_transaction(db.session):
            service.decide_donations(db.session, form.envelope.data or None, effective,
                                     form.decision.data, current_user.id)
        flash(_("Les dons vont là à partir du %(d)s.", d=effective.strftime("%d/%m/%Y")),
              "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=typed(form), problem=refused.message)


@bp.route("/envelopes/new", methods=["POST"])
@treasurer_required
def new_envelope():
    form = posted(NewEnvelopeForm())
    with refusals() as refused:
        with write_transaction(db.session):
            service.add_envelope(db.session, form.code.data, form.name.data)
        flash(_("Enveloppe ajoutée : elle reçoit de l'argent dès qu'une répartition la "
                "compte."), "success")
        return redirect(url_for("envelopes.index"))
    return _render(refused.status, values=typed(form), problem=refused.message)
