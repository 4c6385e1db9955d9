"""Stock moves: the only way stock changes. Each call is journaled and keeps the cached
levels equal to the sum of the moves."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import InvalidInput, NotFound
from kiosk.ledger import journal, rows, write
from kiosk.models import BannerLot, Location, Product, StockLevel, StockMove
from kiosk.models.catalogue import LocationKind
from kiosk.models.stock import MoveReason
from kiosk.text import _
from kiosk.vocabulary import MAX_QTY


@dataclass(frozen=True)
class MoveSpec:
    product_id: int
    location_id: int
    qty: int  # signed
    reason: str
    banner_lot_id: int | None = None
    sale_id: int | None = None
    group_ref: str | None = None
    note: str = ""


@dataclass(frozen=True)
class RecordedMove:
    """A stock move as record_moves wrote it (the same attributes as StockMove)."""

    id: int
    product_id: int
    location_id: int
    qty: int
    reason: str
    banner_lot_id: int | None
    sale_id: int | None
    group_ref: str | None
    note: str
    user_id: int | None
    created_at: datetime


def record_moves(session: Session, specs: Sequence[MoveSpec], user_id: int | None,
                 event: str = "stock", ref: str = "") -> list[RecordedMove]:
    """Moves that stand on their own (production, transfer, count…): one journal entry.

    Built by kiosk/ledger/rows.py and written by its one writer, like a sale's moves."""
    head = journal.lock_head(session)
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect not in _MOVE_IDS:  # built once per database: it caches its compilation
        _MOVE_IDS[dialect] = select(write.next_ids(dialect, rows.MOVES, "n_moves"))
    ids = write.ids_from(connection.execute(_MOVE_IDS[dialect], {"n_moves": len(specs)})
                         .scalar(), len(specs))
    now = utcnow()
    move_rows = [rows.move(id=move_id, product_id=s.product_id, location_id=s.location_id,
                           qty=s.qty, reason=s.reason, user_id=user_id, created_at=now,
                           sale_id=s.sale_id, banner_lot_id=s.banner_lot_id,
                           group_ref=s.group_ref, note=s.note)
                 for move_id, s in zip(ids, specs, strict=True)]
    tables = [(rows.MOVES, move_rows)]
    write.record_event(session, event, ref, tables, user_id, now, head=head)
    return [RecordedMove(**row) for row in move_rows]


_MOVE_IDS: dict[str, Any] = {}


def level(session: Session, product_id: int, location_id: int) -> int:
    return session.scalar(
        select(StockLevel.qty).where(StockLevel.product_id == product_id,
                                     StockLevel.location_id == location_id)) or 0


# --- What volunteers do: sew, take somewhere, count, give away, lose ---------------------

def find_product(session: Session, sku: str) -> Product:
    product = session.scalar(select(Product).where(Product.sku == (sku or "").strip().upper()))
    if product is None:
        product = session.scalar(select(Product).where(Product.sku == (sku or "").strip()))
    if product is None:
        raise NotFound("unknown_product", _("Aucun produit n'a la référence « %(sku)s ».",
                                            sku=sku))
    return product


def find_location(session: Session, code: str | None) -> Location:
    location = session.scalar(select(Location).where(Location.code == (code or "").strip()))
    if location is None:
        raise NotFound("unknown_location", _("Aucun lieu n'a le code « %(code)s ».",
                                             code=code or ""))
    return location


def workshop_or_none(session: Session) -> Location | None:
    """The workshop (the first active one), or None before the coordinator made one."""
    return session.scalar(select(Location).where(Location.kind == LocationKind.WORKSHOP,
                                                 Location.active.is_(True))
                          .order_by(Location.id).limit(1))


def workshop(session: Session) -> Location:
    location = workshop_or_none(session)
    if location is None:
        raise NotFound("no_workshop", _("Aucun atelier n'est enregistré : "
                                        "la coordinatrice doit en créer un."))
    return location


def find_lot(session: Session, code: str) -> BannerLot:
    lot = session.scalar(select(BannerLot).where(BannerLot.code == code))
    if lot is None:
        raise NotFound("unknown_lot", _("Aucun lot de bâches n'a le code « %(code)s ».",
                                        code=code))
    return lot


def check_qty(qty: object, *, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if isinstance(qty, bool) or not isinstance(qty, int) or not low <= qty <= MAX_QTY:
        raise InvalidInput("invalid_qty", _("La quantité doit être un nombre entier "
                                            "de %(low)s à %(high)s.", low=low, high=MAX_QTY))
    return qty


def produce(session: Session, sku: str, qty: int, user_id: int | None, *,
            lot_code: str | None = None, location_code: str | None = None,
            note: str = "") -> StockMove:
    """Pieces just sewn enter stock (at the workshop unless told), from a banner lot."""
    qty = check_qty(qty)
    product = find_product(session, sku)
    location = find_location(session, location_code) if location_code else workshop(session)
    lot = find_lot(session, lot_code) if lot_code else None
    [move] = record_moves(session, [MoveSpec(product.id, location.id, qty,
                                             MoveReason.PRODUCTION,
                                             banner_lot_id=lot.id if lot else None,
                                             note=note)],
                          user_id, "production", product.sku)
    return move


def transfer(session: Session, sku: str, qty: int, from_code: str, to_code: str,
             user_id: int | None, note: str = "") -> list[StockMove]:
    """Pieces carried from one place to another: two moves sharing a group."""
    qty = check_qty(qty)
    product = find_product(session, sku)
    source, target = find_location(session, from_code), find_location(session, to_code)
    if source.id == target.id:
        raise InvalidInput("same_location", _("Choisissez deux lieux différents : "
                                              "d'où partent les pièces et où elles vont."))
    group = str(uuid.uuid4())
    return record_moves(session, [
        MoveSpec(product.id, source.id, -qty, MoveReason.TRANSFER, group_ref=group, note=note),
        MoveSpec(product.id, target.id, qty, MoveReason.TRANSFER, group_ref=group, note=note),
    ], user_id, "transfer", group)


def bring_back_all(session: Session, from_code: str, to_code: str, user_id: int | None
                   ) -> list[StockMove]:
    """The end of a stall day: every piece the books place at `from_code` goes back to
    `to_code`, as transfers in one journal entry (nothing when the stall is empty)."""
    journal.lock_head(session)
    source, target = find_location(session, from_code), find_location(session, to_code)
    if source.id == target.id:
        raise InvalidInput("same_location", _("Choisissez deux lieux différents : "
                                              "d'où partent les pièces et où elles vont."))
    group = str(uuid.uuid4())
    specs = []
    for product_id, qty in session.execute(
            select(StockLevel.product_id, StockLevel.qty)
            .where(StockLevel.location_id == source.id, StockLevel.qty > 0)
            .order_by(StockLevel.product_id)):
        specs += [MoveSpec(product_id, source.id, -qty, MoveReason.TRANSFER, group_ref=group),
                  MoveSpec(product_id, target.id, qty, MoveReason.TRANSFER, group_ref=group)]
    return record_moves(session, specs, user_id, "transfer", group) if specs else []


def pieces_at(session: Session, location_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(StockLevel.qty), 0))
                          .where(StockLevel.location_id == location_id,
                                 StockLevel.qty > 0)) or 0


def remove(session: Session, sku: str, qty: int, location_code: str, reason: str,
           user_id: int | None, note: str = "") -> StockMove:
    """Pieces given away (gift) or lost, spoiled or stolen (loss)."""
    if reason not in (MoveReason.GIFT, MoveReason.LOSS):
        raise InvalidInput("invalid_reason", _("Le motif doit être « don » ou « perte »."))
    qty = check_qty(qty)
    product = find_product(session, sku)
    location = find_location(session, location_code)
    [move] = record_moves(session, [MoveSpec(product.id, location.id, -qty, reason, note=note)],
                          user_id, reason, product.sku)
    return move


def gift(session: Session, sku: str, qty: int, location_code: str, user_id: int | None,
         note: str = "") -> StockMove:
    return remove(session, sku, qty, location_code, MoveReason.GIFT, user_id, note)


def loss(session: Session, sku: str, qty: int, location_code: str, user_id: int | None,
         note: str = "") -> StockMove:
    return remove(session, sku, qty, location_code, MoveReason.LOSS, user_id, note)


@dataclass(frozen=True)
class CountLine:
    product: Product
    expected: int  # what the books say
    counted: int  # what is on the table

    @property
    def difference(self) -> int:
        return self.counted - self.expected


def count_preview(session: Session, location_code: str, counted: Mapping[str, int]
                  ) -> tuple[Location, list[CountLine]]:
    """What a count would change, before anything is saved: one line per product counted."""
    location = find_location(session, location_code)
    if not counted:
        raise InvalidInput("nothing_counted", _("Tapez au moins une quantité comptée."))
    lines = []
    for sku, qty in counted.items():
        product = find_product(session, sku)
        check_qty(qty, allow_zero=True)
        lines.append(CountLine(product, level(session, product.id, location.id), qty))
    return location, lines


def count(session: Session, location_code: str, counted: Mapping[str, int],
          user_id: int | None, note: str = "") -> tuple[list[CountLine], list[StockMove]]:
    """What was counted on the table becomes the level: a count move of the difference
    for each product that disagrees (none for those that agree). The levels are read
    after the write lock is taken, so a sale in between cannot be lost."""
    journal.lock_head(session)
    location, lines = count_preview(session, location_code, counted)
    specs = [MoveSpec(line.product.id, location.id, line.difference, MoveReason.COUNT,
                      # stored and journaled: French, whoever counts
                      note=note or f"compté : {line.counted}")
             for line in lines if line.difference != 0]
    moves = record_moves(session, specs, user_id, "count", location.code) if specs else []
    return lines, moves


# --- Reading the levels -------------------------------------------------------------------

@dataclass
class StockTable:
    locations: list[Location]
    products: list[Product]
    qty: dict[tuple[int, int], int]  # (product_id, location_id) → level

    def at(self, product_id: int, location_id: int) -> int:
        return self.qty.get((product_id, location_id), 0)

    def total(self, product_id: int) -> int:
        return sum(self.at(product_id, loc.id) for loc in self.locations)


def stock_table(session: Session, include_inactive: bool = False) -> StockTable:
    locations = list(session.scalars(select(Location).where(Location.active.is_(True))
                                     .order_by(Location.id)))
    stmt = select(Product).order_by(Product.name)
    if not include_inactive:
        stmt = stmt.where(Product.active.is_(True))
    products = list(session.scalars(stmt))
    qty = {(p, loc): q for p, loc, q in session.execute(
        select(StockLevel.product_id, StockLevel.location_id, StockLevel.qty))}
    return StockTable(locations, products, qty)


def levels_at(session: Session, location_code: str) -> list[tuple[str, int]]:
    location = find_location(session, location_code)
    return [(sku, qty) for sku, qty in session.execute(
        select(Product.sku, StockLevel.qty).join(StockLevel, StockLevel.product_id == Product.id)
        .where(StockLevel.location_id == location.id).order_by(Product.sku))]


@dataclass(frozen=True)
class ToCheck:
    kind: str  # "negative" or "count"
    product: Product
    location: Location
    qty: int  # the level (negative) or the difference found by the count
    when: datetime | None = None


def to_check(session: Session, days: int = 30) -> list[ToCheck]:
    """What someone should look at: stock below zero, and recent counts that disagreed
    with the books (a count move records only a disagreement)."""
    items = [ToCheck("negative", product, location, qty) for product, location, qty in
             session.execute(select(Product, Location, StockLevel.qty)
                             .join(StockLevel, StockLevel.product_id == Product.id)
                             .join(Location, Location.id == StockLevel.location_id)
                             .where(StockLevel.qty < 0).order_by(Product.name))]
    since = utcnow() - timedelta(days=days)
    items += [ToCheck("count", product, location, move.qty, move.created_at)
              for move, product, location in session.execute(
                  select(StockMove, Product, Location)
                  .join(Product, Product.id == StockMove.product_id)
                  .join(Location, Location.id == StockMove.location_id)
                  .where(StockMove.reason == MoveReason.COUNT, StockMove.created_at >= since)
                  .order_by(StockMove.created_at.desc()).limit(100))]
    return items
