"""Sale numbers: `YYYY-NNNNNN`, per year (Paris time), without gap or repeat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
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
    counter = session.execute(
        select(SaleCounter).where(SaleCounter.year == year).with_for_update()
    ).scalar_one_or_none()
    if counter is None:
        counter = SaleCounter(year=year, last_number=0)
        session.add(counter)
    counter.last_number += 1
    return year, counter.last_number, f"{year}-{counter.last_number:06d}"
