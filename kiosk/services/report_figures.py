"""Figures for the reports and the impact report, read from the day's totals (DailyTotal,
kept as the sales are written) and the envelope ledger: never a scan of every sale.

Sales, voids and refunds are counted apart, as on the Z report; amounts are net (voids and
refunds are negative sales). A consignment statement counts as one sale of its shop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import InvalidInput
from kiosk.ledger.money import split_largest_remainder
from kiosk.models import (
    BannerLot,
    CashSession,
    CreditNote,
    DailyTotal,
    Envelope,
    EnvelopeEntry,
    Invoice,
    Location,
    OrderPayment,
    Product,
    Shift,
    StockLevel,
    User,
)
from kiosk.models.reports import MADE
from kiosk.models.sales import SaleKind
from kiosk.vocabulary import FIRST_DAY, LAST_DAY, PARIS

SOLIDARITY, LEISURE = "solidarite", "loisirs"  # the envelopes the impact report names
UNKNOWN_LOT = ""  # pieces recorded without their banner lot (the pages say so in words)


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
    """One line of a report: `count` sales (a consignment statement counts as one),
    `voids` and `refunds` apart, `qty` pieces and `cents` net."""

    label: str
    count: int = 0
    qty: int = 0
    cents: int = 0
    voids: int = 0
    refunds: int = 0
    month: date | None = None  # rows by month: its first day (the page names it)
    key: str = ""  # what the row is about: a sku, a location code, a session id
    extra: str = ""  # a category, a place

    def add(self, kind: str, count: int, qty: int, cents: int) -> None:
        if kind == SaleKind.VOID:
            self.voids += count
        elif kind == SaleKind.REFUND:
            self.refunds += count
        else:
            self.count += count
        self.qty += qty
        self.cents += cents

    def as_json(self) -> dict:
        return {"label": self.label, "key": self.key, "sales_count": self.count,
                "voids_count": self.voids, "refunds_count": self.refunds, "qty": self.qty,
                "cents": self.cents}


@dataclass
class EnvelopeLine:
    code: str
    name: str
    opening_cents: int = 0  # the balance before the period
    in_cents: int = 0
    spent_cents: int = 0  # spending (positive)
    transfers_cents: int = 0  # in minus out
    closing_cents: int = 0
    by_month: dict[date, int] = field(default_factory=dict)  # balance at each month's end


@dataclass
class Spending:
    day: date
    envelope: str
    label: str
    cents: int


def hours_tenths(minutes: int) -> int:
    """The one rounding of the volunteers' time (issue 28): a sale's (a drawer's) minutes
    to the nearest tenth of an hour, half up; a month, the period and the books add up
    the sales' tenths, so the figures shown always add up."""
    return (max(minutes, 0) + 3) // 6


@dataclass
class Hours:
    label: str
    minutes: int = 0
    people: int = 0
    tenths: int | None = None  # a sum of rounded sales' times (a month), else its own

    @property
    def hours(self) -> float:
        return (hours_tenths(self.minutes) if self.tenths is None else self.tenths) / 10


@dataclass
class Impact:
    items_made: int = 0
    items_sold: int = 0
    banner_cm2: int = 0
    raised_cents: int = 0
    donations_cents: int = 0
    solidarity_spent_cents: int = 0
    leisure_spent_cents: int = 0
    sales_days: int = 0
    volunteer_minutes: int = 0
    volunteer_tenths: int = 0  # the sales' rounded times added up (hours_tenths)
    grams_per_m2: int = 0
    # per banner partner: pieces made, pieces sold (shared out by what each product was
    # sewn from), banner area in cm²
    partners: list[tuple[str, int, int, int]] = field(default_factory=list)
    actions: list[Spending] = field(default_factory=list)  # solidarity and leisure spending
    hours_by_event: list[Hours] = field(default_factory=list)
    hours_by_month: list[Hours] = field(default_factory=list)
    hours_by_person: list[Hours] = field(default_factory=list)  # names: the admin only

    @property
    def banner_m2(self) -> float:
        return round(self.banner_cm2 / 10_000, 1)

    @property
    def banner_kg(self) -> float:
        return round(self.banner_cm2 / 10_000 * self.grams_per_m2 / 1000, 1)

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_tenths / 10

    def as_json(self) -> dict:
        return {"items_made": self.items_made, "items_sold": self.items_sold,
                "banner_m2": self.banner_m2, "banner_kg": self.banner_kg,
                "raised_cents": self.raised_cents,
                "solidarity_spent_cents": self.solidarity_spent_cents,
                "leisure_spent_cents": self.leisure_spent_cents,
                "sales_days": self.sales_days, "volunteer_hours": self.volunteer_hours,
                "partners": [{"partner": p, "items_made": made, "items_sold": sold,
                              "banner_m2": round(cm2 / 10_000, 1)}
                             for p, made, sold, cm2 in self.partners],
                "actions": [{"day": a.day.isoformat(), "envelope": a.envelope,
                             "label": a.label, "cents": a.cents} for a in self.actions],
                "hours_by_event": [{"label": h.label, "hours": h.hours, "people": h.people}
                                   for h in self.hours_by_event],
                "hours_by_month": [{"month": h.label, "hours": h.hours}
                                   for h in self.hours_by_month]}


@dataclass
class Report:
    date_from: date
    date_to: date
    total: Row
    donations_cents: int
    by_event: list[Row]
    by_month: list[Row]
    by_product: list[Row]
    by_category: list[Row]
    by_place: list[Row]
    best_sellers: list[Row]
    to_sew: list[tuple[str, str, int, int]]  # name, sku, stock everywhere, sold
    to_check: list[tuple[str, str, int]]  # name, place, negative stock
    envelopes: list[EnvelopeLine]
    months: list[date]  # the months of the period, for the envelopes' balances
    spending: list[Spending]
    impact: Impact
    colours: dict[str, str] = field(default_factory=dict)  # each product's, by sku
    # Issue 28: the takings by channel, as the books have them (701): the stall, the
    # consignment shops, the partners' orders (invoiced in the period, less credit notes).
    by_channel: list[Row] = field(default_factory=list)
    orders: OrdersFigure | None = None

    @property
    def takings_cents(self) -> int:
        """Every sale of the period, whatever the channel: what the sales account holds."""
        return sum(r.cents for r in self.by_channel) if self.by_channel else self.total.cents

    def as_json(self) -> dict:
        """The figures of CONTRACT.md's GET /api/v1/reports."""
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "sales_cents": self.total.cents,
                "sales_count": self.total.count - self.total.voids,
                "voids_count": self.total.voids, "refunds_count": self.total.refunds,
                "donations_cents": self.donations_cents,
                "by_event": [r.as_json() for r in self.by_event],
                "by_product": [{**r.as_json(), "sku": r.key, "category": r.extra}
                               for r in self.by_product],
                "by_month": [{**r.as_json(), "month": f"{r.month:%Y-%m}"}
                             for r in self.by_month],
                "by_category": [{**r.as_json(), "category": r.key} for r in self.by_category],
                "by_place": [{**r.as_json(), "location": r.key, "kind": r.extra}
                             for r in self.by_place],
                "envelopes": [{"code": e.code, "name": e.name, "opening_cents": e.opening_cents,
                               "in_cents": e.in_cents, "spent_cents": e.spent_cents,
                               "transfers_cents": e.transfers_cents,
                               "closing_cents": e.closing_cents,
                               "by_month": {f"{m:%Y-%m}": c for m, c in e.by_month.items()}}
                              for e in self.envelopes],
                "to_sew": [{"sku": sku, "name": name, "stock": stock, "sold": sold}
                           for name, sku, stock, sold in self.to_sew],
                "impact": self.impact.as_json()}


def _event_label(name: str, opened: datetime) -> str:
    """A drawer's name with its day, unless the name says it already."""
    day = f"{opened:%d/%m/%Y}"
    return name if day in name else f"{name} ({day})"


def _months(date_from: date, date_to: date) -> list[date]:
    months, month = [], date_from.replace(day=1)
    while month <= date_to and len(months) < 1200:  # a century of months at most
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def build(session: Session, date_from: date, date_to: date, *, low_stock: int = 3,
          grams_per_m2: int = 0, with_names: bool = False) -> Report:
    """Every figure of the reports page, the JSON and the impact report for Paris days
    [date_from, date_to]. `with_names`: the volunteers' hours by name (the admin's)."""
    start, end = period_bounds(date_from, date_to)
    in_period = (DailyTotal.day >= date_from, DailyTotal.day <= date_to)
    places = {loc.id: loc for loc in session.scalars(select(Location))}
    products = {p.id: p for p in session.scalars(select(Product))}

    # The sales as wholes: one row per day, kind, place and drawer (no GROUP BY needed).
    connection = session.connection()
    total = Row("total")
    events: dict[tuple[int, int], Row] = {}
    months: dict[date, Row] = {}
    by_place: dict[int, Row] = {}
    sales_days: set[date] = set()
    donations = 0
    for day, kind, location_id, drawer, count, qty, cents, gifts in connection.execute(
            select(DailyTotal.day, DailyTotal.kind, DailyTotal.location_id,
                   DailyTotal.cash_session_id, DailyTotal.count, DailyTotal.qty,
                   DailyTotal.cents, DailyTotal.donation_cents)
            .where(*in_period, DailyTotal.product_id == 0, DailyTotal.kind != MADE)):
        total.add(kind, count, qty, cents)
        donations += gifts
        events.setdefault((drawer, location_id), Row("")).add(kind, count, qty, cents)
        first = day.replace(day=1)
        months.setdefault(first, Row(f"{first:%Y-%m}", month=first, key=f"{first:%Y-%m}")
                          ).add(kind, count, qty, cents)
        place = places.get(location_id)
        by_place.setdefault(location_id, Row(
            place.name if place else "?", key=place.code if place else "",
            extra=place.kind if place else "")).add(kind, count, qty, cents)
        if kind == SaleKind.SALE and drawer:
            sales_days.add(day)

    drawers = {s.id: s for s in session.scalars(select(CashSession).where(
        CashSession.id.in_([d for d, _loc in events if d])))} if events else {}
    by_event = []
    for (drawer, location_id), row in events.items():
        place = places.get(location_id)
        if drawer:
            opened = drawers[drawer].opened_at.astimezone(PARIS)
            row.label, row.key = _event_label(drawers[drawer].name, opened), str(drawer)
            row.extra = opened.isoformat()
        else:  # a consignment shop's statements
            row.label = place.name if place else "?"  # (the page says "dépôt-vente")
            row.key, row.extra = place.code if place else "", "9999"
        by_event.append(row)
    by_event.sort(key=lambda r: r.extra, reverse=True)

    # The products: what sold, by product and by category.
    by_product: dict[int, Row] = {}
    for product_id, kind, qty, cents in connection.execute(
            select(DailyTotal.product_id, DailyTotal.kind, func.sum(DailyTotal.qty),
                   func.sum(DailyTotal.cents))
            .where(*in_period, DailyTotal.product_id != 0, DailyTotal.kind != MADE)
            .group_by(DailyTotal.product_id, DailyTotal.kind)):
        product = products.get(product_id)
        by_product.setdefault(product_id, Row(
            product.name if product else "?", key=product.sku if product else "",
            extra=product.category if product else "")).add(kind, 0, int(qty), int(cents))
    product_rows = sorted(by_product.values(), key=lambda r: (-r.cents, r.label))
    categories: dict[str, Row] = {}
    for row in product_rows:
        category = categories.setdefault(row.extra, Row(row.extra, key=row.extra))
        category.qty += row.qty
        category.cents += row.cents
    best = sorted((r for r in product_rows if r.qty > 0), key=lambda r: (-r.qty, r.label))[:5]

    # Stock: to sew again (low everywhere) and to check (negative somewhere).
    stock = defaultdict(int)
    to_check = []
    for product_id, location_id, qty in session.execute(
            select(StockLevel.product_id, StockLevel.location_id, StockLevel.qty)):
        stock[product_id] += qty
        if qty < 0:
            to_check.append((products[product_id].name, places[location_id].name, qty))
    to_check.sort(key=lambda t: t[2])
    sold = {pid: row.qty for pid, row in by_product.items()}
    to_sew = sorted(((p.name, p.sku, stock[p.id], sold.get(p.id, 0))
                     for p in products.values() if p.active and stock[p.id] <= low_stock),
                    key=lambda t: (-t[3], t[2], t[0]))

    envelopes, spending = _envelopes(session, date_from, date_to)
    impact = _impact(session, date_from, date_to, start, end, products, sold, spending,
                     with_names)
    impact.items_sold = sum(r.qty for r in product_rows)
    orders = orders_figure(session, start, end)
    channels = _channels(by_place.values(), orders)
    impact.raised_cents = sum(r.cents for r in channels) + donations  # 701 and 7541
    impact.donations_cents = donations
    impact.sales_days = len(sales_days)
    impact.grams_per_m2 = grams_per_m2
    return Report(date_from, date_to, total, donations, by_event,
                  [months[m] for m in sorted(months)], product_rows,
                  sorted(categories.values(), key=lambda r: -r.cents),
                  sorted(by_place.values(), key=lambda r: -r.cents), best, to_sew, to_check,
                  envelopes, _months(date_from, date_to), spending, impact,
                  {p.sku: p.colour for p in products.values()}, channels, orders)


STALL, CONSIGNMENT, ORDERS = "stall", "consignment", "orders"  # the channels' keys


def _channels(places, orders: OrdersFigure) -> list[Row]:
    """The takings by channel: the stall (a drawer anywhere but a consignment shop), the
    consignment shops' statements, the partners' orders."""
    stall, shops = Row("Stand", key=STALL), Row("Dépôts-ventes", key=CONSIGNMENT)
    for place in places:
        row = shops if place.extra == "consignment" else stall
        row.count += place.count
        row.voids += place.voids
        row.refunds += place.refunds
        row.qty += place.qty
        row.cents += place.cents
    return [stall, shops, Row("Commandes des partenaires", count=orders.invoices,
                              cents=orders.invoiced_cents, key=ORDERS)]


def _envelopes(session: Session, date_from: date, date_to: date
               ) -> tuple[list[EnvelopeLine], list[Spending]]:
    """Each envelope's balance before, during (at each month's end) and after the period;
    what it received, spent and transferred. The ledger has a few rows per closing."""
    lines = {e.id: EnvelopeLine(e.code, e.name)
             for e in session.scalars(select(Envelope).order_by(Envelope.id))}
    for envelope_id, total in session.execute(
            select(EnvelopeEntry.envelope_id, func.sum(EnvelopeEntry.amount_cents))
            .where(EnvelopeEntry.entry_date < date_from).group_by(EnvelopeEntry.envelope_id)):
        lines[envelope_id].opening_cents = int(total)
    months = _months(date_from, date_to)
    moved: dict[tuple[int, date], int] = defaultdict(int)
    for envelope_id, day, kind, total in session.execute(
            select(EnvelopeEntry.envelope_id, EnvelopeEntry.entry_date, EnvelopeEntry.kind,
                   func.sum(EnvelopeEntry.amount_cents))
            .where(EnvelopeEntry.entry_date >= date_from, EnvelopeEntry.entry_date <= date_to)
            .group_by(EnvelopeEntry.envelope_id, EnvelopeEntry.entry_date,
                      EnvelopeEntry.kind)):
        line, total = lines[envelope_id], int(total)
        if kind == "spend":
            line.spent_cents -= total
        elif kind == "transfer":
            line.transfers_cents += total
        else:
            line.in_cents += total
        moved[(envelope_id, day.replace(day=1))] += total
    for envelope_id, line in lines.items():
        balance = line.opening_cents
        for month in months:
            balance += moved.get((envelope_id, month), 0)
            line.by_month[month] = balance
        line.closing_cents = line.opening_cents + line.in_cents - line.spent_cents + (
            line.transfers_cents)
    codes = {envelope_id: line.code for envelope_id, line in lines.items()}
    spending = [Spending(day, codes[envelope_id], label, -int(cents))
                for day, envelope_id, label, cents in session.execute(
                    select(EnvelopeEntry.entry_date, EnvelopeEntry.envelope_id,
                           EnvelopeEntry.label, EnvelopeEntry.amount_cents)
                    .where(EnvelopeEntry.kind == "spend", EnvelopeEntry.entry_date >= date_from,
                           EnvelopeEntry.entry_date <= date_to)
                    .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id))]
    return list(lines.values()), spending


def _impact(session: Session, date_from: date, date_to: date, start: datetime,
            end: datetime, products: dict[int, Product], sold: dict[int, int],
            spending: list[Spending], with_names: bool) -> Impact:
    impact = Impact()
    connection = session.connection()
    lots = dict(connection.execute(select(BannerLot.id, BannerLot.partner)).all())
    made: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # made, sold, cm²
    made_from: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_lot = (DailyTotal.product_id, DailyTotal.banner_lot_id)
    for product_id, lot, qty in connection.execute(  # all history: what each is sewn from
            select(*by_lot, func.sum(DailyTotal.qty)).where(DailyTotal.kind == MADE)
            .group_by(*by_lot)):
        made_from[product_id][lots.get(lot) or UNKNOWN_LOT] += int(qty)
    for product_id, lot, qty in connection.execute(
            select(*by_lot, func.sum(DailyTotal.qty))
            .where(DailyTotal.kind == MADE, DailyTotal.day >= date_from,
                   DailyTotal.day <= date_to).group_by(*by_lot)):
        partner, qty = lots.get(lot) or UNKNOWN_LOT, int(qty)
        area = qty * (products[product_id].banner_area_cm2 if product_id in products else 0)
        impact.items_made += qty
        impact.banner_cm2 += area
        made[partner][0] += qty
        made[partner][2] += area
    # Pieces sold, shared among partners as each product was sewn from their banners.
    for product_id, qty in sold.items():
        sources = made_from.get(product_id)
        if not sources or qty <= 0:
            continue
        for partner, share in split_largest_remainder(qty, dict(sources)).items():
            made[partner][1] += share
    impact.partners = sorted(((p, *values) for p, values in made.items()),
                             key=lambda t: (-t[3], t[0]))
    impact.actions = [s for s in spending if s.envelope in (SOLIDARITY, LEISURE)]
    impact.solidarity_spent_cents = sum(s.cents for s in spending if s.envelope == SOLIDARITY)
    impact.leisure_spent_cents = sum(s.cents for s in spending if s.envelope == LEISURE)
    _hours(session, impact, start, end, with_names)
    return impact


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


def _hours(session: Session, impact: Impact, start: datetime, end: datetime,
           with_names: bool) -> None:
    """The volunteers' time: shifts started in the period, until they left or the drawer
    closed (a drawer still open counts until now)."""
    now = utcnow()
    by_event: dict[int, Hours] = {}
    by_month: dict[date, Hours] = {}
    by_person: dict[str, Hours] = {}
    people: dict[int, set[str]] = defaultdict(set)
    months_of: dict[int, date] = {}
    for drawer, name, opened_at, user, started, ended in session.execute(
            select(Shift.cash_session_id, CashSession.name, CashSession.opened_at,
                   User.name, Shift.started_at, Shift.ended_at)
            .join(CashSession, CashSession.id == Shift.cash_session_id)
            .join(User, User.id == Shift.user_id)
            .where(Shift.started_at >= start, Shift.started_at < end)
            .order_by(CashSession.opened_at, Shift.started_at)):
        minutes = max(0, int(((ended or now) - started).total_seconds() // 60))
        impact.volunteer_minutes += minutes
        label = _event_label(name, opened_at.astimezone(PARIS))
        by_event.setdefault(drawer, Hours(label)).minutes += minutes
        people[drawer].add(user)
        month = opened_at.astimezone(PARIS).date().replace(day=1)  # the sale's month
        by_month.setdefault(month, Hours(f"{month:%Y-%m}", tenths=0)).minutes += minutes
        months_of[drawer] = month
        if with_names:
            by_person.setdefault(user, Hours(user)).minutes += minutes
    for drawer, hours in by_event.items():
        hours.people = len(people[drawer])
        tenths = hours_tenths(hours.minutes)
        by_month[months_of[drawer]].tenths += tenths
        impact.volunteer_tenths += tenths
    impact.hours_by_event = list(by_event.values())
    impact.hours_by_month = [by_month[m] for m in sorted(by_month)]
    impact.hours_by_person = sorted(by_person.values(), key=lambda h: -h.minutes)
