"""Sales a tablet held as witness that the server no longer had (a database rebuilt from a
copy a few seconds behind): the tablet sends them again, and the Z report names them.

Not money: a note written when a tablet says "I hold this sale, numbered so" and the server
has no sale with that client_id. The sale itself, when it comes back, is an ordinary sale
(same client_id, the next number); this row is how the Z report knows it came back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class TabletReturnedSale(db.Model):
    __tablename__ = "tablet_returned_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    earlier_number: Mapped[str | None] = mapped_column(String(20))  # as the tablet had it
    tablet_id: Mapped[str] = mapped_column(String(36))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
