"""API routes: the group's meetings, their decisions and their minutes (issue 30)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import Response, jsonify
from flask_login import current_user
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import AmountCents, Body, Code, Id, Name, Note, Reason
from kiosk.database import write_transaction
from kiosk.documents.minutes import minutes_pdf
from kiosk.extensions import db
from kiosk.models.people import Role
from kiosk.services import meetings as service

Hands = Annotated[int, Field(ge=0, le=service.MAX_VOTES)]


class MeetingBody(Body):
    held_on: date
    present: Annotated[list[Name], Field(min_length=1, max_length=service.MAX_PRESENT)]
    note: Note = ""


class SpendGrant(Body):
    envelope: Code
    amount_cents: AmountCents


class Votes(Body):
    for_: Hands = Field(alias="for")
    against: Hands
    abstain: Hands


class DecisionBody(Body):
    text: Reason
    spend: SpendGrant | None = None
    split: Annotated[dict[Code, Annotated[int, Field(ge=0, le=1000)]],
                     Field(min_length=1, max_length=20)] | None = None
    votes: Votes | None = None
    replaces: Id | None = None


def decision_json(view: service.DecisionView) -> dict:
    decision = view.decision
    body: dict = {"id": decision.id, "text": decision.text, "kind": decision.kind,
                  "decided_on": decision.decided_on.isoformat(),
                  "adopted": view.adopted, "spent_cents": view.spent_cents,
                  "replaces": decision.replaces_id, "replaced_by": view.replaced_by}
    if decision.kind == service.SPEND and view.envelope is not None:
        body["spend"] = {"envelope": view.envelope.code,
                         "amount_cents": decision.amount_cents}
    if decision.kind == service.SPLIT:
        body["split"] = view.weights
    if decision.votes_for is not None:
        body["votes"] = {"for": decision.votes_for, "against": decision.votes_against,
                         "abstain": decision.votes_abstain}
    return body


def meeting_json(meeting) -> dict:
    return {"id": meeting.id, "held_on": meeting.held_on.isoformat(),
            "present": service.present_names(meeting), "note": meeting.note,
            "decisions": [decision_json(view)
                          for view in service.decisions_of(db.session, meeting.id)]}


@endpoint("/meetings", summary="The group's meetings, newest first", role=Role.TREASURER)
def list_meetings():
    return jsonify([{"id": m.id, "held_on": m.held_on.isoformat(),
                     "present": service.present_names(m)}
                    for m in service.meetings(db.session)])


@endpoint("/meetings", "POST", role=Role.TREASURER, body=MeetingBody,
          summary="Record a meeting of the group: its date and who was there",
          responses={201: "{id}"})
def create_meeting(data: MeetingBody):
    with write_transaction(db.session):
        row = service.create_meeting(db.session, data.held_on, data.present, data.note,
                                     current_user.id)
    return jsonify({"id": row["id"]}), 201


@endpoint("/meetings/<int:meeting_id>", summary="A meeting, its decisions and what each "
          "has spent so far", role=Role.TREASURER)
def get_meeting(meeting_id: int):
    return jsonify(meeting_json(service.get_meeting(db.session, meeting_id)))


@endpoint("/meetings/<int:meeting_id>/decisions", "POST", role=Role.TREASURER,
          body=DecisionBody, responses={201: "{id}"},
          summary="Record a decision of the meeting (journaled, never edited: a later "
                  "decision replaces it)")
def decide(meeting_id: int, data: DecisionBody):
    votes = (data.votes.for_, data.votes.against, data.votes.abstain) if data.votes else None
    spend = (data.spend.envelope, data.spend.amount_cents) if data.spend else None
    with write_transaction(db.session):
        row = service.decide(db.session, meeting_id, data.text, spend=spend, split=data.split,
                             votes=votes, replaces_id=data.replaces, user_id=current_user.id)
    return jsonify({"id": row["id"]}), 201


@endpoint("/meetings/<int:meeting_id>/minutes.pdf", role=Role.TREASURER,
          summary="The meeting's minutes: one A4 page", produces="application/pdf")
def minutes(meeting_id: int):
    return Response(minutes_pdf(db.session, meeting_id), mimetype="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="reunion-{meeting_id}.pdf"'})


@endpoint("/spend-decisions", role=Role.TREASURER,
          summary="Spend decisions a spend may still cite, with what is left of each")
def open_decisions():
    return jsonify([{**decision_json(view), "left_cents": view.left_cents}
                    for view in service.open_spend_decisions(db.session)])
