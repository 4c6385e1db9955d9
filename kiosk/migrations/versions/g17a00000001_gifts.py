"""gifts at the stall: a sale's donation_cents, free-price products, where gifts go,
numbered gift receipts

`sales.donation_cents` is declared in journal.LATER_COLUMNS with its default 0, so the
digests of the sales written before it stay true.

Revision ID: g17a00000001
Revises: f2a3b4c5d6e7
Create Date: 2026-12-01 17:45:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'g17a00000001'
down_revision = 'f2a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.add_column(sa.Column('donation_cents', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_price', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('min_price_cents', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'donation_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('envelope_id', sa.Integer(), nullable=True),
        sa.Column('decision', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['envelope_id'], ['envelopes.id']),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('donation_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_rules_effective_from'),
                              ['effective_from'], unique=False)
    op.create_table(
        'gift_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('donor_name', sa.String(length=120), nullable=False),
        sa.Column('donor_address', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
        sa.UniqueConstraint('sale_id'))
    with op.batch_alter_table('gift_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_gift_receipts_year_seq', ['year', 'seq'], unique=True)


def downgrade():
    with op.batch_alter_table('gift_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_gift_receipts_year_seq')
    op.drop_table('gift_receipts')
    with op.batch_alter_table('donation_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_rules_effective_from'))
    op.drop_table('donation_rules')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('min_price_cents')
        batch_op.drop_column('free_price')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_column('donation_cents')
