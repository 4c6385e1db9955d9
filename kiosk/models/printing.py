"""Print jobs: a receipt or report waiting for the printer, and what became of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class PrintJob(db.Model):
    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_status", "status"),
                      Index("ix_print_jobs_document", "document", "ref_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(16))  # receipt, z_report, slip, label, test
    ref_id: Mapped[int | None]  # the sale or cash session printed
    target: Mapped[str] = mapped_column(String(16), default="receipt")  # or "label"
    payload: Mapped[str] = mapped_column(Text, default="")  # JSON for labels and tests
    status: Mapped[str] = mapped_column(String(16))  # queued, printed, failed, none
    duplicate: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the process sending the job; another process leaves it alone until then.
    sending_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
