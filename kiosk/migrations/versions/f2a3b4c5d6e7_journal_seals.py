"""journal entries carry a seal: an HMAC of their hash with a key kept outside the database

Rehashing the chain after editing a row (or cutting its last entries) leaves a chain that
verifies; the seal, made with a key in instance/ that the database does not hold, does
not. Entries written before this revision have no seal and are reported as such.

Revision ID: f2a3b4c5d6e7
Revises: d7e8f9a0b1c2
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2a3b4c5d6e7'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_column('seal')
