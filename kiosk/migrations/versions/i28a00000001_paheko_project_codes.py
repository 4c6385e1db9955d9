"""envelopes' Paheko project codes as Paheko accepts them

Issue 28. Paheko takes project codes of capitals, digits and "_" only, and upper-cases what
is typed ("solidarite" became "SOLIDARITE" there, and the import naming "solidarite" was
refused whole). A code the treasurer set is rewritten as Paheko made it (upper-cased, an
accent or a space dropped or turned into "_"); an unset one stays unset: the default is
now made from the envelope's name (SOLIDARITE, LOISIRS), see
kiosk.services.paheko_accounts.project_code. No column changes.

A paid invoice's shares now reach Paheko's projects by an entry of their own
("repartition-facture-N"); an invoice an earlier kiosk exported once paid carried them on
its own rows: that entry is remembered as exported with it, so it is not written again.

Revision ID: i28a00000001
Revises: i27a00000001
Create Date: 2026-12-05 20:45:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

import kiosk.database


revision = 'i28a00000001'
down_revision = 'i27a00000001'
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


export_entries = sa.table(
    'export_entries', sa.column('id', sa.Integer), sa.column('export_id', sa.Integer),
    sa.column('ref', sa.String(64)), sa.column('piece', sa.String(64)),
    sa.column('state', sa.String(16)), sa.column('created_at', kiosk.database.UTCDateTime()))
invoices = sa.table('invoices', sa.column('id', sa.Integer), sa.column('number', sa.String(16)))
envelope_entries = sa.table(
    'envelope_entries', sa.column('kind', sa.String(16)), sa.column('receipt_ref', sa.String),
    sa.column('created_at', kiosk.database.UTCDateTime()))


def upgrade():
    connection = op.get_bind()
    paid = {}  # invoice id → when its shares reached the envelopes
    for invoice_id, moment in connection.execute(
            sa.select(invoices.c.id, envelope_entries.c.created_at)
            .join(envelope_entries, envelope_entries.c.receipt_ref == invoices.c.number)
            .where(envelope_entries.c.kind == 'order')):
        paid[invoice_id] = min(paid.get(invoice_id, moment), moment)
    done = set(connection.scalars(sa.select(export_entries.c.ref).where(
        export_entries.c.state == 'exported')))
    for export_id, ref, piece, moment in connection.execute(
            sa.select(export_entries.c.export_id, export_entries.c.ref,
                      export_entries.c.piece, export_entries.c.created_at)
            .where(export_entries.c.state == 'exported',
                   export_entries.c.ref.like('facture-%'))).all():
        invoice_id = int(ref.split('-', 1)[1])
        shares = f'repartition-facture-{invoice_id}'
        if invoice_id in paid and paid[invoice_id] <= moment and shares not in done:
            connection.execute(export_entries.insert().values(
                export_id=export_id, ref=shares, piece=piece, state='exported',
                created_at=moment))
            done.add(shares)
    for envelope_id, code in connection.execute(
            sa.select(envelopes.c.id, envelopes.c.project_code)
            .where(envelopes.c.project_code.is_not(None))).all():
        fixed = paheko_code(code) or None
        if fixed != code:
            connection.execute(envelopes.update().where(envelopes.c.id == envelope_id)
                               .values(project_code=fixed))


def downgrade():
    op.execute(export_entries.delete().where(
        export_entries.c.ref.like('repartition-facture-%')))
    # The codes stay as Paheko accepts them: the older kiosk exports them as they are, and
    # Paheko matches them; the lower-case ones it refused are not brought back.
    pass
