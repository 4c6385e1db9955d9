"""Sales, their lines and payments; refunds and voids are sales of their own, negative."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class SaleKind(StrEnum):
    SALE = "sale"
    REFUND = "refund"  # a treasurer gives money back for some or all lines
    VOID = "void"  # a seller cancels her own last sale
    CONSIGNMENT = "consignment"  # what a consignment shop reports it sold


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"
    CARD = "card"
    # Consignment: the shop pays later by transfer; the commission it keeps is its own line.
    TRANSFER = "transfer"


class Sale(db.Model):
    __tablename__ = "sales"
    __table_args__ = (
        Index("ix_sales_session_seq", "cash_session_id", "seq"),
        # The number's parts: never twice (numbering reads MAX(seq) for the year here).
        Index("ix_sales_year_seq", "year", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # YYYY-NNNNNN
    year: Mapped[int]
    seq: Mapped[int]
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    # What the client asked for, hashed: a retry with other content is a conflict.
    request_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=SaleKind.SALE)
    cash_session_id: Mapped[int | None] = mapped_column(ForeignKey("cash_sessions.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    refund_of_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    total_cents: Mapped[int]
    change_cents: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A gift on top of the price ("gardez la monnaie"), never a sale line: the payments
    # cover total + gift. Added by a later migration (journal.LATER_COLUMNS).
    donation_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the tablet made it, for a sale that waited on the tablet while the server was
    # out of reach (static/js/outbox.js); None for a sale recorded as it was made.
    sold_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[SaleLine]] = relationship(
        back_populates="sale", order_by="SaleLine.id", lazy="selectin"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="sale", order_by="Payment.id", lazy="selectin"
    )


class SaleLine(db.Model):
    __tablename__ = "sale_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty: Mapped[int]  # negative on refunds and voids
    unit_price_cents: Mapped[int]
    line_total_cents: Mapped[int]
    # The catalogue's price when the line was sold: another unit price was chosen by a
    # treasurer, and paper says so. None: not recorded (voids, refunds, older lines).
    catalogue_price_cents: Mapped[int | None] = mapped_column(default=None)

    sale: Mapped[Sale] = relationship(back_populates="lines")

    @property
    def price_changed(self) -> bool:
        return (self.catalogue_price_cents is not None
                and self.catalogue_price_cents != self.unit_price_cents)


class Payment(db.Model):
    """Money in (or out, negative). For cash, what was handed over and the change given."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int]  # what the payment settles of the total
    tendered_cents: Mapped[int]  # cash: the note handed over; otherwise = amount
    change_cents: Mapped[int] = mapped_column(default=0)
    cheque_number: Mapped[str] = mapped_column(String(40), default="")

    sale: Mapped[Sale] = relationship(back_populates="payments")


def is_gift_only(kind: str, total_cents: int, donation_cents: int, has_lines: bool) -> bool:
    """gift_only() in Python, for the day's totals (ledger/rows.py, journal's check)."""
    return (kind in (SaleKind.SALE, SaleKind.VOID) and not has_lines and total_cents == 0
            and bool(donation_cents))


def gift_only():
    """A gift-only ticket ("Un don", "Gardez la monnaie": no line, a gift alone) or its
    void: a gift everywhere, never counted as a sale (CONTRACT.md) — the Z, the reports,
    the drawer's list and the CSV files all ask this one condition."""
    from sqlalchemy import and_, exists

    return and_(Sale.donation_cents != 0, Sale.total_cents == 0,
                Sale.kind.in_((SaleKind.SALE, SaleKind.VOID)),
                ~exists().where(SaleLine.sale_id == Sale.id))


class ConsignmentStatement(db.Model):
    """A consignment shop's report: what it sold, what it paid, the commission it kept."""

    __tablename__ = "consignment_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), unique=True)
    period_label: Mapped[str] = mapped_column(String(120))
    commission_cents: Mapped[int]
    paid_cents: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GiftReceipt(db.Model):
    """A reçu de don for the gift part of a sale: its own yearly sequence without gap
    (GR-YYYY-NNNN), the donor as the volunteer typed it. One per sale; a reprint is the
    same receipt, marked DUPLICATA."""

    __tablename__ = "gift_receipts"
    __table_args__ = (Index("ix_gift_receipts_year_seq", "year", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), unique=True)
    amount_cents: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))
    donor_name: Mapped[str] = mapped_column(String(120))
    donor_address: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
