"""The server's clock corrections: each time the kiosk starts dating its rows by a
corrected clock (a logged-in tablet's time, or the admin's choice), a row says by how much,
from whom, and for which boot of the machine.

Append-only and read once per process (kiosk/services/clock.py): a restart of the server
on the same boot keeps the correction, a new boot (whose clock may be right again, or
wrong by another amount) waits for the next tablet's reading.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime
from kiosk.extensions import db


class ClockCorrection(db.Model):
    __tablename__ = "clock_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The corrected time it was made at, and the machine's own clock at that moment.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    system_time: Mapped[datetime] = mapped_column(UTCDateTime)
    # Milliseconds added to the machine's clock from then on (0: the correction ended).
    offset_ms: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # "tablet" or "admin"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    boot_id: Mapped[str] = mapped_column(String(64), index=True)
