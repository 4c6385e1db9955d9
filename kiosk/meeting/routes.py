"""Pages of the meeting: the list and a new meeting, then the big screen, one step a page,
moved on by one big button; the decisions typed in there, hands counted."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk.auth.roles import treasurer_required
from kiosk.common.fields import shares
from kiosk.common.input import arg_number
from kiosk.common.views import posted, refusals, refuse_unread, typed
from kiosk.database import write_transaction
from kiosk.documents.minutes import decision_words, vote_words
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.ledger.money import format_euros, format_money
from kiosk.meeting import bp
from kiosk.meeting.forms import (
    AMOUNT,
    MeetingForm,
    ProposalForm,
    ThresholdForm,
    VotesForm,
    decision_form,
)
from kiosk.models import Envelope
from kiosk.services import catalogue
from kiosk.services import meetings as service

MAX_DAY_SCREENS = 12  # sales days shown one a screen; more are summed on the last

STEP = arg_number(99)  # which screen of the meeting, in the query


def _envelopes() -> list[Envelope]:
    return list(db.session.scalars(select(Envelope).where(Envelope.active)
                                   .order_by(Envelope.id)))


def _render_index(status: int = 200, **extra):
    threshold = service.spend_threshold(db.session)
    context = {"form": FlaskForm(), "meetings": service.meetings(db.session),
               "today": service.today().isoformat(), "values": {}, "problem": None,
               "threshold": format_money(threshold) if threshold is not None else "",
               "threshold_euros": format_euros(threshold) if threshold is not None else "",
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
    form = posted(MeetingForm())
    with refusals() as refused:
        refuse_unread(form)
        with write_transaction(db.session):
            row = service.create_meeting(db.session, form.held_on.data,
                                         form.present.data.splitlines(), form.note.data,
                                         current_user.id)
        return redirect(url_for("meeting.screen", meeting_id=row["id"]))
    return _render_index(refused.status, values=typed(form), problem=refused.message)


@bp.route("/meeting/settings", methods=["POST"])
@treasurer_required
def settings():
    """Spends above an amount need a decision of the group (empty: never)."""
    form = posted(ThresholdForm())
    if not form.threshold.raw_data:
        abort(400)  # (an empty field is a choice: never; no field is no form of ours)
    with refusals() as refused:
        refuse_unread(form)
        with write_transaction(db.session):
            service.set_spend_threshold(db.session, form.threshold.data)
        flash(_("Réglage enregistré."), "success")
        return redirect(url_for("meeting.index"))
    return _render_index(refused.status, values=typed(form), problem=refused.message)


@bp.route("/meeting/proposals", methods=["POST"])
@treasurer_required
def propose():
    """A proposal prepared before the meeting: a title, an envelope, an amount, a photo."""
    form = posted(ProposalForm())
    if not form.title.raw_data:
        abort(400)
    upload = request.files.get("photo")
    raw = upload.read() if upload and upload.filename else None
    with refusals() as refused:
        refuse_unread(form)
        cents = form.amount.data
        with write_transaction(db.session):
            proposal = service.add_proposal(db.session, form.title.data,
                                            form.envelope.data if cents else None, cents,
                                            current_user.id)
            if raw is not None:  # (the catalogue's checks: a real picture, shrunk)
                catalogue.store_photo(db.session, proposal, raw, current_app.instance_path)
        flash(_("Proposition prête pour la prochaine réunion."), "success")
        return redirect(url_for("meeting.index"))
    return _render_index(refused.status, values=typed(form), problem=refused.message)


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


@bp.route("/meeting/<int:meeting_id>/decisions", methods=["POST"])
@treasurer_required
def decide(meeting_id: int):
    codes = [envelope.code for envelope in _envelopes()]
    form = posted(decision_form(codes))
    service.get_meeting(db.session, meeting_id)  # 404 before anything else
    kind = form.kind.data if form.kind.raw_data else service.OTHER
    with refusals() as refused:
        spend = split = None
        if kind == service.SPEND:
            if form.amount.data is None:  # (unreadable or empty: the same words)
                raise InvalidInput("amount", str(AMOUNT))
            spend = (form.envelope.data, form.amount.data)
        elif kind == service.SPLIT:
            refuse_unread(form, only=[f"weight_{code}" for code in codes])
            split = shares(form, codes)
        with write_transaction(db.session):
            service.decide(db.session, meeting_id, form.text.data, spend=spend,
                           split=split, votes=form.votes(), replaces_id=form.replaces.data,
                           user_id=current_user.id)
        flash(_("Décision enregistrée."), "success")
        return redirect(url_for("meeting.screen", meeting_id=meeting_id,
                                step=request.args.get("step", 0, type=STEP), _anchor="decided"))
    meeting = service.get_meeting(db.session, meeting_id)
    steps = _steps(service.summary(db.session, meeting),
                   service.proposals_for(db.session, meeting))
    step = next(i for i, (k, _s) in enumerate(steps) if k == "decide")
    return _render_screen(meeting_id, step, refused.status, values=typed(form),
                          problem=refused.message)


@bp.route("/meeting/<int:meeting_id>/proposals/<int:proposal_id>", methods=["POST"])
@treasurer_required
def decide_proposal(meeting_id: int, proposal_id: int):
    """The hands counted on a prepared proposal."""
    form = posted(VotesForm())
    service.get_meeting(db.session, meeting_id)  # 404 before anything else
    step = request.args.get("step", 0, type=STEP)
    with refusals() as refused:
        with write_transaction(db.session):
            service.decide_proposal(db.session, meeting_id, proposal_id, form.votes(),
                                    current_user.id)
        flash(_("Décision enregistrée."), "success")
        return redirect(url_for("meeting.screen", meeting_id=meeting_id, step=step))
    return _render_screen(meeting_id, step, refused.status, values=typed(form),
                          problem=refused.message)


@bp.route("/p/ce-que-vos-achats-ont-finance")
def financed():
    """Public, like a label's page (/p/SKU), which leads here: what the group decided to pay
    for with the money of the sales, and what it has paid so far. No personal data."""
    items = service.funded(db.session)
    return render_template("meeting/financed.html", items=items,
                           spent=sum(item.spent_cents for item in items))
