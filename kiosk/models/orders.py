"""Partner orders: who orders, what, the pieces made and delivered for it, its invoices,
credit notes and payments. Every table but the partners' is written once and journaled."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class Partner(db.Model):
    """A company or a city that orders pieces (the SNCF). Not journaled, like the
    catalogue: an invoice copies the name and address it was issued to."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Order(db.Model):
    """An order as agreed (its quote, "devis", carries the same number). Never edited."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_year_seq", "year", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # DEV-YYYY-NNNN
    year: Mapped[int]
    seq: Mapped[int]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    banner_lot_id: Mapped[int | None] = mapped_column(ForeignKey("banner_lots.id"))
    wished_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    total_cents: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderLine(db.Model):
    """A product of the catalogue, or a free description, at the agreed price."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str] = mapped_column(String(120))
    qty: Mapped[int]
    unit_price_cents: Mapped[int]
    line_total_cents: Mapped[int]


class OrderMade(db.Model):
    """Pieces sewn for an order ("J'ai cousu…" tied to it): its production move."""

    __tablename__ = "order_made"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    stock_move_id: Mapped[int] = mapped_column(ForeignKey("stock_moves.id"), unique=True)


class Delivery(db.Model):
    """A delivery slip (bon de livraison): pieces that left the workshop for the partner."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_year_seq", "year", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # BL-YYYY-NNNN
    year: Mapped[int]
    seq: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryLine(db.Model):
    __tablename__ = "delivery_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    qty: Mapped[int]
    stock_move_id: Mapped[int] = mapped_column(ForeignKey("stock_moves.id"), unique=True)


class Invoice(db.Model):
    """An invoice (facture), numbered per year without gap; never edited (a mistake is a
    credit note). It keeps the partner's name and address as they were when issued."""

    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_year_seq", "year", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # FAC-YYYY-NNNN
    year: Mapped[int]
    seq: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    partner_name: Mapped[str] = mapped_column(String(120))
    partner_address: Mapped[str] = mapped_column(String(500))
    issued_on: Mapped[date]
    due_on: Mapped[date]
    total_cents: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The partner's own purchase-order number, when it gave one (issue 28; L441-9)
    purchase_order: Mapped[str] = mapped_column(String(64), default="", server_default="")


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    description: Mapped[str] = mapped_column(String(120))
    qty: Mapped[int]
    unit_price_cents: Mapped[int]
    line_total_cents: Mapped[int]


class CreditNote(db.Model):
    """A credit note (avoir) against an invoice: what is no longer owed, and why."""

    __tablename__ = "credit_notes"
    __table_args__ = (Index("ix_credit_notes_year_seq", "year", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # AV-YYYY-NNNN
    year: Mapped[int]
    seq: Mapped[int]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    amount_cents: Mapped[int]  # positive: what the invoice no longer asks
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderPayment(db.Model):
    """Money received for an order's invoices: a bank transfer or a cheque."""

    __tablename__ = "order_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int]
    reference: Mapped[str] = mapped_column(String(120), default="")  # cheque or transfer ref
    received_on: Mapped[date]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
