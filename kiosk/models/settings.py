"""Settings an admin may change from the admin page, and the exports already made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ExportRecord(db.Model):
    """An export already made: Paheko imports duplicates blindly, so the kiosk remembers."""

    __tablename__ = "export_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(16))
    date_from: Mapped[date]
    date_to: Mapped[date]
    filename: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
