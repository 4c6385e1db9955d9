"""What the treasurer's accounts need beyond the ledgers: the accounts an envelope spending
was booked to, and each entry an export to Paheko wrote (or left out while its drawer was
open), so that nothing is imported twice and nothing is lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class EnvelopeSpendAccount(db.Model):
    """The charge account and the money's source chosen when a spending was recorded.

    A table of its own, journaled with the spending in the same journal entry: a column
    on envelope_entries would change the digest of every existing entry."""

    __tablename__ = "envelope_spend_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_entry_id: Mapped[int] = mapped_column(ForeignKey("envelope_entries.id"),
                                                   unique=True)
    charge_account: Mapped[str] = mapped_column(String(12))
    paid_from: Mapped[str] = mapped_column(String(8))  # "bank" or "cash"


class ExportEntry(db.Model):
    """One entry of a Paheko export (a drawer, a consignment statement, a spending, a
    transfer), by its stable reference; `left_out` for a drawer still open then."""

    __tablename__ = "export_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int | None] = mapped_column(ForeignKey("export_records.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)  # "caisse-12", "releve-3"…
    piece: Mapped[str] = mapped_column(String(64))  # its Numéro pièce comptable
    state: Mapped[str] = mapped_column(String(16))  # "exported" or "left_out"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
