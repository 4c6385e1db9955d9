"""record, sealed, where the journal's seals begin

A journal written before seals existed ends on an unsealed entry: this revision appends a
sealed "seals_begin" entry after it, whose seal vouches for every entry before it (their
hashes are chained into its own). verify-journal then accepts unsealed entries only when
such a sealed entry follows them, so stripping every seal (and backdating every entry) no
longer passes for "written before the seals". Does nothing on an empty journal or one that
already ends sealed.

Revision ID: i24a00000001
Revises: c25a00000001
Create Date: 2026-12-05 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'i24a00000001'
down_revision = 'c25a00000001'
branch_labels = None
depends_on = None


def upgrade():
    from kiosk.ledger.journal import seal_the_entries_before

    seal_the_entries_before(op.get_bind())


def downgrade():
    # The entry is an ordinary sealed journal entry (no schema changed): the previous code
    # reads and verifies it as it is. Taken back only while it is still the last entry.
    bind = op.get_bind()
    last = bind.execute(sa.text(
        "SELECT seq, event, prev_hash FROM journal_entries ORDER BY seq DESC LIMIT 1")).first()
    if last is not None and last.event == 'seals_begin':
        bind.execute(sa.text("DELETE FROM journal_entries WHERE seq = :seq"), {"seq": last.seq})
        bind.execute(sa.text("UPDATE journal_head SET seq = :seq, hash = :hash WHERE id = 1"),
                     {"seq": last.seq - 1, "hash": last.prev_hash})
