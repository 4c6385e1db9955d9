"""daily totals for the reports, kept as the sales are written; volunteers' shifts

The reports read `daily_totals` (one row per Paris day, kind, place, drawer, product and
banner lot) instead of every sale; this revision fills it from the sales, lines and
production moves already there. `shifts`: who held a drawer's stall, and until when.

Revision ID: r18a00000001
Revises: s15a00000002
Create Date: 2026-12-01 17:45:00

"""
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'r18a00000001'
down_revision = 's15a00000002'  # (after the categories: one line of migrations)
branch_labels = None
depends_on = None

PARIS = ZoneInfo("Europe/Paris")
CHUNK = 5000


def upgrade():
    op.create_table('daily_totals',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('location_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cash_session_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('banner_lot_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('cents', sa.Integer(), nullable=False),
    sa.Column('donation_cents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'location_id', 'cash_session_id', 'product_id',
                            'banner_lot_id', name=op.f('pk_daily_totals'))
    )
    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cash_session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('ended_at', kiosk.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cash_session_id'], ['cash_sessions.id'],
                            name=op.f('fk_shifts_cash_session_id_cash_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shifts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shifts_cash_session_id'), ['cash_session_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_shifts_user_id'), ['user_id'], unique=False)
    _fill_totals(op.get_bind())


def _fill_totals(bind):
    """The totals of what is already written, as kiosk/ledger/rows.totals keeps them."""
    when = kiosk.database.UTCDateTime()
    sales = sa.table('sales', sa.column('id'), sa.column('created_at', when),
                     sa.column('kind'), sa.column('location_id'),
                     sa.column('cash_session_id'), sa.column('total_cents'))
    lines = sa.table('sale_lines', sa.column('sale_id'), sa.column('product_id'),
                     sa.column('qty'), sa.column('line_total_cents'))
    moves = sa.table('stock_moves', sa.column('created_at', when), sa.column('reason'),
                     sa.column('location_id'), sa.column('product_id'),
                     sa.column('banner_lot_id'), sa.column('qty'))
    totals = {}

    def add(key, count, qty, cents):
        values = totals.setdefault(key, [0, 0, 0])
        values[0] += count
        values[1] += qty
        values[2] += cents

    low, high = bind.execute(sa.select(sa.func.min(sales.c.id),
                                       sa.func.max(sales.c.id))).one()
    for start in range(low or 0, (high or -1) + 1, CHUNK):
        of_sale = {}
        for sale_id, created_at, kind, location_id, drawer, total in bind.execute(
                sa.select(sales).where(sales.c.id >= start, sales.c.id < start + CHUNK)):
            of_sale[sale_id] = (created_at.astimezone(PARIS).date(), kind, location_id,
                                drawer or 0)
            add((*of_sale[sale_id], 0, 0), 1, 0, total)
        for sale_id, product_id, qty, cents in bind.execute(
                sa.select(lines).where(lines.c.sale_id >= start,
                                       lines.c.sale_id < start + CHUNK)):
            add((*of_sale[sale_id], 0, 0), 0, qty, 0)
            add((*of_sale[sale_id], product_id, 0), 1, qty, cents)
    for created_at, _reason, location_id, product_id, lot, qty in bind.execute(
            sa.select(moves).where(moves.c.reason == 'production')):
        add((created_at.astimezone(PARIS).date(), 'made', location_id, 0, product_id,
             lot or 0), 1, qty, 0)
    table = sa.table('daily_totals', sa.column('day', sa.Date()), *(sa.column(name) for name in (
        'kind', 'location_id', 'cash_session_id', 'product_id', 'banner_lot_id',
        'count', 'qty', 'cents', 'donation_cents')))
    rows = [{'day': key[0], 'kind': key[1], 'location_id': key[2],
             'cash_session_id': key[3], 'product_id': key[4], 'banner_lot_id': key[5],
             'count': count, 'qty': qty, 'cents': cents, 'donation_cents': 0}
            for key, (count, qty, cents) in sorted(totals.items())]
    for start in range(0, len(rows), CHUNK):
        bind.execute(sa.insert(table), rows[start:start + CHUNK])


def downgrade():
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shifts_user_id'))
        batch_op.drop_index(batch_op.f('ix_shifts_cash_session_id'))
    op.drop_table('shifts')
    op.drop_table('daily_totals')
