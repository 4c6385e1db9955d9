"""rows.py's sibling for the group's meetings (issue 30): a meeting, its decisions and the
link from a spend to its decision. (A split decided there is the same rule as any other:
rows.split_rule and rows.split_rule_part build it.)

Like rows.py, each builder returns a dict holding EVERY column of its table, id included:
what write.write_event inserts and what the journal digests.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Table

from kiosk.ledger.rows import Row
from kiosk.models import Decision, DecisionSpend, Meeting

MEETINGS: Table = Meeting.__table__
DECISIONS: Table = Decision.__table__
DECISION_SPENDS: Table = DecisionSpend.__table__


def meeting(*, id: int, held_on: date, present: list[str], note: str,
            created_by: int | None, created_at: datetime) -> Row:
    return {"id": id, "held_on": held_on, "present": "\n".join(present), "note": note,
            "created_by": created_by, "created_at": created_at}


def decision(*, id: int, meeting_id: int | None, kind: str, text: str, decided_on: date,
             created_by: int | None, created_at: datetime, envelope_id: int | None = None,
             amount_cents: int | None = None, split_rule_id: int | None = None,
             votes: tuple[int, int, int] | None = None, replaces_id: int | None = None) -> Row:
    """`votes`: (for, against, abstain), or None when the hands were not counted."""
    votes_for, votes_against, votes_abstain = votes if votes is not None else (None,) * 3
    return {"id": id, "meeting_id": meeting_id, "kind": kind, "text": text,
            "decided_on": decided_on, "envelope_id": envelope_id,
            "amount_cents": amount_cents, "split_rule_id": split_rule_id,
            "votes_for": votes_for, "votes_against": votes_against,
            "votes_abstain": votes_abstain, "replaces_id": replaces_id,
            "created_by": created_by, "created_at": created_at}


def decision_spend(*, id: int | None, decision_id: int, envelope_entry_id: int | None) -> Row:
    """`id` None: handed to the ORM with its spend (envelopes.spend still posts through
    it); `envelope_entry_id` None until the entry has its id."""
    return {"id": id, "decision_id": decision_id, "envelope_entry_id": envelope_entry_id}
