"""Properties over many generated cases (hypothesis): the change a sale gives, the
allocations a closing posts, and stock levels against their moves. Each holds for ANY
input the API accepts; what it refuses changes nothing. (The split itself, largest
remainder, is checked in test_money.py and test_closing.py.)"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.models import (
    CashSession,
    CashSessionClosure,
    Location,
    Product,
    StockLevel,
    StockMove,
)
from kiosk.sales.rules import PaymentRequest, settle
from kiosk.vocabulary import MAX_AMOUNT_CENTS
from tests.closing_helpers import open_session, sell

# more with `make fuzz` (KIOSK_FUZZ_EXAMPLES); deterministic either way
SCALE = max(int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "6")) // 6, 1)
DB_SETTINGS = settings(max_examples=12 * SCALE, deadline=None, derandomize=True,
                       database=None, suppress_health_check=list(HealthCheck))

payments = st.lists(st.builds(PaymentRequest, st.sampled_from(["cash", "cheque", "card"]),
                              st.integers(1, 200_000)), max_size=4)


@settings(max_examples=500 * SCALE, derandomize=True, database=None, deadline=None)
@given(total=st.integers(0, MAX_AMOUNT_CENTS), paid=payments)
def test_settling_gives_back_exactly_the_excess_and_only_in_cash(total, paid):
    handed = sum(p.amount_cents for p in paid)
    not_cash = sum(p.amount_cents for p in paid if p.method != "cash")
    try:
        settled, change = settle(total, paid)
    except InvalidInput as refused:
        assert handed < total or not_cash > total, refused.code
        return
    assert handed >= total and not_cash <= total
    assert change == handed - total
    assert sum(s.amount_cents for s in settled) == total  # the payments settle it exactly
    assert sum(s.change_cents for s in settled) == change
    for s in settled:
        assert s.tendered_cents == s.amount_cents + s.change_cents
        assert 0 <= s.change_cents <= s.tendered_cents
        assert s.change_cents == 0 or s.method == "cash"


cart = st.lists(st.tuples(st.sampled_from(["SAC-VILLE", "POCH-VILLE", "ETIQ-TGV", "SAC-IKEA"]),
                          st.integers(1, 3)), min_size=1, max_size=3)


@DB_SETTINGS
@given(sales=st.lists(st.tuples(cart, st.sampled_from(["cash", "cheque", "card"]),
                                st.integers(0, 2000)), min_size=1, max_size=4),
       counted_off=st.integers(-3000, 3000))
def test_a_closing_posts_exactly_what_was_handed_over(client, seller_headers, treasurer_headers,
                                                      sales, counted_off):
    session_id = open_session(client, seller_headers, counts={"1000": 3})
    card = cheques = 0
    for lines, method, extra in sales:
        body = [{"sku": sku, "qty": qty} for sku, qty in lines]
        prices = dict(db.session.execute(select(Product.sku, Product.price_cents)).all())
        due = sum(prices[sku] * qty for sku, qty in lines)
        amount = due + (extra if method == "cash" else 0)
        sold = sell(client, seller_headers, session_id, body,
                    [{"method": method, "amount_cents": amount}])
        assert sold.status_code == 201, sold.get_json()
        assert sold.get_json()["change_cents"] == amount - due
        card += due if method == "card" else 0
        cheques += due if method == "cheque" else 0
    preview = client.post(f"/api/v1/cash-sessions/{session_id}/close/preview",
                          headers=treasurer_headers, json={
                              "counted": {"1000": 3}, "cheques": [], "card_total_cents": card})
    expected = preview.get_json()["expected_cash_cents"]
    counted = max(expected + counted_off, 0)
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json={"counted": {"100": counted // 100, "1": counted % 100},
                               "cheques": [{"amount_cents": cheques}] if cheques else [],
                               "card_total_cents": card})
    assert closed.status_code == 200, closed.get_json()
    result = closed.get_json()
    assert result["difference_cents"] == counted - expected
    handed_over = result["revenue_cents"] + result.get("donations_cents", 0) \
        + result["difference_cents"]
    assert sum(result["allocations"].values()) == handed_over


moves = st.lists(st.tuples(
    st.sampled_from(["production", "transfer", "count", "gift", "loss"]),
    st.sampled_from(["SAC-VILLE", "ETIQ-TGV"]), st.integers(0, 40),
    st.sampled_from([None, "atelier", "ikea", "musee"]),
    st.sampled_from([None, "atelier", "ikea", "musee"])), min_size=1, max_size=6)


@DB_SETTINGS
@given(asked=moves, sold=st.integers(0, 3))
def test_stock_levels_are_always_the_sum_of_their_moves(client, seller_headers, admin_headers,
                                                        runner, asked, sold):
    for reason, sku, qty, to, frm in asked:
        body = {"sku": sku, "qty": qty, "reason": reason, "note": "propriété"}
        if to:
            body["to_location"] = to
        if frm:
            body["from_location"] = frm
        answer = client.post("/api/v1/stock/moves", headers=admin_headers, json=body)
        assert answer.status_code in (201, 400, 404, 409), answer.get_json()
    if sold:
        db.session.rollback()
        session_id = db.session.scalar(select(CashSession.id).outerjoin(
            CashSessionClosure, CashSessionClosure.cash_session_id == CashSession.id)
            .where(CashSessionClosure.id.is_(None))) or open_session(client, seller_headers,
                                                                     counts={})
        assert sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": sold}],
                    [{"method": "card", "amount_cents": 400 * sold}]).status_code == 201
    db.session.rollback()
    sums = dict(((p, loc), int(q)) for p, loc, q in db.session.execute(
        select(StockMove.product_id, StockMove.location_id, func.sum(StockMove.qty))
        .group_by(StockMove.product_id, StockMove.location_id)))
    levels = {(lvl.product_id, lvl.location_id): lvl.qty
              for lvl in db.session.scalars(select(StockLevel))}
    assert {k: v for k, v in levels.items() if v} == {k: v for k, v in sums.items() if v}
    codes = dict(db.session.execute(select(Location.id, Location.code)).all())
    skus = dict(db.session.execute(select(Product.id, Product.sku)).all())
    for location_id, code in codes.items():
        listed = client.get(f"/api/v1/stock?location={code}", headers=seller_headers).get_json()
        shown = {row["sku"]: row["qty"] for row in listed if row["qty"]}
        assert shown == {skus[p]: q for (p, loc), q in sums.items() if loc == location_id and q}
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
