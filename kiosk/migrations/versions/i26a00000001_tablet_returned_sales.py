"""sales a tablet sent again because the server no longer had them (the Z report names them)

Revision ID: i26a00000001
Revises: i24a00000001
Create Date: 2026-12-05 20:40:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'i26a00000001'
down_revision = 'i24a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tablet_returned_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('cash_session_id', sa.Integer(), nullable=False),
    sa.Column('earlier_number', sa.String(length=20), nullable=True),
    sa.Column('tablet_id', sa.String(length=36), nullable=False),
    sa.Column('reported_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cash_session_id'], ['cash_sessions.id'],
                            name=op.f('fk_tablet_returned_sales_cash_session_id_cash_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tablet_returned_sales')),
    sa.UniqueConstraint('client_id', name=op.f('uq_tablet_returned_sales_client_id'))
    )
    with op.batch_alter_table('tablet_returned_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tablet_returned_sales_cash_session_id'),
                              ['cash_session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tablet_returned_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tablet_returned_sales_cash_session_id'))
    op.drop_table('tablet_returned_sales')
