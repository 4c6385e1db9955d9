"""Stock moves: the only way stock changes. Each call is journaled and keeps the cached
levels equal to the sum of the moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import StockLevel, StockMove
from kiosk.services import journal


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


def build_moves(session: Session, specs: Sequence[MoveSpec], user_id: int | None
                ) -> list[StockMove]:
    """Add the moves and update the cached levels, inside the caller's transaction.

    The caller journals the moves with the rest of its event (a sale journals its lines,
    payments and moves as one entry).
    """
    moves = [StockMove(product_id=s.product_id, location_id=s.location_id, qty=s.qty,
                       reason=s.reason, banner_lot_id=s.banner_lot_id, sale_id=s.sale_id,
                       group_ref=s.group_ref, note=s.note, user_id=user_id) for s in specs]
    session.add_all(moves)
    deltas: dict[tuple[int, int], int] = {}
    for s in specs:
        key = (s.product_id, s.location_id)
        deltas[key] = deltas.get(key, 0) + s.qty
    apply_level_deltas(session, deltas)
    return moves


def apply_level_deltas(session: Session, deltas: dict[tuple[int, int], int]) -> None:
    """Add each delta to its cached level in one upsert (INSERT … ON CONFLICT DO UPDATE,
    the same on SQLite and PostgreSQL); the row lock it takes is held to the commit."""
    if not deltas:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = StockLevel.__table__  # Core, not the ORM's slower bulk path
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.product_id, table.c.location_id],
        set_={"qty": table.c.qty + statement.excluded.qty})
    session.execute(statement, [
        {"product_id": product_id, "location_id": location_id, "qty": delta}
        for (product_id, location_id), delta in sorted(deltas.items())])


def record_moves(session: Session, specs: Sequence[MoveSpec], user_id: int | None,
                 event: str = "stock", ref: str = "") -> list[StockMove]:
    """Moves that stand on their own (production, transfer, count…): one journal entry."""
    journal.lock_head(session)
    moves = build_moves(session, specs, user_id)
    journal.append(session, event, ref, moves, user_id)
    return moves


def level(session: Session, product_id: int, location_id: int) -> int:
    return session.scalar(
        select(StockLevel.qty).where(StockLevel.product_id == product_id,
                                     StockLevel.location_id == location_id)) or 0
