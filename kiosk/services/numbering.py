"""Sale numbers: `YYYY-NNNNNN`, per year (Paris time), without gap or repeat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.models import SaleCounter

PARIS = ZoneInfo("Europe/Paris")


def next_sale_number(session: Session, when: datetime) -> tuple[int, int, str]:
    """Allocate the next number for the year of `when` → (year, seq, "2026-000123").

    Call it inside a write transaction, after journal.lock_head(): the head lock already
    serialises journaled writes; the counter row is locked too, so numbering stays safe
    even if a caller forgets. The number is taken in the same transaction as the sale,
    so a rolled-back sale gives its number back and no gap appears.
    """
    year = when.astimezone(PARIS).year
    # One statement: the increment takes the row's write lock until the commit.
    seq = session.execute(
        update(SaleCounter).where(SaleCounter.year == year)
        .values(last_number=SaleCounter.last_number + 1)
        .returning(SaleCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if seq is None:  # the year's first sale (serialised by the journal head lock)
        session.add(SaleCounter(year=year, last_number=1))
        session.flush()
        seq = 1
    return year, seq, f"{year}-{seq:06d}"
