"""Sale numbers: `YYYY-NNNNNN`, per year (Paris time), without gap or repeat.

The next number is the year's highest seq + 1, read under the journal head lock that every
numbering write holds (journal.lock_head), so two tablets never read the same one; the
unique index on (year, seq) refuses a repeat whatever happens; a rolled-back sale takes its
number back with it, so no gap appears.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select

from kiosk.models import Sale
from kiosk.vocabulary import PARIS

SALES = Sale.__table__
# The year's last seq: one step down the (year, seq) index, whatever the history's size.
# Every writer of a sale folds it into the query it already makes for its ids
# (record.SALE_CONTEXT, record.EVENT_IDS), with the year as the `for_year` parameter.
LAST_SEQ = (select(func.coalesce(func.max(SALES.c.seq), 0))
            .where(SALES.c.year == bindparam("for_year")).scalar_subquery())


def sale_year(when: datetime) -> int:
    return when.astimezone(PARIS).year


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"
