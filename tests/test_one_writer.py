"""One way into the ledger: every journaled row (money, stock, drawers, envelopes, the
group's decisions, gift receipts) is written by kiosk.ledger.write's one writer, never by
the ORM nor by a statement of its own (docs/architecture.md, "One way in")."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.ledger import journal, write
from kiosk.models import CashSession, Envelope, SplitRule
from kiosk.sales import (
    LineRequest,
    PaymentRequest,
    StatementLine,
    gift_receipt_issuing,
    record,
    undo,
)
from kiosk.sales.consignment import record_statement
from kiosk.services import cash, closing, envelopes, stock
from kiosk.services.closing import ChequeIn
from tests.one_writer import watching

TREASURER = 1  # the demo's admin


def run(call, *args, **kwargs):
    with write_transaction(db.session):
        return call(db.session, *args, **kwargs)


def test_every_journaled_event_goes_through_the_one_writer(demo):
    with watching() as seen:
        drawer = run(cash.open_cash_session, "Vente IKEA", "ikea", {1000: 2, 200: 5},
                     TREASURER)
        sold = run(record.record_sale, client_id=str(uuid.uuid4()), cash_session_id=drawer.id,
                   lines=[LineRequest("SAC-VILLE", 2)], payments=[PaymentRequest("cash", 5000)],
                   user_id=TREASURER, donation_cents=500).sale
        other = run(record.record_sale, client_id=str(uuid.uuid4()),
                    cash_session_id=drawer.id, lines=[LineRequest("POCH-VILLE", 1)],
                    payments=[PaymentRequest("cheque", 750)], user_id=TREASURER).sale
        run(gift_receipt_issuing.issue_gift_receipt, sold.id, "Jeanne Martin",
            "1 rue des Tanneurs, 21000 Dijon", TREASURER, enabled=True)
        run(undo.refund_sale, other.id, "Couture défaite", None, TREASURER)
        last = run(record.record_sale, client_id=str(uuid.uuid4()),
                   cash_session_id=drawer.id, lines=[LineRequest("ETIQ-TGV", 1)],
                   payments=[PaymentRequest("card", 400)], user_id=TREASURER).sale
        run(undo.void_sale, last.id, "Mauvais article", TREASURER)
        run(closing.close_cash_session, drawer.id, {5000: 1, 1000: 2},
            [ChequeIn(750, "J. Martin")], 0, TREASURER)
        run(envelopes.decide_split, {"solidarite": 1, "loisirs": 2}, date(2026, 1, 1),
            "décidé en réunion (test)", TREASURER)
        run(envelopes.decide_donations, "solidarite", date(2026, 1, 1),
            "décidé en réunion (test)", TREASURER)
        run(envelopes.spend, "solidarite", 1200, "Repas de Noël", date(2026, 12, 20),
            confirm=True, user_id=TREASURER, charge_account="6257", paid_from="cash")
        run(envelopes.transfer, "loisirs", "solidarite", 100, "Décidé", date(2026, 12, 20),
            confirm=True, user_id=TREASURER)
        run(envelopes.post_takings, 1000, date(2026, 12, 20), "Recette d'un jour",
            user_id=TREASURER)
        run(stock.produce, "POCH-TGV", 5, TREASURER, lot_code="SNCF-2011")
        run(stock.transfer, "POCH-TGV", 3, "atelier", "ikea", TREASURER)
        run(record_statement, "musee", "mai 2026", [StatementLine("SAC-IKEA", 1)], TREASURER)
    assert seen.elsewhere == []
    assert seen.by_the_writer >= {
        "cash_sessions", "cash_count_lines", "cash_session_closures", "cheques", "sales",
        "sale_lines", "payments", "stock_moves", "envelope_entries", "split_rules",
        "split_rule_parts", "donation_rules", "envelope_spend_accounts", "gift_receipts",
        "consignment_statements", "journal_entries"}
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


def test_the_watch_sees_a_row_written_by_the_orm(demo):
    """The test above would pass on a watch that sees nothing: this one may not."""
    with watching() as seen, pytest.raises(RuntimeError), write_transaction(db.session):
        db.session.add(SplitRule(effective_from=date(2026, 1, 1), decision="by hand"))
        db.session.flush()
        raise RuntimeError("rolled back")
    assert [table for table, _statement in seen.elsewhere] == ["split_rules"]


def test_the_one_writer_lives_in_the_ledger_and_nowhere_else():
    """kiosk/ledger/ holds the writer, its rows and the journal; their old homes are gone,
    not left behind as a second door (a re-export) into them."""
    assert write.record_event.__module__ == "kiosk.ledger.write"
    assert journal.lock_head.__module__ == "kiosk.ledger.journal"
    for old in ("kiosk.sales.write", "kiosk.sales.rows", "kiosk.sales.numbering",
                "kiosk.services.journal", "kiosk.services.money"):
        assert importlib.util.find_spec(old) is None, old


def test_the_orm_path_into_the_journal_is_gone():
    for name in ("append", "append_digests", "set_head"):
        assert not hasattr(journal, name), name


def test_what_the_services_return_is_what_was_written(demo):
    """The services keep their signatures: they still answer with the ORM objects, read
    back from the rows the writer wrote."""
    drawer = run(cash.open_cash_session, "Vente IKEA", "ikea", {1000: 2}, TREASURER)
    assert isinstance(drawer, CashSession) and drawer.float_cents == 2000 and drawer.is_open
    assert drawer.opened_at.tzinfo is not None
    rule = run(envelopes.decide_split, {"solidarite": 1, "loisirs": 2}, date(2026, 1, 1),
               "décidé en réunion (test)", TREASURER)
    assert sorted(part.weight for part in rule.parts) == [1, 2]
    out, into = run(envelopes.transfer, "solidarite", "loisirs", 300, "x", date(2026, 1, 2),
                    confirm=True, user_id=TREASURER)
    assert (out.amount_cents, into.amount_cents) == (-300, 300)
    assert out.group_ref == into.group_ref is not None
    codes = dict(db.session.execute(select(Envelope.id, Envelope.code)).all())
    assert (codes[out.envelope_id], codes[into.envelope_id]) == ("solidarite", "loisirs")
    assert journal.verify(db.session).ok
