"""gift-only tickets are not counted as sales in the day's totals

A gift-only ticket ("Un don", "Gardez la monnaie": no line, a gift alone) and its void
are gifts, never sales (CONTRACT.md): the Z left them out of its count, the reports
(which read `daily_totals`) did not. From now on rows.totals counts them 0; this revision
takes them out of the counts already kept. The downgrade puts them back.

Revision ID: i27a00000001
Revises: i26a00000001
Create Date: 2026-12-05 20:50:00

"""
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = 'i27a00000001'
down_revision = 'i26a00000001'
branch_labels = None
depends_on = None

PARIS = ZoneInfo("Europe/Paris")

GIFTS_ALONE = sa.text(
    "SELECT s.created_at, s.kind, s.location_id, s.cash_session_id FROM sales s "
    "WHERE s.kind IN ('sale', 'void') AND s.total_cents = 0 AND s.donation_cents <> 0 "
    "AND NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)")
ADJUST = sa.text(
    "UPDATE daily_totals SET count = count + :step WHERE day = :day AND kind = :kind "
    "AND location_id = :location_id AND cash_session_id = :drawer AND product_id = 0 "
    "AND banner_lot_id = 0")


def _adjust(step: int) -> None:
    bind = op.get_bind()
    counts: dict[tuple, int] = {}
    for created_at, kind, location_id, drawer in bind.execute(GIFTS_ALONE):
        if isinstance(created_at, str):  # SQLite without the column type's help
            from datetime import datetime
            created_at = datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            from datetime import UTC
            created_at = created_at.replace(tzinfo=UTC)
        key = (created_at.astimezone(PARIS).date(), kind, location_id, drawer or 0)
        counts[key] = counts.get(key, 0) + 1
    for (day, kind, location_id, drawer), n in counts.items():
        bind.execute(ADJUST, {"step": step * n, "day": day, "kind": kind,
                              "location_id": location_id, "drawer": drawer})


def upgrade():
    _adjust(-1)


def downgrade():
    _adjust(+1)
