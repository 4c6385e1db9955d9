"""Figures for the reports page: sales by event, product and month; the impact report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kiosk.models import (
    CashSession,
    CreditNote,
    Envelope,
    EnvelopeEntry,
    Invoice,
    Location,
    OrderPayment,
    Product,
    Sale,
    SaleLine,
    StockLevel,
    StockMove,
)
from kiosk.models.sales import SaleKind
from kiosk.models.stock import MoveReason
from kiosk.services.errors import InvalidInput
from kiosk.vocabulary import FIRST_DAY, LAST_DAY, PARIS


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Paris calendar days [from, to] as UTC instants [start, end). Days outside the
    years the kiosk can have figures for (0001-01-01, 9999-12-31) are refused."""
    if not (FIRST_DAY <= date_from <= LAST_DAY and FIRST_DAY <= date_to <= LAST_DAY):
        raise InvalidInput("period", "Choisissez des dates entre %(first)s et %(last)s.",
                           first=f"{FIRST_DAY:%d/%m/%Y}", last=f"{LAST_DAY:%d/%m/%Y}")
    start = datetime.combine(date_from, time.min, PARIS).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, PARIS).astimezone(UTC)
    return start, end


@dataclass
class Row:
    """One line of a report. Sales, voids and refunds are counted apart, as on the Z
    report; `cents` is the net (voids and refunds are negative sales)."""

    label: str
    count: int = 0  # sales (a consignment statement counts as one)
    qty: int = 0
    cents: int = 0
    voids: int = 0
    refunds: int = 0
    month: date | None = None  # for rows by month: its first day (the page names it)

    def add(self, kind: str, number: int = 1) -> None:
        if kind == SaleKind.VOID:
            self.voids += number
        elif kind == SaleKind.REFUND:
            self.refunds += number
        else:
            self.count += number


def _kind_counts():
    """How many voids and how many refunds: two columns for a GROUP BY of sales."""
    return [func.sum(case((Sale.kind == kind, 1), else_=0))
            for kind in (SaleKind.VOID, SaleKind.REFUND)]


@dataclass
class Impact:
    items_made: int = 0
    banner_cm2: int = 0
    items_sold: int = 0
    raised_cents: int = 0
    solidarity_spent_cents: int = 0
    partners: dict[str, int] = field(default_factory=dict)  # banner cm² per partner

    @property
    def banner_m2(self) -> float:
        return self.banner_cm2 / 10_000


def sales_by_event(session: Session, start: datetime, end: datetime) -> list[Row]:
    voids, refunds = _kind_counts()
    rows = session.execute(
        select(CashSession.name, CashSession.opened_at, func.count(Sale.id), voids, refunds,
               func.coalesce(func.sum(Sale.total_cents), 0))
        .join(Sale, Sale.cash_session_id == CashSession.id)
        .where(Sale.created_at >= start, Sale.created_at < end)
        .group_by(CashSession.id, CashSession.name, CashSession.opened_at)
        .order_by(CashSession.opened_at.desc()))
    result = [Row(f"{name} ({opened.astimezone(PARIS):%d/%m/%Y})", count - v - r, 0,
                  int(cents), int(v), int(r))
              for name, opened, count, v, r, cents in rows]
    consigned = session.execute(
        select(Location.name, func.count(Sale.id), voids, refunds,
               func.coalesce(func.sum(Sale.total_cents), 0))
        .join(Sale, Sale.location_id == Location.id)
        .where(Sale.cash_session_id.is_(None), Sale.created_at >= start, Sale.created_at < end)
        .group_by(Location.name))
    result += [Row(f"{name} (dépôt-vente)", count - v - r, 0, int(cents), int(v), int(r))
               for name, count, v, r, cents in consigned]
    return result


def sales_by_product(session: Session, start: datetime, end: datetime) -> list[Row]:
    rows = session.execute(
        select(Product.name, func.sum(SaleLine.qty), func.sum(SaleLine.line_total_cents))
        .join(SaleLine, SaleLine.product_id == Product.id)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.created_at >= start, Sale.created_at < end)
        .group_by(Product.name)
        .order_by(func.sum(SaleLine.line_total_cents).desc()))
    return [Row(name, 0, int(qty), int(cents)) for name, qty, cents in rows]


def sales_by_month(session: Session, start: datetime, end: datetime) -> list[Row]:
    # Grouped in Python by the Paris month: the same on SQLite and PostgreSQL.
    months: dict[date, Row] = {}
    for created_at, kind, total in session.execute(
            select(Sale.created_at, Sale.kind, Sale.total_cents)
            .where(Sale.created_at >= start, Sale.created_at < end)):
        first_day = created_at.astimezone(PARIS).date().replace(day=1)
        row = months.setdefault(first_day, Row(f"{first_day:%Y-%m}", month=first_day))
        row.add(kind)
        row.cents += total
    return [months[key] for key in sorted(months)]


def stock_to_check(session: Session) -> list[tuple[str, str, int]]:
    """Negative levels: something was sold that the books did not have."""
    return [(product, location, qty) for product, location, qty in session.execute(
        select(Product.name, Location.name, StockLevel.qty)
        .join(Product, Product.id == StockLevel.product_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.qty < 0).order_by(StockLevel.qty))]


def impact(session: Session, start: datetime, end: datetime,
           solidarity_code: str = "solidarite") -> Impact:
    report = Impact()
    from kiosk.models import BannerLot

    made = session.execute(
        select(BannerLot.partner, func.sum(StockMove.qty),
               func.sum(StockMove.qty * Product.banner_area_cm2))
        .select_from(StockMove)
        .join(Product, Product.id == StockMove.product_id)
        .outerjoin(BannerLot, BannerLot.id == StockMove.banner_lot_id)
        .where(StockMove.reason == MoveReason.PRODUCTION,
               StockMove.created_at >= start, StockMove.created_at < end)
        .group_by(BannerLot.partner))
    partners: dict[str, int] = defaultdict(int)
    for partner, qty, area in made:
        report.items_made += int(qty or 0)
        report.banner_cm2 += int(area or 0)
        partners[partner or "?"] += int(area or 0)
    report.partners = dict(partners)
    sold = session.execute(
        select(func.coalesce(func.sum(SaleLine.qty), 0),
               func.coalesce(func.sum(SaleLine.line_total_cents), 0))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.created_at >= start, Sale.created_at < end)).one()
    report.items_sold, report.raised_cents = int(sold[0]), int(sold[1])
    spent = session.scalar(
        select(func.coalesce(func.sum(EnvelopeEntry.amount_cents), 0))
        .join(Envelope, Envelope.id == EnvelopeEntry.envelope_id)
        .where(Envelope.code == solidarity_code, EnvelopeEntry.kind == "spend",
               EnvelopeEntry.created_at >= start, EnvelopeEntry.created_at < end))
    report.solidarity_spent_cents = -int(spent or 0)
    return report


def donations_cents(session: Session, start: datetime, end: datetime) -> int:
    """The gifts of the period, apart from the sales (voids of gifts subtracted)."""
    return int(session.scalar(select(func.coalesce(func.sum(Sale.donation_cents), 0))
                              .where(Sale.created_at >= start, Sale.created_at < end)) or 0)


@dataclass
class OrdersFigure:
    """Partner orders, apart from the stall's sales (issue 19): invoices issued in the
    period net of the credit notes issued in it, and what partners paid in it."""

    invoices: int = 0
    invoiced_cents: int = 0
    paid_cents: int = 0


def orders_figure(session: Session, start: datetime, end: datetime) -> OrdersFigure:
    count, invoiced = session.execute(
        select(func.count(Invoice.id), func.coalesce(func.sum(Invoice.total_cents), 0))
        .where(Invoice.created_at >= start, Invoice.created_at < end)).one()
    credited = session.scalar(select(func.coalesce(func.sum(CreditNote.amount_cents), 0))
                              .where(CreditNote.created_at >= start, CreditNote.created_at < end))
    paid = session.scalar(select(func.coalesce(func.sum(OrderPayment.amount_cents), 0))
                          .where(OrderPayment.created_at >= start, OrderPayment.created_at < end))
    return OrdersFigure(int(count), int(invoiced) - int(credited or 0), int(paid or 0))
