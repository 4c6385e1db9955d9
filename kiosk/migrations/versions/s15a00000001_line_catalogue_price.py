"""sale lines remember the catalogue's price at the time of the sale

A treasurer may sell at another price than the catalogue's (issue 15, point 7): the
receipt and the Z report say so, which needs the catalogue's price as it was then (the
catalogue is not journaled and changes). Lines written before this revision hold NULL:
their catalogue price was not recorded (journal.LATER_COLUMNS keeps their digests).

Revision ID: s15a00000001
Revises: q14a00000001
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 's15a00000001'
down_revision = 'q14a00000001'  # (after the outbox: one line of migrations)
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_price_cents', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_column('catalogue_price_cents')
