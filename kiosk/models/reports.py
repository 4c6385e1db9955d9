"""Figures kept as the sales are written, so the reports never read every sale; and who
held the stall, for the volunteers' time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db

MADE = "made"  # a DailyTotal row of pieces sewn (production moves), not of a sale


class DailyTotal(db.Model):
    """Sums of one Paris day's sales (or pieces sewn), kept by write.write_events in the
    same write as the rows they sum, and checked by verify-journal against those rows.

    A row is keyed by the day, the sale's kind (`sale`, `void`, `refund`, `consignment`,
    or `made`), the place, the drawer (0: none, a consignment statement or the workshop),
    the product (0: the sale as a whole) and the banner lot (0: none; pieces sewn only).
    The sale-as-a-whole rows count the sales and sum their totals; the product rows count
    lines and sum their quantities and amounts (negative on voids and refunds)."""

    __tablename__ = "daily_totals"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    location_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cash_session_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    banner_lot_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)
    qty: Mapped[int] = mapped_column(default=0)
    cents: Mapped[int] = mapped_column(default=0)
    donation_cents: Mapped[int] = mapped_column(default=0)


class Shift(db.Model):
    """A volunteer holding a drawer's stall, from when she joined to when she left (or
    the drawer closed). Not money: the impact report adds up the hours."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
