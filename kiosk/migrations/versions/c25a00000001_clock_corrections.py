"""the server's clock corrections (a logged-in tablet's time, or the admin's choice)

Revision ID: c25a00000001
Revises: r18a00000001
Create Date: 2026-12-05 20:30:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'c25a00000001'
down_revision = 'r18a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clock_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('system_time', kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('offset_ms', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('boot_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_clock_corrections_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_corrections'))
    )
    with op.batch_alter_table('clock_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_corrections_boot_id'), ['boot_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('clock_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_corrections_boot_id'))
    op.drop_table('clock_corrections')
