"""Past sales in bulk, for demos and benchmarks (`seed-demo --sales N`).

Rows are written with Core `insert()` executemany and explicit ids, not one ORM object
at a time, so 100,000 sales take seconds. The journal stays valid: every event gets the
entry `journal.append` would have written (same row digests, same chained hash), the
stock ledger and its cached levels agree, the numbers follow each year's last one, and on
PostgreSQL the id sequences are set past the ids written here.

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
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from kiosk.database import UTCDateTime, write_transaction
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    Envelope,
    EnvelopeEntry,
    JournalEntry,
    Location,
    Payment,
    Product,
    Sale,
    SaleLine,
    StockLevel,
    StockMove,
    User,
)
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.services import journal
from kiosk.services.envelopes import rule_in_force
from kiosk.services.money import split_largest_remainder
from kiosk.services.sales import LineRequest, PaymentRequest, request_fingerprint

PARIS = ZoneInfo("Europe/Paris")
SALES_PER_EVENT = 40  # a real IKEA day; large N makes busier days instead of older ones
MAX_EVENTS = 96  # two a month over four years
EVENT_SPACING = timedelta(days=15)
FLOAT_COUNTS = {1000: 2, 500: 4, 200: 5}  # 50 € of float
FLUSH_ROWS = 30_000

# id-keyed tables written here, in an order that satisfies the foreign keys
TABLES = (CashSession, CashCountLine, Sale, SaleLine, Payment, StockMove, CashSessionClosure,
          Cheque, EnvelopeEntry)


class _Writer:
    """Buffers rows per table and the journal entries that cover them; writes in bulk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.entries: list[dict[str, Any]] = []
        self.head = journal.lock_head(session)  # first: no live sale slips in after the ids
        self.next_id = {model: (session.scalar(select(func.max(model.id))) or 0) + 1
                        for model in TABLES}
        self.seq, self.hash = self.head.seq, self.head.hash
        self.pending = 0
        self.columns = {model: set(model.__table__.c.keys()) for model in TABLES}

    def add(self, model: type, values: dict[str, Any]) -> dict[str, Any]:
        values["id"] = self.next_id[model]
        self.next_id[model] += 1
        if set(values) != self.columns[model]:  # a digest must cover exactly the columns
            raise ValueError(f"{model.__tablename__}: {set(values) ^ self.columns[model]}")
        self.rows[model].append(values)
        self.pending += 1
        return values

    def journal(self, event: str, ref: str, rows: list[tuple[type, dict[str, Any]]],
                user_id: int | None, created_at: datetime) -> None:
        """The entry journal.append would write for these rows (same digests, same chain)."""
        digests = [[model.__tablename__, values["id"],
                    journal.row_digest(model.__tablename__, values)] for model, values in rows]
        entry = journal.next_entry(journal.ChainEnd(self.seq, self.hash), event, ref, digests,
                                   user_id, created_at)
        self.entries.append(entry)
        self.seq, self.hash = entry["seq"], entry["hash"]
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        batches = [(model.__table__, self.rows[model]) for model in TABLES if self.rows[model]]
        if self.entries:
            batches.append((JournalEntry.__table__, self.entries))
        connection = self.session.connection()
        for table, rows in batches:
            if connection.dialect.name == "postgresql":
                _copy(connection, table, rows)
            else:
                connection.execute(insert(table), rows)
        self.rows.clear()
        self.entries.clear()
        self.pending = 0

    def finish(self) -> None:
        self.flush()
        journal.set_head(self.session, self.head, self.seq, self.hash)
        if self.session.get_bind().dialect.name == "postgresql":
            for model in TABLES:
                table = model.__tablename__
                self.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))


def _copy(connection, table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY FROM STDIN in the session's own transaction, several times faster
    than INSERT for 100,000 sales. Times go in as naive UTC, as UTCDateTime stores them."""
    columns = list(table.c.keys())
    times = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if times:
                row = {**row, **{c: row[c].astimezone(UTC).replace(tzinfo=None)
                                 for c in times if row[c] is not None}}
            copy.write_row([row[c] for c in columns])


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

    writer = _Writer(session)
    # Numbers go on from each year's last one (see numbering.py).
    counters = dict(session.execute(select(Sale.year, func.max(Sale.seq))
                                    .group_by(Sale.year)).all())
    levels: dict[tuple[int, int], int] = defaultdict(int)
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
                     opened_at - timedelta(hours=1), name, levels)

        cash_session = writer.add(CashSession, {
            "name": name, "location_id": location.id, "opened_by": seller,
            "opened_at": opened_at, "float_cents": sum(d * c for d, c in FLOAT_COUNTS.items())})
        counted = [writer.add(CashCountLine, {
            "cash_session_id": cash_session["id"], "moment": "open",
            "denomination_cents": d, "count": c}) for d, c in FLOAT_COUNTS.items()]
        writer.journal("cash_open", f"session-{cash_session['id']}",
                       [(CashSession, cash_session), *((CashCountLine, r) for r in counted)],
                       seller, opened_at)

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
            lines = [LineRequest(p.sku, qty, None) for p, qty in basket]
            sale = writer.add(Sale, {
                "number": f"{year}-{counters[year]:06d}", "year": year, "seq": counters[year],
                "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "request_hash": request_fingerprint(cash_session["id"], lines,
                                                    [PaymentRequest(method, tendered)]),
                "kind": "sale", "cash_session_id": cash_session["id"],
                "location_id": location.id, "user_id": seller, "refund_of_id": None,
                "reason": "", "total_cents": total, "change_cents": change,
                "created_at": when})
            rows: list[tuple[type, dict[str, Any]]] = [(Sale, sale)]
            moves = []
            for product, qty in basket:
                rows.append((SaleLine, writer.add(SaleLine, {
                    "sale_id": sale["id"], "product_id": product.id, "qty": qty,
                    "unit_price_cents": product.price_cents,
                    "line_total_cents": qty * product.price_cents})))
                moves.append((StockMove, writer.add(StockMove, _move(
                    product.id, location.id, -qty, "sale", seller, when, sale_id=sale["id"]))))
                levels[(product.id, location.id)] -= qty
            rows.append((Payment, writer.add(Payment, {
                "sale_id": sale["id"], "method": method, "amount_cents": total,
                "tendered_cents": tendered, "change_cents": change, "cheque_number": ""})))
            writer.journal("sale", sale["number"], [*rows, *moves], seller, when)
            revenue += total
            if method == "cash":
                cash_in += total
            elif method == "card":
                card_total += total
            else:
                cheques_total += total
                cheques.append(total)

        expected = cash_session["float_cents"] + cash_in
        rule = rule_in_force(session, day)
        closure = writer.add(CashSessionClosure, {
            "cash_session_id": cash_session["id"], "closed_by": treasurer,
            "closed_at": closed_at, "expected_cash_cents": expected,
            "counted_cash_cents": expected, "difference_cents": 0, "revenue_cents": revenue,
            "cheque_total_cents": cheques_total, "card_total_cents": card_total,
            "split_rule_id": rule.id if rule else None, "journal_hash": writer.hash})
        rows = [(CashSessionClosure, closure)]
        rows += [(CashCountLine, writer.add(CashCountLine, {
            "cash_session_id": cash_session["id"], "moment": "close",
            "denomination_cents": d, "count": c})) for d, c in _notes(expected).items()]
        rows += [(Cheque, writer.add(Cheque, {
            "cash_session_id": cash_session["id"], "amount_cents": amount, "drawer": "",
            "bank": "", "number": f"{1000000 + i}"})) for i, amount in enumerate(cheques)]
        if rule is not None and revenue:
            weights = {str(p.envelope_id): p.weight for p in rule.parts
                       if p.envelope_id in envelopes}
            for envelope_id, cents in split_largest_remainder(revenue, weights).items():
                if cents:
                    rows.append((EnvelopeEntry, writer.add(EnvelopeEntry, {
                        "envelope_id": int(envelope_id), "amount_cents": cents,
                        "kind": "takings", "label": f"Recette : {name}"[:120],
                        "entry_date": day, "receipt_ref": "",
                        "cash_session_id": cash_session["id"], "sale_id": None,
                        "group_ref": None, "created_by": treasurer, "created_at": closed_at})))
        writer.journal("cash_close", f"session-{cash_session['id']}", rows, treasurer,
                       closed_at)

    writer.finish()
    _apply_levels(session, levels)


def _move(product_id: int, location_id: int, qty: int, reason: str, user_id: int,
          when: datetime, *, sale_id: int | None = None, group_ref: str | None = None,
          note: str = "") -> dict[str, Any]:
    return {"product_id": product_id, "location_id": location_id, "qty": qty,
            "reason": reason, "banner_lot_id": None, "sale_id": sale_id,
            "group_ref": group_ref, "note": note, "user_id": user_id, "created_at": when}


def _bring_stock(writer: _Writer, needed: dict[int, int], workshop: int, venue: int,
                 user_id: int, when: datetime, name: str,
                 levels: dict[tuple[int, int], int]) -> None:
    """Sewn at the workshop, then carried to the stall: two journal entries, as the app."""
    made = [(StockMove, writer.add(StockMove, _move(
        pid, workshop, qty, "production", user_id, when, note=f"pour {name}"[:500])))
        for pid, qty in sorted(needed.items())]
    for pid, qty in needed.items():
        levels[(pid, workshop)] += qty
    writer.journal("production", name[:64], made, user_id, when)
    if venue == workshop:
        return
    group = f"bulk-{writer.next_id[StockMove]}"
    carried = []
    for pid, qty in sorted(needed.items()):
        carried.append((StockMove, writer.add(StockMove, _move(
            pid, workshop, -qty, "transfer", user_id, when, group_ref=group))))
        carried.append((StockMove, writer.add(StockMove, _move(
            pid, venue, qty, "transfer", user_id, when, group_ref=group))))
        levels[(pid, workshop)] -= qty
        levels[(pid, venue)] += qty
    writer.journal("transfer", group, carried, user_id, when)


def _apply_levels(session: Session, deltas: dict[tuple[int, int], int]) -> None:
    """Cached levels follow the moves written (their sum per product and place)."""
    existing = {(level.product_id, level.location_id): level
                for level in session.scalars(select(StockLevel))}
    for key, delta in deltas.items():
        if key in existing:
            existing[key].qty += delta
        else:
            session.add(StockLevel(product_id=key[0], location_id=key[1], qty=delta))
