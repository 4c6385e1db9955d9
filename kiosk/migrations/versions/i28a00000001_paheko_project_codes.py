"""envelopes' Paheko project codes as Paheko accepts them

Issue 28. Paheko takes project codes of capitals, digits and "_" only, and upper-cases what
is typed ("solidarite" became "SOLIDARITE" there, and the import naming "solidarite" was
refused whole). A code the treasurer set is rewritten as Paheko made it (upper-cased, an
accent or a space dropped or turned into "_"); an unset one stays unset: the default is
now made from the envelope's name (SOLIDARITE, LOISIRS), see
kiosk.services.paheko_accounts.project_code. No column changes.

Revision ID: i28a00000001
Revises: r18a00000001
Create Date: 2026-12-05 20:45:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = 'i28a00000001'
down_revision = 'r18a00000001'
branch_labels = None
depends_on = None

envelopes = sa.table('envelopes', sa.column('id', sa.Integer),
                     sa.column('project_code', sa.String(64)))


LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE", "ẞ": "SS"})


def paheko_code(value):
    """(kiosk.services.paheko_accounts.code_from_name, frozen here as it was.)"""
    upper = (value or "").upper().translate(LIGATURES)
    plain = unicodedata.normalize("NFKD", upper).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", plain.upper()).strip("_")[:64]


def upgrade():
    connection = op.get_bind()
    for envelope_id, code in connection.execute(
            sa.select(envelopes.c.id, envelopes.c.project_code)
            .where(envelopes.c.project_code.is_not(None))).all():
        fixed = paheko_code(code) or None
        if fixed != code:
            connection.execute(envelopes.update().where(envelopes.c.id == envelope_id)
                               .values(project_code=fixed))


def downgrade():
    # The codes stay as Paheko accepts them: the older kiosk exports them as they are, and
    # Paheko matches them; the lower-case ones it refused are not brought back.
    pass
