"""The group's meetings and the decisions taken there (issue 30): what a spend may cite."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class Meeting(db.Model):
    """A meeting of the group: its date and who was there (one name a line). Journaled,
    never edited."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(index=True)
    present: Mapped[str] = mapped_column(Text)  # the names, one a line
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(db.Model):
    """What the group decided, hands counted: a spend (an amount granted from an
    envelope), a split (a split rule in force from `decided_on`) or anything else (a text).
    Journaled and never edited: a later decision `replaces` it. A split decided before
    meetings were recorded (the envelopes' page, the API's /split-rules) has no meeting."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # spend, split, other
    text: Mapped[str] = mapped_column(String(500))
    decided_on: Mapped[date]
    envelope_id: Mapped[int | None] = mapped_column(ForeignKey("envelopes.id"))
    amount_cents: Mapped[int | None]  # a spend decision's grant
    split_rule_id: Mapped[int | None] = mapped_column(ForeignKey("split_rules.id"))
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionSpend(db.Model):
    """A spend (an envelope entry) that cites the decision allowing it, journaled with it."""

    __tablename__ = "decision_spends"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    envelope_entry_id: Mapped[int] = mapped_column(ForeignKey("envelope_entries.id"),
                                                   unique=True)


class Proposal(db.Model):
    """What the coordinator or the treasurer prepares before a meeting: a title, an
    envelope, an amount, a photo. Not journaled (it decides nothing): at the meeting it is
    shown, the hands are counted, and the decision (journaled) records it; `decision_id`
    then says which."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    envelope_id: Mapped[int | None] = mapped_column(ForeignKey("envelopes.id"))
    amount_cents: Mapped[int | None]
    photo: Mapped[str | None] = mapped_column(String(255))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
