"""batch.write_event: the rows it writes are the rows the journal digests, whole."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.database import utcnow, write_transaction
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.ledger import write as batch
from kiosk.models import Payment


def test_a_row_missing_a_column_is_refused_before_anything_is_written(app):
    """A column left out would be filled by a default the digest never saw (or a NULL on
    PostgreSQL): the whole event is refused, the chain does not move."""
    head_before = journal.head(db.session)
    complete = {"id": 1, "sale_id": 1, "method": "cash", "amount_cents": 100,
                "tendered_cents": 100, "change_cents": 0, "cheque_number": ""}
    missing = {key: value for key, value in complete.items() if key != "cheque_number"}
    with pytest.raises(ValueError, match="cheque_number"), write_transaction(db.session):
        head = journal.lock_head(db.session)
        entry = journal.next_entry(head, "test", "x", [], None, utcnow())
        batch.write_event(db.session.connection(), head,
                          [(Payment.__table__, [complete, missing])], {}, entry)
    assert journal.head(db.session) == head_before


def test_times_go_to_postgresql_as_utc_and_never_naive():
    aware = datetime.fromisoformat("2026-11-24T17:05:00.000123+01:00")
    assert batch._json([{"at": aware}]) == '[{"at":"2026-11-24T16:05:00.000123"}]'
    with pytest.raises(ValueError, match="naive"):
        batch._json([{"at": datetime(2026, 11, 24, 16, 5)}])


def test_ids_follow_the_largest_or_come_drawn():
    assert batch.ids_from(41, 3) == [42, 43, 44]  # SQLite: max(id) under the write lock
    assert batch.ids_from([7, 9], 2) == [7, 9]  # PostgreSQL: drawn from the sequence
    assert batch.ids_from(None, 0) == []  # PostgreSQL draws nothing for no row
