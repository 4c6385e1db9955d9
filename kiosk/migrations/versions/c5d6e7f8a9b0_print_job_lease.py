"""print jobs: a lease while one process sends a job

The server's worker and `flask print-queue` are two processes; the one that claims a job
sets sending_until, and the other leaves the job alone until then, so a receipt is not
printed twice during the seconds of a send. A process that dies mid-send lets the lease
run out and the job is tried again.

Revision ID: c5d6e7f8a9b0
Revises: b3c1d2e4f5a6
Create Date: 2026-11-24 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'c5d6e7f8a9b0'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_until', kiosk.database.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_column('sending_until')
