"""The group's envelopes and the split rule that shares takings between them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Envelope, SplitRule, SplitRulePart
from kiosk.services import journal
from kiosk.services.errors import InvalidInput, NotFound


def decide_split(session: Session, weights: Mapping[str, int], effective_from: date,
                 decision: str, user_id: int | None) -> SplitRule:
    """Record a new split, in force from `effective_from`, with the meeting that decided it.

    Rules are never edited: the newest rule whose date has come is the one in force.
    """
    if not decision.strip():
        raise InvalidInput("decision", "Dites quand la décision a été prise "
                           "(« décidé en réunion du … »).")
    if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise InvalidInput("weights", "Les parts doivent être positives et non toutes nulles.")
    envelopes = {e.code: e for e in session.scalars(
        select(Envelope).where(Envelope.code.in_(list(weights))))}
    missing = sorted(set(weights) - set(envelopes))
    if missing:
        raise NotFound("envelope", f"Enveloppe inconnue : {', '.join(missing)}.")
    rule = SplitRule(effective_from=effective_from, decision=decision.strip(),
                     created_by=user_id)
    session.add(rule)
    session.flush()
    parts = [SplitRulePart(split_rule_id=rule.id, envelope_id=envelopes[code].id, weight=w)
             for code, w in weights.items() if w > 0]
    session.add_all(parts)
    journal.append(session, "split_rule", f"rule-{rule.id}", [rule, *parts], user_id)
    return rule


def rule_in_force(session: Session, on: date) -> SplitRule | None:
    return session.scalar(
        select(SplitRule).where(SplitRule.effective_from <= on)
        .order_by(SplitRule.effective_from.desc(), SplitRule.id.desc()).limit(1))
