"""Closing a day: expected vs counted cash, the closure, the envelopes, read-only after."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kiosk.database import begin_write
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    CashCountLine,
    CashSessionClosure,
    Cheque,
    Envelope,
    EnvelopeEntry,
    JournalEntry,
    SplitRule,
)
from kiosk.services.closing import difference_in_words
from kiosk.services.envelopes import decide_split, post_takings
from tests.closing_helpers import (
    EXPECTED_CASH,
    REVENUE,
    close_body,
    expected_cash,
    open_session,
    sales_day,
    sell,
)


def counts_of_rows():
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (CashSessionClosure, CashCountLine, Cheque, EnvelopeEntry,
                               JournalEntry))


def balances(client, headers):
    return {e["code"]: e["balance_cents"]
            for e in client.get("/api/v1/envelopes", headers=headers).get_json()}


def test_closing_a_day_with_a_one_euro_shortfall(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    assert expected_cash(db.session, session_id) == EXPECTED_CASH == 6600

    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=close_body())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["expected_cash_cents"] == 6600
    assert body["counted_cash_cents"] == 6500
    assert body["difference_cents"] == -100
    assert body["difference_text"] == difference_in_words(-100)
    assert body["revenue_cents"] == REVENUE == 4750
    assert body["cheque_total_cents"] == body["cheque_expected_cents"] == 750
    assert body["card_total_cents"] == body["card_expected_cents"] == 400
    assert body["allocations"] == {"solidarite": 2325, "loisirs": 2325}
    assert sum(body["allocations"].values()) == body["revenue_cents"] + body["difference_cents"]
    assert body["status"] == "closed"
    assert balances(client, treasurer_headers) == {"solidarite": 2325, "loisirs": 2325}

    closure = db.session.scalar(select(CashSessionClosure))
    assert (closure.expected_cash_cents, closure.counted_cash_cents, closure.difference_cents,
            closure.revenue_cents) == (6600, 6500, -100, 4750)
    assert closure.split_rule_id == db.session.scalar(select(SplitRule.id))
    # the count, the cheque, the closure and the postings: ONE journal entry
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.event == "cash_close"))
    tables = sorted({table for table, _id, _digest in json.loads(entry.rows)})
    assert tables == ["cash_count_lines", "cash_session_closures", "cheques",
                      "envelope_entries"]
    assert closure.journal_hash == entry.prev_hash
    assert journal.verify(db.session).ok
    shown = client.get(f"/api/v1/cash-sessions/{session_id}", headers=treasurer_headers)
    assert shown.get_json()["status"] == "closed"


def test_words_for_the_difference():
    assert difference_in_words(-100).replace("\u202f", " ").replace("\u00a0", " ") == (
        "il manque 1,00 €")
    assert difference_in_words(200).replace("\u202f", " ").replace("\u00a0", " ") == (
        "il y a 2,00 € de trop")
    assert difference_in_words(0) == "le compte est bon"


def test_preview_saves_nothing(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    before = counts_of_rows()
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close/preview",
                           headers=treasurer_headers,
                           json=close_body(counted={"5000": 1, "1000": 1, "200": 3}))
    assert response.status_code == 200
    assert response.get_json()["difference_cents"] == 0
    assert response.get_json()["difference_text"] == "le compte est bon"
    assert counts_of_rows() == before


def test_a_closed_session_is_read_only(client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    last = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).get_json()
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json=close_body(
                             counted={"1000": 2, "200": 7}, cheques=[], card=0))
    assert closed.status_code == 200 and closed.get_json()["difference_cents"] == 0
    before = counts_of_rows()

    again = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                        headers=treasurer_headers, json=close_body())
    assert again.status_code == 409 and again.get_json()["error"] == "session_closed"
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}])
    assert sale.status_code == 409
    void = client.post(f"/api/v1/sales/{last['id']}/void", headers=seller_headers,
                       json={"reason": "trop tard"})
    assert void.status_code == 409
    preview = client.post(f"/api/v1/cash-sessions/{session_id}/close/preview",
                          headers=treasurer_headers, json=close_body())
    assert preview.status_code == 409
    assert counts_of_rows() == before


def test_unknown_session_and_roles(client, seller_headers, treasurer_headers):
    assert client.post("/api/v1/cash-sessions/999/close", headers=treasurer_headers,
                       json=close_body()).status_code == 404
    session_id = open_session(client, seller_headers)
    before = counts_of_rows()
    refused = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=seller_headers,
                          json=close_body())
    assert refused.status_code == 403
    assert counts_of_rows() == before


@pytest.mark.parametrize("body", [
    {"counted": {"300": 1}},
    {"counted": {"100": -1}},
    {"counted": {"100": "2"}},
    {"counted": {"100": 1}, "card_total_cents": -5},
    {"counted": {"100": 1}, "card_total_cents": 12.5},
    {"counted": {"100": 1}, "cheques": [{"amount_cents": 0}]},
    {"counted": {"100": 1}, "cheques": [{"amount_cents": "750"}]},
    {"counted": {"100": 1}, "cheques": [{"amount_cents": 750, "drawer": "x" * 121}]},
    {"counted": {"100": 1}, "cheques": [{"amount_cents": 750, "drawer": "a\u0000b"}]},
    {"counted": {"100": 1}, "extra": True},
    {"cheques": []},
])
def test_bad_closing_bodies_change_nothing(client, seller_headers, treasurer_headers, body):
    session_id = open_session(client, seller_headers)
    before = counts_of_rows()
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["message"]
    assert counts_of_rows() == before


def test_no_split_rule_means_no_close(client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    db.session.rollback()
    # Make the only rule start after today: nothing is in force for the session's day.
    with db.session.begin():
        rule = db.session.scalar(select(SplitRule))
        rule.effective_from = date(2999, 1, 1)  # (behind the app's back: test set-up only)
    before = counts_of_rows()
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=close_body(cheques=[], card=0))
    assert response.status_code == 400 and response.get_json()["error"] == "no_split_rule"
    assert counts_of_rows() == before


# -- postings: any amount, any rule ----------------------------------------------------------

rules = st.lists(st.integers(0, 1000), min_size=1, max_size=5).filter(lambda w: sum(w) > 0)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.integers(-10_000_000, 10_000_000), weights=rules)
def test_postings_add_up_exactly_for_any_amount_and_rule(demo, amount, weights):
    session = db.session
    session.rollback()
    begin_write(session)  # rolled back below: a write transaction that saves nothing
    try:
        codes = []
        for i, _w in enumerate(weights):
            envelope = Envelope(code=f"prop{i}", name=f"Enveloppe {i}")
            session.add(envelope)
            codes.append(envelope.code)
        session.flush()
        decide_split(session, dict(zip(codes, weights, strict=True)), date(2030, 1, 1),
                     "décidé en réunion (test)", None)
        rows: list = []
        entries = post_takings(session, amount, date(2030, 6, 1), "test", journal_rows=rows)
        assert sum(e.amount_cents for e in entries) == amount
        assert rows == entries
        ids = {e.id: w for e, w in zip(
            session.scalars(select(Envelope).where(Envelope.code.in_(codes))
                            .order_by(Envelope.id)), weights, strict=True)}
        total = sum(weights)
        for entry in entries:
            exact = amount * ids[entry.envelope_id] / total
            assert abs(entry.amount_cents - exact) < 1  # never a cent more than its share
        assert all(e.amount_cents != 0 for e in entries)
    finally:
        session.rollback()


# -- envelopes: spend and transfer ------------------------------------------------------------

def test_spend_below_zero_needs_confirmation(client, treasurer_headers, seller_headers):
    before = counts_of_rows()
    refused = client.post("/api/v1/envelopes/solidarite/spend", headers=treasurer_headers,
                          json={"amount_cents": 1200, "label": "Repas de Noël"})
    assert refused.status_code == 409
    assert "-12,00" in refused.get_json()["message"].replace("\u202f", " ")
    assert counts_of_rows() == before
    assert client.post("/api/v1/envelopes/solidarite/spend", headers=seller_headers,
                       json={"amount_cents": 1200, "label": "x"}).status_code == 403
    done = client.post("/api/v1/envelopes/solidarite/spend", headers=treasurer_headers,
                       json={"amount_cents": 1200, "label": "Repas de Noël", "confirm": True,
                             "receipt_ref": "Facture 12", "entry_date": "2026-12-20"})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["balance_cents"] == -1200
    assert balances(client, treasurer_headers) == {"solidarite": -1200, "loisirs": 0}
    ledger = client.get("/api/v1/envelopes/solidarite/entries", headers=treasurer_headers)
    [row] = ledger.get_json()
    assert (row["kind"], row["receipt_ref"], row["date"]) == ("spend", "Facture 12",
                                                              "2026-12-20")
    assert journal.verify(db.session).ok


def test_transfer_between_envelopes(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                json=close_body())
    moved = client.post("/api/v1/envelopes/transfer", headers=treasurer_headers, json={
        "from": "loisirs", "to": "solidarite", "amount_cents": 325,
        "label": "Décidé en réunion du 12 mai"})
    assert moved.status_code == 201, moved.get_json()
    assert balances(client, treasurer_headers) == {"solidarite": 2650, "loisirs": 2000}
    too_much = client.post("/api/v1/envelopes/transfer", headers=treasurer_headers, json={
        "from": "loisirs", "to": "solidarite", "amount_cents": 5000, "label": "x"})
    assert too_much.status_code == 409
    assert balances(client, treasurer_headers) == {"solidarite": 2650, "loisirs": 2000}


@pytest.mark.parametrize("path, body, status", [
    ("/api/v1/envelopes/solidarite/spend", {"amount_cents": 0, "label": "x"}, 400),
    ("/api/v1/envelopes/solidarite/spend", {"amount_cents": "12", "label": "x"}, 400),
    ("/api/v1/envelopes/solidarite/spend", {"amount_cents": 12, "label": ""}, 400),
    ("/api/v1/envelopes/solidarite/spend", {"amount_cents": 12}, 400),
    ("/api/v1/envelopes/solidarite/spend", {"amount_cents": 12, "label": "x",
                                            "confirm": "yes"}, 400),
    ("/api/v1/envelopes/nulle/spend", {"amount_cents": 12, "label": "x", "confirm": True}, 404),
    ("/api/v1/envelopes/transfer", {"from": "loisirs", "to": "loisirs", "amount_cents": 1,
                                    "label": "x", "confirm": True}, 400),
    ("/api/v1/envelopes/transfer", {"from": "loisirs", "to": "nulle", "amount_cents": 1,
                                    "label": "x", "confirm": True}, 404),
    ("/api/v1/envelopes/transfer", {"from_": "loisirs", "to": "solidarite",
                                    "amount_cents": 1, "label": "x"}, 400),
])
def test_bad_envelope_requests_change_nothing(client, treasurer_headers, path, body, status):
    before = counts_of_rows()
    response = client.post(path, headers=treasurer_headers, json=body)
    assert response.status_code == status, response.get_json()
    assert counts_of_rows() == before


def test_a_new_split_decision_applies_from_its_date(client, treasurer_headers):
    response = client.post("/api/v1/split-rules", headers=treasurer_headers, json={
        "weights": {"solidarite": 3, "loisirs": 1}, "effective_from": "2026-05-13",
        "decision": "Décidé en réunion du 12 mai"})
    assert response.status_code == 201, response.get_json()
    history = client.get("/api/v1/split-rules", headers=treasurer_headers).get_json()
    assert [r["weights"] for r in history] == [{"solidarite": 3, "loisirs": 1},
                                               {"solidarite": 1, "loisirs": 1}]
    bad = client.post("/api/v1/split-rules", headers=treasurer_headers, json={
        "weights": {"solidarite": 0}, "effective_from": "2026-05-13", "decision": "x"})
    assert bad.status_code == 400
    assert journal.verify(db.session).ok
