"""Stock as a ledger of moves, with a cached level per product and location."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class MoveReason(StrEnum):
    PRODUCTION = "production"
    TRANSFER = "transfer"
    COUNT = "count"
    GIFT = "gift"
    LOSS = "loss"
    SALE = "sale"
    REFUND = "refund"
    DELIVERY = "delivery"  # pieces delivered to a partner who ordered them


class StockMove(db.Model):
    """One signed change of one product's quantity at one location. Never edited."""

    __tablename__ = "stock_moves"
    __table_args__ = (Index("ix_stock_moves_product_location", "product_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    qty: Mapped[int]
    reason: Mapped[str] = mapped_column(String(16))
    banner_lot_id: Mapped[int | None] = mapped_column(ForeignKey("banner_lots.id"), index=True)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"), index=True)
    # The two halves of a transfer share a group so reports can pair them.
    group_ref: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StockLevel(db.Model):
    """Cached sum of the moves; verify-journal checks it against the ledger."""

    __tablename__ = "stock_levels"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    qty: Mapped[int] = mapped_column(default=0)
