"""Paheko books: envelope project codes, spending accounts, exported entries

Issue 16. An envelope's analytic project in Paheko (envelopes are not journaled, so a
column is fine); the charge account and source of an envelope spending in a journaled
table of its own (a column on envelope_entries would change every entry's digest); and
each entry a Paheko export wrote or left out, so a period is exported entry by entry.

Revision ID: d7e8f9a0b1c2
Revises: e1f2a3b4c5d6
Create Date: 2026-12-01 15:30:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'd7e8f9a0b1c2'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('envelopes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_code', sa.String(length=64), nullable=True))
    op.create_table(
        'envelope_spend_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('envelope_entry_id', sa.Integer(), nullable=False),
        sa.Column('charge_account', sa.String(length=12), nullable=False),
        sa.Column('paid_from', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['envelope_entry_id'], ['envelope_entries.id'],
                                name=op.f('fk_envelope_spend_accounts_envelope_entry_id_envelope_entries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_envelope_spend_accounts')),
        sa.UniqueConstraint('envelope_entry_id',
                            name=op.f('uq_envelope_spend_accounts_envelope_entry_id')),
    )
    op.create_table(
        'export_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('export_id', sa.Integer(), nullable=True),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('piece', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['export_id'], ['export_records.id'],
                                name=op.f('fk_export_entries_export_id_export_records')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_entries')),
    )
    with op.batch_alter_table('export_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_entries_export_id'), ['export_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_export_entries_ref'), ['ref'], unique=False)


def downgrade():
    with op.batch_alter_table('export_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_entries_ref'))
        batch_op.drop_index(batch_op.f('ix_export_entries_export_id'))
    op.drop_table('export_entries')
    op.drop_table('envelope_spend_accounts')
    with op.batch_alter_table('envelopes', schema=None) as batch_op:
        batch_op.drop_column('project_code')
