"""What each tablet last said waits in its outbox: sales finished on the tablet that the
server has not recorded yet (static/js/outbox.js reports them, POST /api/v1/tablets/heartbeat).

Not money: a report, replaced whole at each heartbeat, so the closing page can say "2 ventes
attendent sur une tablette" before a treasurer closes that drawer from another device.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class TabletWaitingSale(db.Model):
    """One sale waiting on one tablet, as that tablet last reported it."""

    __tablename__ = "tablet_waiting_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    tablet_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
