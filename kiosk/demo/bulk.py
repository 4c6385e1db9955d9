"""Past sales in bulk, for demos and benchmarks (`seed-demo --sales N`).

The rows are built by kiosk.ledger.rows, like a sale's, and written by
kiosk.ledger.write.write_events many events at a time (executemany on SQLite, one
statement per batch on PostgreSQL), not one ORM object at a time, so 100,000 sales take
seconds. The journal stays valid: every event gets the entry the app would have written
(same row digests, same chained hash), the stock ledger and its cached levels agree, the
numbers follow each year's last one, and on PostgreSQL the id sequences are set past the
ids written here.

The history is made of closed cash sessions, two a month going back from last week:
the IKEA stall and the neighbourhood events at the workshop. Before each one, what it
will sell is sewn at the workshop and brought to the stall, so stock stays sensible.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from kiosk.database import write_transaction
from kiosk.ledger import journal, rows, write
from kiosk.ledger.money import split_largest_remainder
from kiosk.ledger.rows import (
    CASH_SESSIONS,
    CHEQUES,
    CLOSURES,
    COUNT_LINES,
    ENVELOPE_ENTRIES,
    LINES,
    MOVES,
    PAYMENTS,
    SALES,
    Row,
)
from kiosk.models import Envelope, Location, Product, Sale, Shift, StockMove, User
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.sales import LineRequest, PaymentRequest, request_fingerprint
from kiosk.services.envelopes import rule_in_force
from kiosk.vocabulary import PARIS

SALES_PER_EVENT = 40  # a real IKEA day; large N makes busier days instead of older ones
MAX_EVENTS = 96  # two a month over four years
EVENT_SPACING = timedelta(days=15)
FLOAT_COUNTS = {1000: 2, 500: 4, 200: 5}  # 50 € of float
FLUSH_ROWS = 30_000

# the tables written here, in an order that satisfies the foreign keys
TABLES = (CASH_SESSIONS, COUNT_LINES, SALES, LINES, PAYMENTS, MOVES, CLOSURES, CHEQUES,
          ENVELOPE_ENTRIES)


class _Writer:
    """Gathers many events' rows and journal entries; writes them through write_events."""

    def __init__(self, session: Session) -> None:
        self.head = journal.lock_head(session)  # first: no live sale slips in after the ids
        self.connection = session.connection()
        self.ids = write.IdCounter(self.connection, TABLES)
        self.chain = journal.ChainEnd(self.head.seq, self.head.hash)  # as gathered so far
        self.rows: dict[Table, list[Row]] = {table: [] for table in TABLES}
        self.entries: list[dict] = []
        self.deltas: dict[tuple[int, int], int] = defaultdict(int)
        self.pending = 0
        self.shifts: list[dict] = []  # who held each stall (not journaled: not money)

    def id(self, table: Table) -> int:
        return self.ids.take(table)

    def event(self, name: str, ref: str, tables: rows.Tables, user_id: int | None,
              created_at: datetime) -> None:
        """One event's rows and the entry the app would write for them (same chain)."""
        for table, event_rows in tables:
            self.rows[table].extend(event_rows)
            self.pending += len(event_rows)
            if table is MOVES:
                for key, delta in rows.deltas(event_rows).items():
                    self.deltas[key] += delta
        entry = journal.next_entry(self.chain, name, ref, rows.digests(tables), user_id,
                                   created_at)
        self.chain.advance(entry)
        self.entries.append(entry)
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.entries:
            return
        write.write_events(self.connection, self.head,
                           [(table, self.rows[table]) for table in TABLES if self.rows[table]],
                           dict(self.deltas), self.entries)
        self.rows = {table: [] for table in TABLES}
        self.entries = []
        self.deltas.clear()
        self.pending = 0

    def finish(self) -> None:
        self.flush()
        self.ids.finish(self.connection)
        if self.shifts:
            self.connection.execute(insert(Shift.__table__), self.shifts)


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def _notes(cents: int) -> dict[int, int]:
    """Cash counted at closing, as notes and coins (largest first)."""
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS_CENTS:
        counts[denomination], cents = divmod(cents, denomination)
    return {d: c for d, c in counts.items() if c}


def _tendered(total: int, rng: random.Random) -> int:
    """What a customer hands over: the exact amount, or the next note that covers it."""
    if rng.random() < 0.4:
        return total
    for note in (500, 1000, 2000, 5000, 10000):
        if note >= total:
            return note
    return -(-total // 1000) * 1000


def seed_sales(session: Session, n: int, *, seed: int = 2012) -> int:
    """Write `n` past sales over past events (closed sessions) in one transaction.

    Needs the demo (users, places, catalogue, envelopes): `seed-demo` loads it first.
    """
    if n <= 0:
        return 0
    with write_transaction(session):
        _seed(session, n, random.Random(seed))
    return n


def _seed(session: Session, n: int, rng: random.Random) -> None:
    users = {u.name: u.id for u in session.scalars(select(User))}
    seller = users.get("Vendeuse") or min(users.values())
    treasurer = users.get("Tresoriere") or seller
    places = {loc.code: loc for loc in session.scalars(select(Location))}
    if "atelier" not in places or not users:
        raise ValueError("load the demo first (seed-demo)")
    products = list(session.scalars(select(Product).where(Product.active.is_(True))
                                    .order_by(Product.id)))
    if not products:
        raise ValueError("the catalogue is empty: load the demo first (seed-demo)")
    venues = [(places.get("ikea", places["atelier"]), "Vente IKEA"),
              (places["atelier"], "Fête de quartier de la Fontaine d'Ouche")]
    envelopes = {e.id for e in session.scalars(select(Envelope))}
    # Each product is sewn from the banner lot the demo first sewed it from (the impact
    # report shares the pieces among the partners by lot).
    lots = dict(session.execute(
        select(StockMove.product_id, func.max(StockMove.banner_lot_id))
        .where(StockMove.reason == "production", StockMove.banner_lot_id.is_not(None))
        .group_by(StockMove.product_id)).all())

    writer = _Writer(session)
    # Numbers go on from each year's last one (see kiosk/ledger/numbering.py).
    counters = dict(session.execute(select(Sale.year, func.max(Sale.seq))
                                    .group_by(Sale.year)).all())
    events = min(MAX_EVENTS, max(1, math.ceil(n / SALES_PER_EVENT)))
    last_day = datetime.now(PARIS).date() - timedelta(days=7)
    per_event, extra = divmod(n, events)

    for index in range(events):
        day = last_day - EVENT_SPACING * (events - 1 - index)
        location, title = venues[index % len(venues)]
        count = per_event + (1 if index < extra else 0)
        name = f"{title} du {day.strftime('%d/%m/%Y')}"
        opened_at, closed_at = _paris(day, 9), _paris(day, 17)

        # What the day will sell, chosen first so it can be sewn and brought beforehand.
        baskets = []
        for _ in range(count):
            picked = rng.sample(products, k=rng.choice((1, 1, 2, 2, 3)))
            baskets.append([(p, rng.choice((1, 1, 1, 2))) for p in picked])
        needed: dict[int, int] = defaultdict(int)
        for basket in baskets:
            for product, qty in basket:
                needed[product.id] += qty
        _bring_stock(writer, needed, places["atelier"].id, location.id, seller,
                     opened_at - timedelta(hours=1), name, lots)

        session_id = writer.id(CASH_SESSIONS)
        float_cents = sum(d * c for d, c in FLOAT_COUNTS.items())
        writer.event("cash_open", f"session-{session_id}", [
            (CASH_SESSIONS, [rows.cash_session(id=session_id, name=name,
                                               location_id=location.id, opened_by=seller,
                                               opened_at=opened_at, float_cents=float_cents)]),
            (COUNT_LINES, [rows.count_line(id=writer.id(COUNT_LINES),
                                           cash_session_id=session_id, moment="open",
                                           denomination_cents=d, count=c)
                           for d, c in FLOAT_COUNTS.items()])], seller, opened_at)

        span = (closed_at - opened_at).total_seconds() - 3600
        cash_in = cheques_total = card_total = revenue = 0
        cheques: list[int] = []
        for number_in_day, basket in enumerate(baskets):
            when = opened_at + timedelta(
                seconds=1800 + int(span * number_in_day / max(1, count)))
            year = when.astimezone(PARIS).year
            counters[year] = counters.get(year, 0) + 1
            total = sum(p.price_cents * qty for p, qty in basket)
            roll = rng.random()
            method = "cash" if roll < 0.6 else ("card" if roll < 0.85 else "cheque")
            tendered = _tendered(total, rng) if method == "cash" else total
            change = tendered - total
            sale_id = writer.id(SALES)
            number = f"{year}-{counters[year]:06d}"
            sale = rows.sale(
                id=sale_id, number=number, year=year, seq=counters[year],
                client_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                request_hash=request_fingerprint(
                    session_id, [LineRequest(p.sku, qty, None) for p, qty in basket],
                    [PaymentRequest(method, tendered)]),
                kind="sale", cash_session_id=session_id, location_id=location.id,
                user_id=seller, total_cents=total, change_cents=change, created_at=when)
            lines = [rows.line(id=writer.id(LINES), sale_id=sale_id, product_id=p.id, qty=qty,
                               unit_price_cents=p.price_cents) for p, qty in basket]
            moves = [rows.move(id=writer.id(MOVES), product_id=p.id, location_id=location.id,
                               qty=-qty, reason="sale", user_id=seller, created_at=when,
                               sale_id=sale_id) for p, qty in basket]
            payment = rows.payment(id=writer.id(PAYMENTS), sale_id=sale_id, method=method,
                                   amount_cents=total, tendered_cents=tendered,
                                   change_cents=change)
            writer.event("sale", number, [(SALES, [sale]), (LINES, lines),
                                          (PAYMENTS, [payment]), (MOVES, moves)],
                         seller, when)
            revenue += total
            if method == "cash":
                cash_in += total
            elif method == "card":
                card_total += total
            else:
                cheques_total += total
                cheques.append(total)

        expected = float_cents + cash_in
        rule = rule_in_force(session, day)
        closure = rows.closure(
            id=writer.id(CLOSURES), cash_session_id=session_id, closed_by=treasurer,
            closed_at=closed_at, expected_cash_cents=expected, counted_cash_cents=expected,
            revenue_cents=revenue, cheque_total_cents=cheques_total,
            card_total_cents=card_total, split_rule_id=rule.id if rule else None,
            journal_hash=writer.chain.hash)  # the chain after the session's last sale
        counted = [rows.count_line(id=writer.id(COUNT_LINES), cash_session_id=session_id,
                                   moment="close", denomination_cents=d, count=c)
                   for d, c in _notes(expected).items()]
        paper = [rows.cheque(id=writer.id(CHEQUES), cash_session_id=session_id,
                             amount_cents=amount, number=f"{1000000 + i}")
                 for i, amount in enumerate(cheques)]
        shares: list[tuple[int, int]] = []
        if rule is not None and revenue:
            weights = {str(p.envelope_id): p.weight for p in rule.parts
                       if p.envelope_id in envelopes}
            shares = [(int(envelope_id), cents) for envelope_id, cents
                      in split_largest_remainder(revenue, weights).items() if cents]
        posted = rows.takings_entries([writer.id(ENVELOPE_ENTRIES) for _ in shares], shares,
                                      kind="takings", label=f"Recette : {name}", on=day,
                                      created_by=treasurer, created_at=closed_at,
                                      cash_session_id=session_id)
        writer.shifts += [  # the seller all day, a second volunteer for the afternoon
            {"cash_session_id": session_id, "user_id": seller, "started_at": opened_at,
             "ended_at": closed_at},
            {"cash_session_id": session_id, "user_id": treasurer,
             "started_at": opened_at + timedelta(hours=4), "ended_at": closed_at}]
        writer.event("cash_close", f"session-{session_id}",
                     [(CLOSURES, [closure]), (COUNT_LINES, counted), (CHEQUES, paper),
                      (ENVELOPE_ENTRIES, posted)], treasurer, closed_at)

    writer.finish()


def _bring_stock(writer: _Writer, needed: dict[int, int], workshop: int, venue: int,
                 user_id: int, when: datetime, name: str, lots: dict[int, int]) -> None:
    """Sewn at the workshop, then carried to the stall: two journal entries, as the app."""
    made = [rows.move(id=writer.id(MOVES), product_id=pid, location_id=workshop, qty=qty,
                      reason="production", user_id=user_id, created_at=when,
                      banner_lot_id=lots.get(pid), note=f"pour {name}"[:500])
            for pid, qty in sorted(needed.items())]
    writer.event("production", name[:64], [(MOVES, made)], user_id, when)
    if venue == workshop:
        return
    group = f"bulk-{writer.ids.peek(MOVES)}"
    carried = []
    for pid, qty in sorted(needed.items()):
        carried.append(rows.move(id=writer.id(MOVES), product_id=pid, location_id=workshop,
                                 qty=-qty, reason="transfer", user_id=user_id,
                                 created_at=when, group_ref=group))
        carried.append(rows.move(id=writer.id(MOVES), product_id=pid, location_id=venue,
                                 qty=qty, reason="transfer", user_id=user_id,
                                 created_at=when, group_ref=group))
    writer.event("transfer", group, [(MOVES, carried)], user_id, when)
