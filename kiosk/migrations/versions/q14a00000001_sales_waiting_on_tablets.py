"""sales that waited on a tablet: the tablet's time of the sale, and what tablets report waiting

`sales.sold_at` is declared in journal.LATER_COLUMNS (None for every earlier row), so the
digests of the sales written before it stay true.

Revision ID: q14a00000001
Revises: o19a00000001
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'q14a00000001'
down_revision = 'o19a00000001'  # (after the orders: one line of migrations)
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sold_at', kiosk.database.UTCDateTime(), nullable=True))
    op.create_table(
        'tablet_waiting_sales',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tablet_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('cash_session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reported_at', kiosk.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cash_session_id'], ['cash_sessions.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('tablet_waiting_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tablet_waiting_sales_tablet_id'), ['tablet_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_tablet_waiting_sales_cash_session_id'),
                              ['cash_session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tablet_waiting_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tablet_waiting_sales_cash_session_id'))
        batch_op.drop_index(batch_op.f('ix_tablet_waiting_sales_tablet_id'))
    op.drop_table('tablet_waiting_sales')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_column('sold_at')
