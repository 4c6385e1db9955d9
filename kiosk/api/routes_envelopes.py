"""API routes: the group's envelopes, their ledgers, spending, transfers and the split."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from flask import jsonify
from flask_login import current_user
from pydantic import AfterValidator, Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import AmountCents, Body, Code, Day, Id, Name, Reason, _no_control_chars
from kiosk.database import utcnow, write_transaction
from kiosk.extensions import db
from kiosk.models import Envelope, EnvelopeEntry
from kiosk.models.people import Role
from kiosk.services import envelopes as service
from kiosk.vocabulary import PARIS

Ref = Annotated[str, Field(max_length=120), AfterValidator(_no_control_chars)]
Account = Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]


class SpendBody(Body):
    amount_cents: AmountCents
    label: Name
    entry_date: Day | None = None
    receipt_ref: Ref = ""
    confirm: bool = False
    # Issue 16: how the accounts book it (a charge account of the chart; bank or cash)
    charge_account: Account | None = None
    paid_from: Literal["bank", "cash"] | None = None
    decision_id: Id | None = None  # issue 30: the group's decision that allowed it


class TransferBody(Body):
    from_: Code = Field(alias="from")
    to: Code
    amount_cents: AmountCents
    label: Name
    entry_date: Day | None = None
    confirm: bool = False


class SplitBody(Body):
    weights: Annotated[dict[str, Annotated[int, Field(ge=0, le=1000)]],
                       Field(min_length=1, max_length=20)]
    effective_from: Day
    decision: Reason


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def entry_json(entry: EnvelopeEntry, code: str) -> dict:
    return {"id": entry.id, "envelope": code, "amount_cents": entry.amount_cents,
            "kind": entry.kind, "label": entry.label, "date": entry.entry_date.isoformat(),
            "receipt_ref": entry.receipt_ref, "cash_session_id": entry.cash_session_id,
            "group_ref": entry.group_ref}


@endpoint("/envelopes", summary="The envelopes and their balances")
def list_envelopes():
    return jsonify([{"code": b.envelope.code, "name": b.envelope.name,
                     "balance_cents": b.balance_cents} for b in service.balances(db.session)])


@endpoint("/envelopes/<code>/entries", summary="One envelope's ledger, oldest first",
          role=Role.TREASURER)
def envelope_entries(code: str):
    envelope = service.envelope_by_code(db.session, code)
    return jsonify([{**entry_json(entry, code), "balance_after_cents": after}
                    for entry, after in service.ledger(db.session, envelope.id)])


@endpoint("/envelopes/<code>/spend", "POST", role=Role.TREASURER, body=SpendBody,
          summary="Spend from an envelope (below zero only with \"confirm\": true)",
          responses={201: "the entry"})
def spend(code: str, data: SpendBody):
    with write_transaction(db.session):
        entry = service.spend(db.session, code, data.amount_cents, data.label,
                              data.entry_date or _today(), data.receipt_ref,
                              confirm=data.confirm, user_id=current_user.id,
                              charge_account=data.charge_account, paid_from=data.paid_from,
                              decision_id=data.decision_id)
        body = entry_json(entry, code)
        body["decision_id"] = data.decision_id
        body["balance_cents"] = service.balance(db.session, entry.envelope_id)
    return jsonify(body), 201


@endpoint("/envelopes/transfer", "POST", role=Role.TREASURER, body=TransferBody,
          summary="Move money from one envelope to another", responses={201: "both entries"})
def transfer(data: TransferBody):
    with write_transaction(db.session):
        entries = service.transfer(db.session, data.from_, data.to, data.amount_cents,
                                   data.label, data.entry_date or _today(),
                                   confirm=data.confirm, user_id=current_user.id)
        body = {"from": entry_json(entries[0], data.from_), "to": entry_json(entries[1], data.to)}
    return jsonify(body), 201


@endpoint("/split-rules", summary="The split decisions, newest first", role=Role.TREASURER)
def split_rules():
    codes = dict(db.session.execute(db.select(Envelope.id, Envelope.code)).all())
    return jsonify([{"id": r.id, "effective_from": r.effective_from.isoformat(),
                     "decision": r.decision,
                     "weights": {codes[p.envelope_id]: p.weight for p in r.parts}}
                    for r in service.rules_history(db.session)])


@endpoint("/split-rules", "POST", role=Role.TREASURER, body=SplitBody,
          summary="Record a new split, in force from a date, with the meeting that decided it",
          responses={201: "the rule"})
def decide_split(data: SplitBody):
    with write_transaction(db.session):
        rule = service.decide_split(db.session, data.weights, data.effective_from,
                                    data.decision, current_user.id)
        body = {"id": rule.id, "effective_from": rule.effective_from.isoformat(),
                "decision": rule.decision, "weights": data.weights}
    return jsonify(body), 201


class DonationRuleBody(Body):
    envelope: Code | None = None  # None: the gifts are shared by the split in force
    effective_from: Day
    decision: Reason


def donation_rule_json(rule, codes: dict[int, str]) -> dict:
    return {"id": rule.id, "effective_from": rule.effective_from.isoformat(),
            "envelope": codes.get(rule.envelope_id) if rule.envelope_id else None,
            "decision": rule.decision}


@endpoint("/donation-rules", summary="Where the gifts go, decisions newest first",
          role=Role.TREASURER)
def donation_rules():
    codes = dict(db.session.execute(db.select(Envelope.id, Envelope.code)).all())
    return jsonify([donation_rule_json(r, codes)
                    for r in service.donation_rules_history(db.session)])


@endpoint("/donation-rules", "POST", role=Role.TREASURER, body=DonationRuleBody,
          summary="Record where the stall's gifts go from a date: one envelope, or the split",
          responses={201: "the decision"})
def decide_donations(data: DonationRuleBody):
    with write_transaction(db.session):
        rule = service.decide_donations(db.session, data.envelope, data.effective_from,
                                        data.decision, current_user.id)
        body = donation_rule_json(rule, {rule.envelope_id: data.envelope}
                                  if rule.envelope_id else {})
    return jsonify(body), 201
