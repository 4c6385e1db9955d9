"""The group's envelopes and the split rule that shares takings between them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Envelope, EnvelopeEntry, SplitRule, SplitRulePart
from kiosk.services import journal
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.money import split_largest_remainder


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


def post_takings(session: Session, amount_cents: int, on: date, label: str, *,
                 kind: str = "takings", cash_session_id: int | None = None,
                 sale_id: int | None = None, user_id: int | None = None,
                 journal_rows: list | None = None) -> list[EnvelopeEntry]:
    """Share `amount_cents` (negative for a shortfall) between the envelopes by the rule
    in force on `on`, to the cent (largest remainder), as new envelope entries.

    With `journal_rows`, the entries are added to that list for the caller's own journal
    entry (a closing journals its closure and postings together); otherwise they are
    journaled here as one "takings" entry.
    """
    rule = rule_in_force(session, on)
    if rule is None:
        raise InvalidInput("no_split_rule", "Aucune répartition n'est décidée pour cette date : "
                           "la trésorière doit en enregistrer une.")
    if amount_cents == 0:
        return []
    weights = {str(part.envelope_id): part.weight for part in rule.parts}
    shares = split_largest_remainder(amount_cents, weights)
    entries = [EnvelopeEntry(envelope_id=int(envelope_id), amount_cents=cents, kind=kind,
                             label=label[:120], entry_date=on, cash_session_id=cash_session_id,
                             sale_id=sale_id, created_by=user_id)
               for envelope_id, cents in shares.items() if cents != 0]
    session.add_all(entries)
    if journal_rows is not None:
        journal_rows.extend(entries)
    else:
        journal.append(session, kind, label[:64], entries, user_id)
    return entries
