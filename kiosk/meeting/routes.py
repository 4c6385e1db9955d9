"""Pages of the meeting: the list and a new meeting, then the big screen, one step a page,
moved on by one big button; the decisions typed in there, hands counted."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk.auth.roles import treasurer_required
from kiosk.common.input import arg_number, id_or_none, is_digits, parse_day
from kiosk.common.views import refusals
from kiosk.database import write_transaction
from kiosk.documents.minutes import decision_words, vote_words
from kiosk.extensions import db
from kiosk.meeting import bp
from kiosk.models import Envelope
from kiosk.services import catalogue
from kiosk.services import meetings as service
from kiosk.services.errors import ServiceError
from kiosk.services.money import format_money, parse_euros

MAX_DAY_SCREENS = 12  # sales days shown one a screen; more are summed on the last

STEP = arg_number(99)  # which screen of the meeting, in the query


def _checked_form() -> dict[str, str]:
    if not FlaskForm().validate_on_submit():
        abort(400)
    return {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}


def _envelopes() -> list[Envelope]:
    return list(db.session.scalars(select(Envelope).where(Envelope.active)
                                   .order_by(Envelope.id)))


def _render_index(status: int = 200, **extra):
    threshold = service.spend_threshold(db.session)
    context = {"form": FlaskForm(), "meetings": service.meetings(db.session),
               "today": service.today().isoformat(), "values": {}, "problem": None,
               "threshold": format_money(threshold) if threshold is not None else "",
               "threshold_euros": f"{threshold / 100:.2f}".replace(".", ",")
               if threshold is not None else "",
               "names": service.present_names, "envelopes": _envelopes(),
               "proposals": service.pending_proposals(db.session)}
    context.update(extra)
    return render_template("meeting/index.html", **context), status


@bp.route("/meeting")
@treasurer_required
def index():
    return _render_index()


@bp.route("/meeting", methods=["POST"])
@treasurer_required
def create():
    values = _checked_form()
    with refusals() as refused:
        try:
            held_on = parse_day(values.get("held_on", ""))
        except ValueError:
            raise ServiceError("held_on", _("La date s'écrit AAAA-MM-JJ.")) from None
        with write_transaction(db.session):
            row = service.create_meeting(db.session, held_on,
                                         values.get("present", "").splitlines(),
                                         values.get("note", ""), current_user.id)
        return redirect(url_for("meeting.screen", meeting_id=row["id"]))
    return _render_index(refused.status, values=values, problem=refused.message)


@bp.route("/meeting/settings", methods=["POST"])
@treasurer_required
def settings():
    """Spends above an amount need a decision of the group (empty: never)."""
    values = _checked_form()
    if "threshold" not in values:
        abort(400)  # (an empty field is a choice: never; no field is no form of ours)
    raw = values["threshold"]
    with refusals() as refused:
        try:
            cents = parse_euros(raw) if raw else None
        except ValueError:
            raise ServiceError("threshold", _("Écrivez un montant en euros, par exemple 50, "
                                              "ou laissez vide.")) from None
        with write_transaction(db.session):
            service.set_spend_threshold(db.session, cents)
        flash(_("Réglage enregistré."), "success")
        return redirect(url_for("meeting.index"))
    return _render_index(refused.status, values=values, problem=refused.message)


@bp.route("/meeting/proposals", methods=["POST"])
@treasurer_required
def propose():
    """A proposal prepared before the meeting: a title, an envelope, an amount, a photo."""
    values = _checked_form()
    if "title" not in values:
        abort(400)
    upload = request.files.get("photo")
    raw = upload.read() if upload and upload.filename else None
    with refusals() as refused:
        cents = None
        if values.get("amount"):
            try:
                cents = parse_euros(values["amount"])
            except ValueError:
                raise ServiceError("amount", _("Écrivez le montant en euros, par exemple "
                                               "250.")) from None
        with write_transaction(db.session):
            proposal = service.add_proposal(db.session, values["title"],
                                            values.get("envelope") if cents else None, cents,
                                            current_user.id)
            if raw is not None:  # (the catalogue's checks: a real picture, shrunk)
                catalogue.store_photo(db.session, proposal, raw, current_app.instance_path)
        flash(_("Proposition prête pour la prochaine réunion."), "success")
        return redirect(url_for("meeting.index"))
    return _render_index(refused.status, values=values, problem=refused.message)


def _steps(summary: service.Summary,
           proposals: list | None = None) -> list[tuple[str, object]]:
    """The screens, in order: (kind, what it shows)."""
    steps: list[tuple[str, object]] = [("welcome", None)]
    days = summary.days
    if not days:
        steps.append(("no_sales", None))
    for day in days[:MAX_DAY_SCREENS]:
        steps.append(("day", day))
    if len(days) > MAX_DAY_SCREENS:
        steps.append(("more_days", days[MAX_DAY_SCREENS:]))
    steps += [("sewn", None), ("jars", None), ("spends", None)]
    if summary.past:
        steps.append(("past", None))
    steps += [("proposal", proposal) for proposal in proposals or ()]
    steps += [("decide", None), ("minutes", None)]
    return steps


def _render_screen(meeting_id: int, step: int | None = None, status: int = 200, **extra):
    meeting = service.get_meeting(db.session, meeting_id)
    summary = service.summary(db.session, meeting)
    steps = _steps(summary, service.proposals_for(db.session, meeting))
    if step is None:
        step = request.args.get("step", 0, type=STEP) or 0
    step = max(0, min(step, len(steps) - 1))
    kind, shown = steps[step]
    decisions = service.decisions_of(db.session, meeting.id)
    context = {
        "form": FlaskForm(), "meeting": meeting, "names": service.present_names(meeting),
        "summary": summary, "step": step, "steps": len(steps), "kind": kind,
        "shown": shown, "decisions": decisions, "envelopes": _envelopes(),
        "open_decisions": service.open_spend_decisions(db.session),
        "decision_words": decision_words, "vote_words": vote_words,
        "values": {}, "problem": None,
        "decide_step": next(i for i, (k, _s) in enumerate(steps) if k == "decide"),
        "envelope_names": {e.id: e.name for e in db.session.scalars(select(Envelope))},
        "proposal_decision": service.decision_view(db.session, db.session.get(
            service.Decision, shown.decision_id))
        if kind == "proposal" and shown.decision_id else None,
    }
    context.update(extra)
    return render_template("meeting/screen.html", **context), status


@bp.route("/meeting/<int:meeting_id>")
@treasurer_required
def screen(meeting_id: int):
    return _render_screen(meeting_id)


def _votes(values: dict[str, str]) -> tuple[int, int, int] | None:
    raw = [values.get(name, "") for name in ("votes_for", "votes_against", "votes_abstain")]
    if not any(raw):
        return None
    if not all(is_digits(v, 3) for v in raw):
        raise ServiceError("votes", _("Tapez le nombre de mains levées : pour, contre, "
                                      "sans avis (0 s'il n'y en a pas)."))
    return (int(raw[0]), int(raw[1]), int(raw[2]))


@bp.route("/meeting/<int:meeting_id>/decisions", methods=["POST"])
@treasurer_required
def decide(meeting_id: int):
    values = _checked_form()
    service.get_meeting(db.session, meeting_id)  # 404 before anything else
    kind = values.get("kind", service.OTHER)
    with refusals() as refused:
        spend = split = None
        if kind == service.SPEND:
            try:
                cents = parse_euros(values.get("amount", ""))
            except ValueError:
                raise ServiceError("amount", _("Écrivez le montant en euros, par exemple "
                                               "250.")) from None
            spend = (values.get("envelope", ""), cents)
        elif kind == service.SPLIT:
            split = {}
            for envelope in _envelopes():
                raw = values.get(f"weight-{envelope.code}", "0") or "0"
                if not is_digits(raw, 4) or int(raw) > 1000:
                    raise ServiceError("weights", _("Les parts sont des nombres de 0 à 1000, "
                                                    "par exemple 1 et 1 pour moitié-moitié."))
                split[envelope.code] = int(raw)
        replaces = values.get("replaces", "")
        with write_transaction(db.session):
            service.decide(db.session, meeting_id, values.get("text", ""), spend=spend,
                           split=split, votes=_votes(values),
                           replaces_id=id_or_none(replaces),
                           user_id=current_user.id)
        flash(_("Décision enregistrée."), "success")
        return redirect(url_for("meeting.screen", meeting_id=meeting_id,
                                step=request.args.get("step", 0, type=STEP), _anchor="decided"))
    meeting = service.get_meeting(db.session, meeting_id)
    steps = _steps(service.summary(db.session, meeting),
                   service.proposals_for(db.session, meeting))
    step = next(i for i, (k, _s) in enumerate(steps) if k == "decide")
    return _render_screen(meeting_id, step, refused.status, values=values,
                          problem=refused.message)


@bp.route("/meeting/<int:meeting_id>/proposals/<int:proposal_id>", methods=["POST"])
@treasurer_required
def decide_proposal(meeting_id: int, proposal_id: int):
    """The hands counted on a prepared proposal."""
    values = _checked_form()
    service.get_meeting(db.session, meeting_id)  # 404 before anything else
    step = request.args.get("step", 0, type=STEP)
    with refusals() as refused:
        with write_transaction(db.session):
            service.decide_proposal(db.session, meeting_id, proposal_id, _votes(values),
                                    current_user.id)
        flash(_("Décision enregistrée."), "success")
        return redirect(url_for("meeting.screen", meeting_id=meeting_id, step=step))
    return _render_screen(meeting_id, step, refused.status, values=values,
                          problem=refused.message)


@bp.route("/p/ce-que-vos-achats-ont-finance")
def financed():
    """Public, like a label's page (/p/SKU), which leads here: what the group decided to pay
    for with the money of the sales, and what it has paid so far. No personal data."""
    items = service.funded(db.session)
    return render_template("meeting/financed.html", items=items,
                           spent=sum(item.spent_cents for item in items))
