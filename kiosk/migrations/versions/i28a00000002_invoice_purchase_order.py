"""an invoice carries the partner's purchase-order number

Issue 28 (Code de commerce L441-9: an invoice to a business names the buyer's purchase
order when it gave one). Empty for every invoice before; the journal's digest leaves an
empty one out (kiosk.ledger.journal.LATER_COLUMNS), so their entries still verify.

Revision ID: i28a00000002
Revises: i28a00000001
Create Date: 2026-12-05 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'i28a00000002'
down_revision = 'i28a00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purchase_order', sa.String(length=64), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('purchase_order')
