"""The group's envelopes, the split rule decided in meeting, and each envelope's ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class Envelope(db.Model):
    __tablename__ = "envelopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    # The analytic project in Paheko (capitals, digits, "_"); None: made from the name.
    project_code: Mapped[str | None] = mapped_column(String(64))


class SplitRule(db.Model):
    """How takings are shared, in force from a date, decided in a meeting. Never edited:
    a new decision is a new rule."""

    __tablename__ = "split_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    decision: Mapped[str] = mapped_column(String(500))  # "décidé en réunion du 12 mai"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parts: Mapped[list[SplitRulePart]] = relationship(
        order_by="SplitRulePart.id", lazy="selectin"
    )


class SplitRulePart(db.Model):
    __tablename__ = "split_rule_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    split_rule_id: Mapped[int] = mapped_column(ForeignKey("split_rules.id"), index=True)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("envelopes.id"))
    weight: Mapped[int]  # shares; 50/50 is 1 and 1, or 50 and 50


class DonationRule(db.Model):
    """Where the stall's gifts go, in force from a date, decided in a meeting: into one
    envelope, or (envelope None) shared like the takings by the split in force. Never
    edited: a new decision is a new rule."""

    __tablename__ = "donation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    envelope_id: Mapped[int | None] = mapped_column(ForeignKey("envelopes.id"))
    decision: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnvelopeEntry(db.Model):
    """One signed amount in one envelope. Balance = sum of entries."""

    __tablename__ = "envelope_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("envelopes.id"), index=True)
    amount_cents: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # takings, donation, consignment, spend, transfer
    label: Mapped[str] = mapped_column(String(120))
    entry_date: Mapped[date]
    receipt_ref: Mapped[str] = mapped_column(String(120), default="")
    cash_session_id: Mapped[int | None] = mapped_column(ForeignKey("cash_sessions.id"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"))
    group_ref: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
