"""Sale numbers: `YYYY-NNNNNN`, per year (Paris time), without gap or repeat.

The next number is the year's highest seq + 1, read under the journal head lock that every
numbering write holds (journal.lock_head), so two tablets never read the same one; the
unique index on (year, seq) refuses a repeat whatever happens; a rolled-back sale takes its
number back with it, so no gap appears.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from kiosk.models import Sale

PARIS = ZoneInfo("Europe/Paris")
SALES = Sale.__table__
# The year's last seq: one step down the (year, seq) index, whatever the history's size.
# The sale folds it into the query it already makes (sales.SALE_CONTEXT).
LAST_SEQ = (select(func.coalesce(func.max(SALES.c.seq), 0))
            .where(SALES.c.year == bindparam("for_year")).scalar_subquery())
LAST_SEQ_QUERY = select(LAST_SEQ)


def sale_year(when: datetime) -> int:
    return when.astimezone(PARIS).year


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"


def next_sale_number(session: Session, when: datetime) -> tuple[int, int, str]:
    """The next number for the year of `when` → (year, seq, "2026-000123").

    Call it inside a write transaction, after journal.lock_head().
    """
    year = sale_year(when)
    seq = session.connection().execute(LAST_SEQ_QUERY, {"for_year": year}).scalar_one() + 1
    return year, seq, format_number(year, seq)
