"""product categories are data an admin manages, not a fixed list in code

A group that starts sewing key rings could not sell them under their own name (issue 13,
"First start, for real"). The seven categories of the fixed list become rows.

Revision ID: s15a00000002
Revises: s15a00000001
Create Date: 2026-12-01 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 's15a00000002'
down_revision = 's15a00000001'
branch_labels = None
depends_on = None

DEFAULTS = [("bag", "Sac"), ("apron", "Tablier"), ("pouch", "Pochette"),
            ("toiletry_kit", "Trousse de toilette"), ("laundry_bag", "Sac à linge"),
            ("luggage_tag", "Étiquette de valise"), ("other", "Autre")]


def upgrade():
    table = op.create_table(
        'product_categories',
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
    op.bulk_insert(table, [{"code": code, "name": name, "active": True, "position": i}
                           for i, (code, name) in enumerate(DEFAULTS)])


def downgrade():
    op.drop_table('product_categories')
