"""Recording sales through the API: totals, change, idempotency, voids, refunds, numbers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import Sale, StockLevel, StockMove
from kiosk.services.stock import level


def open_session(client, headers, location="ikea", counts=None):
    response = client.post("/api/v1/cash-sessions", headers=headers, json={
        "name": "Vente IKEA", "location": location,
        "opening_float": counts if counts is not None else {"1000": 2, "200": 5}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sell(client, headers, session_id, lines, payments, client_id=None):
    return client.post("/api/v1/sales", headers=headers, json={
        "client_id": client_id or str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": lines, "payments": payments})


def ikea_level(sku):
    from kiosk.models import Location, Product

    product = db.session.scalar(select(Product).where(Product.sku == sku))
    location = db.session.scalar(select(Location).where(Location.code == "ikea"))
    return level(db.session, product.id, location.id)


def test_open_session_counts_the_float(client, seller_headers):
    session_id = open_session(client, seller_headers)
    shown = client.get(f"/api/v1/cash-sessions/{session_id}", headers=seller_headers)
    assert shown.get_json()["float_cents"] == 3000
    assert shown.get_json()["status"] == "open"
    again = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Deuxième", "location": "ikea", "opening_float": {}})
    assert again.status_code == 409  # two tablets sell into the same open session


@pytest.mark.parametrize("body", [
    {"name": "x", "location": "ikea", "opening_float": {"300": 1}},
    {"name": "x", "location": "ikea", "opening_float": {"100": -1}},
    {"name": "x", "location": "ikea", "opening_float": {"100": 10000}},
    {"name": "x", "location": "ikea", "opening_float": {"100": "2"}},
    {"name": "", "location": "ikea", "opening_float": {}},
    {"name": "x", "location": "musee", "opening_float": {}},
])
def test_bad_openings_are_refused(client, seller_headers, body):
    response = client.post("/api/v1/cash-sessions", headers=seller_headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert client.get("/api/v1/cash-sessions", headers=seller_headers).get_json() == []


def test_unknown_location_is_404(client, seller_headers):
    response = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "x", "location": "lune", "opening_float": {}})
    assert response.status_code == 404


def test_a_cash_sale_gives_change_and_moves_stock(client, seller_headers):
    session_id = open_session(client, seller_headers)
    before = ikea_level("POCH-TGV")
    response = sell(client, seller_headers, session_id,
                    [{"sku": "POCH-TGV", "qty": 2}, {"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 2000}])
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    assert sale["total_cents"] == 2000 and sale["change_cents"] == 0
    response = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 2000}])
    assert response.get_json()["change_cents"] == 1600
    assert response.get_json()["receipt"] == {"status": "none"}
    assert ikea_level("POCH-TGV") == before - 2
    assert journal.verify(db.session).ok


def test_numbers_run_per_year_in_order(client, seller_headers):
    session_id = open_session(client, seller_headers)
    numbers = [sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "card", "amount_cents": 400}]).get_json()["number"]
               for _ in range(3)]
    year = numbers[0][:4]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]


def test_same_client_id_never_sells_twice(client, seller_headers):
    session_id = open_session(client, seller_headers)
    client_id = str(uuid.uuid4())
    lines, payments = [{"sku": "SAC-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": 2000}]
    first = sell(client, seller_headers, session_id, lines, payments, client_id)
    again = sell(client, seller_headers, session_id, lines, payments, client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    other = sell(client, seller_headers, session_id, [{"sku": "SAC-IKEA", "qty": 2}],
                 [{"method": "cash", "amount_cents": 5000}], client_id)
    assert other.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1


@pytest.mark.parametrize("lines, payments, status", [
    ([{"sku": "SAC-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": 1000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1}], [{"method": "cheque", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1}], [{"method": "card", "amount_cents": 1600}], 400),
    ([{"sku": "NOPE", "qty": 1}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": -1}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 0}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1000}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": "1"}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1.5}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": True}], [{"method": "cash", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": "2000"}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1}], [{"method": "bitcoin", "amount_cents": 2000}], 400),
    ([{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": 1_000_001}],
     [{"method": "cash", "amount_cents": 2000}], 400),
    ([], [{"method": "cash", "amount_cents": 2000}], 400),
])
def test_bad_sales_change_nothing(client, seller_headers, lines, payments, status):
    session_id = open_session(client, seller_headers)
    head = journal.head(db.session)
    stock = db.session.scalar(select(func.sum(StockLevel.qty)))
    response = sell(client, seller_headers, session_id, lines, payments)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert journal.head(db.session) == head
    assert db.session.scalar(select(func.sum(StockLevel.qty))) == stock


def test_sale_into_unknown_or_closed_session(client, seller_headers):
    lines, payments = [{"sku": "SAC-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": 2000}]
    assert sell(client, seller_headers, 999, lines, payments).status_code == 404
    session_id = open_session(client, seller_headers)
    from kiosk.database import write_transaction
    from kiosk.models import CashSessionClosure

    with write_transaction(db.session):
        db.session.add(CashSessionClosure(
            cash_session_id=session_id, closed_by=1, expected_cash_cents=0,
            counted_cash_cents=0, difference_cents=0, revenue_cents=0, cheque_total_cents=0,
            card_total_cents=0))
    assert sell(client, seller_headers, session_id, lines, payments).status_code == 409


def test_stock_may_go_negative_but_the_sale_goes_through(client, seller_headers):
    session_id = open_session(client, seller_headers)
    before = ikea_level("LINGE-IKEA")
    response = sell(client, seller_headers, session_id, [{"sku": "LINGE-IKEA", "qty": 12}],
                    [{"method": "cash", "amount_cents": 20000}])
    assert response.status_code == 201
    assert ikea_level("LINGE-IKEA") == before - 12 < 0


def test_seller_voids_her_own_last_sale_once(client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    first = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                 [{"method": "cash", "amount_cents": 1400}]).get_json()
    last = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}]).get_json()
    before = ikea_level("TAB-IKEA")
    not_last = client.post(f"/api/v1/sales/{first['id']}/void", headers=seller_headers,
                           json={"reason": "Erreur de saisie"})
    assert not_last.status_code == 409
    voided = client.post(f"/api/v1/sales/{last['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur de saisie"})
    assert voided.status_code == 201
    void = voided.get_json()
    assert void["kind"] == "void" and void["total_cents"] == -1400
    assert void["payments"][0]["amount_cents"] == -1400
    assert ikea_level("TAB-IKEA") == before + 1
    twice = client.post(f"/api/v1/sales/{last['id']}/void", headers=seller_headers,
                        json={"reason": "Erreur de saisie"})
    assert twice.status_code == 200 and twice.get_json()["id"] == void["id"]
    shown = client.get(f"/api/v1/sales/{last['id']}", headers=seller_headers).get_json()
    assert shown["refunded_by"] == [void["id"]]
    other_seller = client.post(f"/api/v1/sales/{first['id']}/void", headers=treasurer_headers,
                               json={"reason": "x"})
    assert other_seller.status_code == 409
    assert journal.verify(db.session).ok


def test_treasurer_refunds_some_lines_then_the_rest(client, seller_headers,
                                                    treasurer_headers):
    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id,
                [{"sku": "POCH-TGV", "qty": 3}, {"sku": "SAC-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 5000}]).get_json()
    url = f"/api/v1/sales/{sale['id']}/refund"
    assert client.post(url, headers=seller_headers, json={"reason": "x"}).status_code == 403
    assert client.post(url, headers=treasurer_headers, json={}).status_code == 400
    part = client.post(url, headers=treasurer_headers, json={
        "reason": "Couture défaite", "lines": [{"sku": "POCH-TGV", "qty": 2}]})
    assert part.status_code == 201 and part.get_json()["total_cents"] == -1600
    too_many = client.post(url, headers=treasurer_headers, json={
        "reason": "x", "lines": [{"sku": "POCH-TGV", "qty": 2}]})
    assert too_many.status_code == 409
    rest = client.post(url, headers=treasurer_headers, json={"reason": "Changé d'avis"})
    assert rest.get_json()["total_cents"] == -(800 + 1500)
    assert client.post(url, headers=treasurer_headers, json={"reason": "x"}).status_code == 409
    listed = client.get(f"/api/v1/sales?cash_session_id={session_id}",
                        headers=seller_headers).get_json()
    assert [s["kind"] for s in listed] == ["sale", "refund", "refund"]
    assert sum(s["total_cents"] for s in listed) == 0
    moves = db.session.scalar(select(func.sum(StockMove.qty)).where(
        StockMove.sale_id.in_([s["id"] for s in listed])))
    assert moves == 0
    assert journal.verify(db.session).ok


def test_list_needs_a_session_id(client, seller_headers):
    assert client.get("/api/v1/sales", headers=seller_headers).status_code == 400
    assert client.get("/api/v1/sales?cash_session_id=abc",
                      headers=seller_headers).status_code == 400
    assert client.get("/api/v1/sales?cash_session_id=5",
                      headers=seller_headers).status_code == 404


def test_service_errors_speak_the_volunteers_language(client, seller_headers):
    session_id = open_session(client, seller_headers)
    body = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": "NOPE", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 100}]}
    french = client.post("/api/v1/sales", headers=seller_headers, json=body).get_json()
    assert french["message"].startswith("Article inconnu : NOPE.")
    english = client.post("/api/v1/sales?lang=en", headers=seller_headers,
                          json=body).get_json()
    assert english["message"].startswith("Unknown item: NOPE.")


def test_a_sale_is_a_handful_of_statements_whatever_the_database(client, seller_headers):
    """The sale path's shape, which bench/ times: after the login, the head lock and one
    query that says everything, the rows go in with ONE statement on PostgreSQL (each
    statement is a round trip there) and one per table on SQLite. A statement added to
    the path shows up here before it shows up at the stall."""
    from sqlalchemy import event

    session_id = open_session(client, seller_headers)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = sell(client, seller_headers, session_id,
                        [{"sku": "SAC-IKEA", "qty": 1}, {"sku": "ETIQ-TGV", "qty": 2},
                         {"sku": "POCH-TGV", "qty": 1}],
                        [{"method": "cash", "amount_cents": 5000}])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 201, response.get_json()
    if db.engine.dialect.name == "postgresql":
        # the volunteer, the head lock, the context, then the WITH … UPDATE of every row
        assert statements == ["SELECT", "SELECT", "SELECT", "WITH"], statements
    else:
        # BEGIN IMMEDIATE, the volunteer, the context with the head (BEGIN IMMEDIATE holds
        # the lock: its own SELECT is gone), then one per table: sales, lines, payments,
        # moves, levels, the day's totals, journal entry, head
        assert statements == ["BEGIN", "SELECT", "SELECT", *["INSERT"] * 7,
                              "UPDATE"], statements
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


def test_a_number_cannot_be_given_twice(client, seller_headers):
    """The unique (year, seq) index refuses a repeated number whatever the code does."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).get_json()
    row = db.session.execute(select(Sale.__table__).where(Sale.id == sold["id"])).one()
    twin = {**row._asdict(), "id": sold["id"] + 1000, "number": "x",
            "client_id": str(uuid.uuid4())}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Sale.__table__), twin)
    db.session.rollback()


def test_a_sale_returns_what_was_written(client, seller_headers, treasurer_headers):
    """The answer is built from the rows inserted, not reloaded: it must be what a later
    read of the same sale gives. (A price of her own: the treasurer sells.)"""
    session_id = open_session(client, seller_headers)
    sold = sell(client, treasurer_headers, session_id,
                [{"sku": "SAC-IKEA", "qty": 2}, {"sku": "ETIQ-TGV", "qty": 1,
                                                  "unit_price_cents": 350}],
                [{"method": "card", "amount_cents": 1000}, {"method": "cash",
                                                            "amount_cents": 5000}])
    assert sold.status_code == 201, sold.get_json()
    created = sold.get_json()
    shown = client.get(f"/api/v1/sales/{created['id']}", headers=treasurer_headers).get_json()
    assert {k: v for k, v in created.items() if k != "receipt"} == {
        k: v for k, v in shown.items() if k != "receipt"}
    assert created["lines"][1] == {"sku": "ETIQ-TGV", "qty": 1, "unit_price_cents": 350,
                                   "total_cents": 350}


def test_a_strangers_sale_takes_no_write_lock(client):
    """POST /sales begins its write transaction before the login is checked, but only for
    a request that carries a token or a cookie: a stranger gets a 401 without locking
    SQLite's writers out for the request's length."""
    from sqlalchemy import event

    begun: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        begun.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post("/api/v1/sales", json={})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 401
    assert not [s for s in begun if "IMMEDIATE" in s or "FOR UPDATE" in s], begun


def test_only_the_treasurer_sells_at_another_price_than_the_catalogue(
        client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    before = db.session.scalar(select(func.count()).select_from(Sale))
    for price, payments in ((1, [{"method": "cash", "amount_cents": 1}]), (0, [])):
        refused = sell(client, seller_headers, session_id,
                       [{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": price}], payments)
        assert refused.status_code == 403, refused.get_json()
        assert refused.get_json()["error"] == "price_not_allowed"
        assert "catalogue" in refused.get_json()["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Sale)) == before
    catalogue = sell(client, seller_headers, session_id,  # the catalogue's own price: fine
                     [{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": 1500}],
                     [{"method": "cash", "amount_cents": 1500}])
    assert catalogue.status_code == 201, catalogue.get_json()
    chosen = sell(client, treasurer_headers, session_id,
                  [{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": 1000}],
                  [{"method": "cash", "amount_cents": 1000}])
    assert chosen.status_code == 201 and chosen.get_json()["total_cents"] == 1000


def test_sqlites_writes_send_what_sqlalchemy_would(demo):
    """SQLite's writes go as prepared SQL (write._send, off SQLAlchemy's per-call compiled
    cache): the same SQL and the same parameters as Core sends for the same rows, times
    and days as the same text, and seen by the engine's events like any statement."""
    from datetime import UTC, date, datetime

    from sqlalchemy import event

    from kiosk.ledger import write

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's event is one WITH statement, sent through Core")
    now = datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=UTC)
    cases = [
        (journal.INSERT_ENTRY, [{"seq": 10**6, "created_at": now, "event": "essai",
                                 "ref": "x", "user_id": None, "rows": "[]", "prev_hash": "0",
                                 "hash": "1", "seal": None}]),
        (write.TOTALS_UPSERT, [{"day": date(2026, 12, 6), "kind": "sale", "location_id": 1,
                                "cash_session_id": 0, "product_id": product, "banner_lot_id": 0,
                                "count": 1, "qty": 2, "cents": 300, "donation_cents": 0}
                               for product in (0, 1)]),
        (journal.MOVE_HEAD, [{"new_seq": 7, "new_hash": "abc"}]),
    ]
    sent_prepared = []
    for statement, rows in cases:
        sent: list[tuple[str, object]] = []

        def seen(conn, cursor, sql, parameters, context, executemany, sent=sent):
            sent.append((sql, list(parameters) if executemany else parameters))

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            with db.engine.connect() as connection:
                with connection.begin() as transaction:
                    connection.execute(statement, rows)
                    transaction.rollback()
                with connection.begin() as transaction:
                    write._send(connection, statement, rows)
                    transaction.rollback()
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        core, prepared = [call for call in sent if not call[0].startswith("BEGIN")]
        assert prepared == core, statement
        sent_prepared.append(prepared)
    assert sent_prepared[0][1][1] == "2026-12-06 03:04:05.678901"  # naive UTC, as Core
    assert sent_prepared[1][1][0][0] == "2026-12-06"  # executemany: one tuple a row
    assert sent_prepared[2][1] == (7, "abc", 1)  # the head's own id, bound by the statement


def test_sqlites_prepared_queries_read_what_sqlalchemy_would(client, seller_headers):
    """The sale's context and the token's volunteer are read prepared on SQLite
    (database.prepared): the same rows, values (times, booleans) and names as Core's."""
    import json
    from datetime import timedelta

    from kiosk.database import prepared, utcnow
    from kiosk.sales.record import SALE_CONTEXT
    from kiosk.services import auth

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads them through Core")
    session_id = open_session(client, seller_headers)
    sell(client, seller_headers, session_id, [{"sku": "SAC-IKEA", "qty": 1}],
         [{"method": "cash", "amount_cents": 5000}])
    connection = db.session.connection()
    token = seller_headers["Authorization"].removeprefix("Bearer ")
    cases = [(SALE_CONTEXT["sqlite"], {
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "for_year": 2026,
        "n_sales": 1, "n_lines": 3, "n_payments": 1,
        "skus_json": json.dumps(["SAC-IKEA", "ETIQ-TGV", "NOPE"])}),
        (SALE_CONTEXT["sqlite"], {
            "client_id": str(uuid.uuid4()), "cash_session_id": 10**6, "for_year": 2026,
            "n_sales": 1, "n_lines": 1, "n_payments": 1, "skus_json": json.dumps(["NOPE"])}),
        (auth.VOLUNTEER_BY_TOKEN, {"token_hash": auth._token_hash(token), "now": utcnow()}),
        (auth.VOLUNTEER_BY_TOKEN, {"token_hash": auth._token_hash(token),
                                   "now": utcnow() + timedelta(days=400)})]
    for statement, asked in cases:
        core = connection.execute(statement, asked).all()
        ready = prepared(connection.dialect, statement).rows(connection, asked)
        assert [tuple(row) for row in ready] == [tuple(row) for row in core]
        assert all(row._fields == tuple(core[0]._fields) for row in ready)
        assert [[type(value) for value in row] for row in ready] == [
            [type(value) for value in row] for row in core]
    context = prepared(connection.dialect, SALE_CONTEXT["sqlite"]).rows(connection, cases[0][1])
    assert sorted(row.sku for row in context) == ["ETIQ-TGV", "SAC-IKEA"]
    assert context[0].opened_at.tzinfo is not None and context[0].drawer_cash > 0
    db.session.rollback()
