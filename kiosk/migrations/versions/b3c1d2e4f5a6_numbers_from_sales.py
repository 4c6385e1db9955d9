"""sale numbers come from the sales themselves: unique (year, seq), no counter table

The year's next number is MAX(seq) + 1 read under the journal head lock, which every
numbering write already holds; the unique index makes a repeated number impossible
whatever the code does, and the counter row was one more write in every sale.

Revision ID: b3c1d2e4f5a6
Revises: f97f1dd92715
Create Date: 2026-11-24 09:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3c1d2e4f5a6'
down_revision = 'f97f1dd92715'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_sales_year_seq', 'sales', ['year', 'seq'], unique=True)
    op.drop_table('sale_counters')


def downgrade():
    op.create_table('sale_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_sale_counters'))
    )
    op.execute("INSERT INTO sale_counters (year, last_number) "
               "SELECT year, MAX(seq) FROM sales GROUP BY year")
    op.drop_index('ix_sales_year_seq', table_name='sales')
