"""The hash-chained journal that guards every money and stock row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime
from kiosk.extensions import db

GENESIS_HASH = "0" * 64


class JournalEntry(db.Model):
    """One event (a sale, a move, a closing…) and the digests of the rows it wrote."""

    __tablename__ = "journal_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str] = mapped_column(String(32), index=True)
    ref: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None]
    rows: Mapped[str] = mapped_column(Text)  # canonical JSON: [[table, id, sha256], …]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 of `hash` with the journal key kept in instance/, not in the database:
    # recomputing the chain after an edit leaves seals that do not match (NULL: an entry
    # written before the kiosk sealed its entries).
    seal: Mapped[str | None] = mapped_column(String(64))


class JournalHead(db.Model):
    """The chain's end, one row, locked by every journaled write: it serialises them."""

    __tablename__ = "journal_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
