"""The group's meetings, their decisions and the spends citing them; proposals

Issue 30. New tables only (no column added to a journaled table); meetings, decisions and
decision_spends are journaled (kiosk/ledger/journal.py JOURNALED_MODELS), proposals
(prepared before a meeting, deciding nothing) are not.

Revision ID: i30a00000001
Revises: i28a00000002
Create Date: 2026-12-05 20:30:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


# revision identifiers, used by Alembic.
revision = 'i30a00000001'
down_revision = 'i28a00000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('present', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_meetings_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_held_on'), ['held_on'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('envelope_id', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('split_rule_id', sa.Integer(), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_decisions_created_by_users')),
    sa.ForeignKeyConstraint(['envelope_id'], ['envelopes.id'], name=op.f('fk_decisions_envelope_id_envelopes')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_decisions_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['replaces_id'], ['decisions.id'], name=op.f('fk_decisions_replaces_id_decisions')),
    sa.ForeignKeyConstraint(['split_rule_id'], ['split_rules.id'], name=op.f('fk_decisions_split_rule_id_split_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('decision_spends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('envelope_entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_decision_spends_decision_id_decisions')),
    sa.ForeignKeyConstraint(['envelope_entry_id'], ['envelope_entries.id'], name=op.f('fk_decision_spends_envelope_entry_id_envelope_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_spends')),
    sa.UniqueConstraint('envelope_entry_id', name=op.f('uq_decision_spends_envelope_entry_id'))
    )
    with op.batch_alter_table('decision_spends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_spends_decision_id'), ['decision_id'], unique=False)

    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('envelope_id', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('photo', sa.String(length=255), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_proposals_created_by_users')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_proposals_decision_id_decisions')),
    sa.ForeignKeyConstraint(['envelope_id'], ['envelopes.id'], name=op.f('fk_proposals_envelope_id_envelopes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )


def downgrade():
    op.drop_table('proposals')
    with op.batch_alter_table('decision_spends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_spends_decision_id'))
    op.drop_table('decision_spends')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_meeting_id'))
    op.drop_table('decisions')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_held_on'))
    op.drop_table('meetings')
