"""The tablets as witnesses: the server rebuilt from a copy a few seconds behind (restored
with the kiosk's own restore path, on SQLite and on PostgreSQL) lacks the last sales; a
tablet holding them asks (POST /api/v1/tablets/witness), sends them again, each is recorded
once with the next numbers, and the Z report names them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import Sale
from kiosk.services.backup import backup_database, restore_database

TABLET = str(uuid.uuid4())


def a_sale(session_id: int, i: int) -> dict:
    return {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": ("SAC-IKEA", "ETIQ-TGV")[i % 2], "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 5000}], "print_receipt": False}


def witness(client, headers, held: list[dict]) -> dict:
    response = client.post("/api/v1/tablets/witness", headers=headers,
                           json={"tablet_id": TABLET, "held": held})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_tablet_gives_back_the_sales_a_restored_server_lost(
        app, client, seller_headers, treasurer_headers, tmp_path):
    opened = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 2, "10000": 2}})
    session_id = opened.get_json()["id"]
    held = []  # what the tablet keeps: each sale's body, with its number once known
    for i in range(10):
        body = a_sale(session_id, i)
        answer = client.post("/api/v1/sales", headers=seller_headers, json=body).get_json()
        held.append({"body": body, "number": answer["number"], "sold_at": answer["created_at"]})
        if i == 6:
            db.session.rollback()
            copy = tmp_path / ("copy.sqlite3" if db.engine.dialect.name == "sqlite"
                               else "copy.dump")
            backup_database(db.engine, str(copy))  # the copy is 3 sales behind
    summary = [{"client_id": h["body"]["client_id"], "cash_session_id": session_id,
                "number": h["number"]} for h in held]
    told = witness(client, seller_headers, summary)
    assert told["missing"] == [] and told["drawers"][str(session_id)]["open"] is True
    assert told["drawers"][str(session_id)]["last_number"] == held[-1]["number"]
    seen = told["head"]  # the tablet remembers it: next time it names only newer sales
    again = client.post("/api/v1/tablets/witness", headers=seller_headers, json={
        "tablet_id": TABLET, "held": [], "drawers": [session_id], "seen": seen}).get_json()
    assert again["seen_holds"] is True and again["missing"] == []
    assert again["drawers"][str(session_id)]["sales"] == 10

    db.session.rollback()
    restore_database(db.engine, str(copy))  # the box rebuilt from the copy

    light = client.post("/api/v1/tablets/witness", headers=seller_headers, json={
        "tablet_id": TABLET, "held": [], "drawers": [session_id], "seen": seen}).get_json()
    assert light["seen_holds"] is False  # the server went back: the tablet names them all
    told = witness(client, seller_headers, summary)
    lost = [h["body"]["client_id"] for h in held[7:]]
    assert told["missing"] == lost
    assert told["drawers"][str(session_id)]["last_number"] == held[6]["number"]
    assert told["head"]["entries"] == journal.head(db.session)[0]

    for h in held[7:]:  # sent again, as the outbox sends a sale that waited
        again = client.post("/api/v1/sales", headers=seller_headers,
                            json={**h["body"], "sold_at": h["sold_at"]})
        assert again.status_code == 201, again.get_json()
        assert again.get_json()["number"] == h["number"]  # nothing sold meanwhile: same
        twice = client.post("/api/v1/sales", headers=seller_headers,
                            json={**h["body"], "sold_at": h["sold_at"]})
        assert twice.status_code == 200 and twice.get_json()["id"] == again.get_json()["id"]
    assert witness(client, seller_headers, summary)["missing"] == []

    db.session.rollback()
    sales = db.session.scalars(select(Sale).where(Sale.cash_session_id == session_id)
                               .order_by(Sale.seq)).all()
    assert [s.client_id for s in sales] == [h["body"]["client_id"] for h in held]
    seqs = [s.seq for s in sales]
    assert seqs == list(range(seqs[0], seqs[0] + 10))
    assert journal.verify(db.session).ok

    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json={"counted": {"1000": 2}})
    assert closed.status_code == 200, closed.get_json()
    page = client.get(f"/sessions/{session_id}/document/z_report",
                      headers=treasurer_headers)
    text = page.get_data(as_text=True)
    assert "Ventes renvoyées par une tablette" in text
    for h in held[7:]:
        assert h["number"] in text.split("Ventes renvoyées par une tablette")[1]
    assert witness(client, seller_headers, summary)["drawers"][str(session_id)]["open"] is False


def test_a_sale_sold_in_between_takes_the_next_number_and_the_z_says_which_was_which(
        app, client, seller_headers, treasurer_headers, tmp_path):
    opened = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 2, "10000": 2}})
    session_id = opened.get_json()["id"]
    first = a_sale(session_id, 0)
    assert client.post("/api/v1/sales", headers=seller_headers, json=first).status_code == 201
    db.session.rollback()
    copy = tmp_path / ("c.sqlite3" if db.engine.dialect.name == "sqlite" else "c.dump")
    backup_database(db.engine, str(copy))
    lost = a_sale(session_id, 1)
    lost_number = client.post("/api/v1/sales", headers=seller_headers,
                              json=lost).get_json()["number"]
    db.session.rollback()
    restore_database(db.engine, str(copy))
    other = client.post("/api/v1/sales", headers=seller_headers, json=a_sale(session_id, 2))
    assert other.get_json()["number"] == lost_number  # another tablet sold first
    told = witness(client, seller_headers, [{"client_id": lost["client_id"],
                                             "cash_session_id": session_id,
                                             "number": lost_number}])
    assert told["missing"] == [lost["client_id"]]
    again = client.post("/api/v1/sales", headers=seller_headers, json=lost).get_json()
    assert again["number"] > lost_number  # the next one: no gap, no repeat
    client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                json={"counted": {"1000": 2}})
    text = client.get(f"/sessions/{session_id}/document/z_report",
                      headers=treasurer_headers).get_data(as_text=True)
    assert f"{again['number']} (avant : {lost_number})" in text


@pytest.mark.parametrize("body", [
    {"tablet_id": "x", "held": []},
    {"tablet_id": TABLET, "held": [{"client_id": str(uuid.uuid4()), "cash_session_id": 1,
                                    "number": "12"}]},
    {"tablet_id": TABLET, "held": [{"client_id": "nope", "cash_session_id": 1}]},
    {"tablet_id": TABLET},
    {"tablet_id": TABLET, "held": [], "seen": {"entries": -1, "hash": "0" * 64}},
    {"tablet_id": TABLET, "held": [], "seen": {"entries": 1, "hash": "xyz"}},
    {"tablet_id": TABLET, "held": [], "drawers": [0]},
])
def test_bad_witness_reports_are_refused(client, seller_headers, body):
    response = client.post("/api/v1/tablets/witness", headers=seller_headers, json=body)
    assert response.status_code == 400


def test_a_drawer_the_server_never_had_is_said_and_nothing_is_noted(client, seller_headers):
    told = witness(client, seller_headers, [{"client_id": str(uuid.uuid4()),
                                             "cash_session_id": 999}])
    assert told == {"head": told["head"], "drawers": {"999": None}, "missing": [],
                    "seen_holds": None}
