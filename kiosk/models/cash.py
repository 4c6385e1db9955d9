"""Cash sessions: the float counted at opening, the count at closing, the cheques."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db

# The euro's notes and coins, in cents, largest first.
DENOMINATIONS_CENTS: tuple[int, ...] = (
    50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1,
)


class CashSession(db.Model):
    """A drawer at a location from opening to closing. Its row never changes: the
    closing is a row of its own, so the journal can guard both."""

    __tablename__ = "cash_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    float_cents: Mapped[int]

    closure: Mapped[CashSessionClosure | None] = relationship(back_populates="cash_session")

    @property
    def is_open(self) -> bool:
        return self.closure is None


class CashCountLine(db.Model):
    """How many of one denomination were counted, at opening or at closing."""

    __tablename__ = "cash_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    moment: Mapped[str] = mapped_column(String(8))  # "open" or "close"
    denomination_cents: Mapped[int]
    count: Mapped[int]


class CashSessionClosure(db.Model):
    __tablename__ = "cash_session_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), unique=True)
    closed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected_cash_cents: Mapped[int]
    counted_cash_cents: Mapped[int]
    difference_cents: Mapped[int]
    revenue_cents: Mapped[int]  # net sales of the session, all methods
    cheque_total_cents: Mapped[int]
    card_total_cents: Mapped[int]  # what the card terminal says
    split_rule_id: Mapped[int | None] = mapped_column(ForeignKey("split_rules.id"))
    journal_hash: Mapped[str] = mapped_column(String(64), default="")

    cash_session: Mapped[CashSession] = relationship(back_populates="closure")


class Cheque(db.Model):
    __tablename__ = "cheques"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    amount_cents: Mapped[int]
    drawer: Mapped[str] = mapped_column(String(120), default="")
    bank: Mapped[str] = mapped_column(String(120), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
