"""journal.lock_head locks the head of the chain inside a write transaction, and refuses
anywhere else: a transaction it opened itself would lock nothing on SQLite (a plain BEGIN
takes no write lock), and two writers could take the same number."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kiosk.database import begin_write, real_session, write_transaction
from kiosk.extensions import db
from kiosk.ledger import journal


def test_outside_any_transaction_it_refuses_and_opens_none(app):
    db.session.rollback()
    with pytest.raises(journal.NotInWriteTransaction):
        journal.lock_head(db.session)
    assert not real_session(db.session).in_transaction()


def test_in_a_read_transaction_it_refuses(app):
    db.session.rollback()
    db.session.execute(text("SELECT 1"))  # a plain BEGIN: no write lock on SQLite
    with pytest.raises(journal.NotInWriteTransaction):
        journal.lock_head(db.session)
    db.session.rollback()


def test_in_a_write_transaction_it_locks_and_after_the_commit_it_refuses_again(app):
    with write_transaction(db.session):
        head = journal.lock_head(db.session)
        assert journal.lock_head(db.session) is head  # held for the whole transaction
        assert (head.seq, head.hash) == journal.head(db.session)
    with pytest.raises(journal.NotInWriteTransaction):
        journal.lock_head(db.session)
    db.session.rollback()


def test_a_transaction_begun_for_writing_locks(app):
    db.session.rollback()
    begin_write(db.session)
    assert journal.lock_head(db.session).seq == 0
    db.session.rollback()
    with pytest.raises(journal.NotInWriteTransaction):
        journal.lock_head(db.session)
