"""Stock as a ledger: every change is a move, levels are the sum of the moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.database import write_transaction
from kiosk.errors import InvalidInput, NotFound
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import BannerLot, Location, Product, StockLevel, StockMove
from kiosk.services import stock


def ledger(sku: str, code: str) -> int:
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    location = db.session.scalar(select(Location).where(Location.code == code))
    return db.session.scalar(select(func.coalesce(func.sum(StockMove.qty), 0)).where(
        StockMove.product_id == product.id, StockMove.location_id == location.id))


def cached(sku: str, code: str) -> int:
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    location = db.session.scalar(select(Location).where(Location.code == code))
    return stock.level(db.session, product.id, location.id)


def snapshot() -> tuple:
    db.session.rollback()
    return (db.session.scalar(select(func.count(StockMove.id))),
            tuple(db.session.execute(select(StockLevel.product_id, StockLevel.location_id,
                                            StockLevel.qty).order_by(StockLevel.product_id,
                                                                     StockLevel.location_id))),
            journal.head(db.session))


def test_levels_equal_the_sum_of_moves_after_every_kind_of_change(demo):
    admin = 1
    with write_transaction(db.session):
        stock.produce(db.session, "POCH-TGV", 5, admin, lot_code="SNCF-2011")
    with write_transaction(db.session):
        stock.transfer(db.session, "POCH-TGV", 3, "atelier", "ikea", admin)
    with write_transaction(db.session):
        stock.gift(db.session, "POCH-TGV", 1, "ikea", admin, "tombola")
    with write_transaction(db.session):
        stock.loss(db.session, "POCH-TGV", 2, "musee", admin, "tachée")
    assert cached("POCH-TGV", "atelier") == ledger("POCH-TGV", "atelier") == 20 - 12 + 5 - 3
    assert cached("POCH-TGV", "ikea") == ledger("POCH-TGV", "ikea") == 8 + 3 - 1
    assert cached("POCH-TGV", "musee") == ledger("POCH-TGV", "musee") == 4 - 2
    made = db.session.scalar(select(StockMove).where(StockMove.reason == "production",
                                                     StockMove.qty == 5))
    assert made.banner_lot_id == db.session.scalar(
        select(BannerLot.id).where(BannerLot.code == "SNCF-2011"))
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


def test_a_count_makes_the_level_what_was_counted(demo):
    with write_transaction(db.session):
        lines, moves = stock.count(db.session, "ikea", {"POCH-TGV": 5, "SAC-IKEA": 8,
                                                        "TAB-IKEA": 0}, 1)
    assert {line.product.sku: line.difference for line in lines} == {
        "POCH-TGV": -3, "SAC-IKEA": 0, "TAB-IKEA": -8}
    assert len(moves) == 2 and all(m.reason == "count" for m in moves)  # none where it agreed
    assert cached("POCH-TGV", "ikea") == ledger("POCH-TGV", "ikea") == 5
    assert cached("TAB-IKEA", "ikea") == ledger("TAB-IKEA", "ikea") == 0
    checks = stock.to_check(db.session)
    assert {(c.kind, c.product.sku, c.qty) for c in checks} == {
        ("count", "POCH-TGV", -3), ("count", "TAB-IKEA", -8)}
    assert journal.verify(db.session).ok


def test_preview_shows_the_difference_and_saves_nothing(demo):
    before = snapshot()
    location, lines = stock.count_preview(db.session, "musee", {"SAC-IKEA": 6})
    assert location.code == "musee" and lines[0].expected == 4 and lines[0].difference == 2
    assert snapshot() == before


def test_negative_stock_is_allowed_and_flagged(demo):
    with write_transaction(db.session):
        stock.loss(db.session, "ETIQ-TGV", 10, "ikea", 1, "pluie")
    assert cached("ETIQ-TGV", "ikea") == -2
    flagged = [c for c in stock.to_check(db.session) if c.kind == "negative"]
    assert [(c.product.sku, c.location.code, c.qty) for c in flagged] == [
        ("ETIQ-TGV", "ikea", -2)]


@pytest.mark.parametrize("call, error", [
    (lambda s: stock.produce(s, "NOPE", 1, 1), NotFound),
    (lambda s: stock.produce(s, "POCH-TGV", 1, 1, location_code="lune"), NotFound),
    (lambda s: stock.produce(s, "POCH-TGV", 1, 1, lot_code="LOT-X"), NotFound),
    (lambda s: stock.produce(s, "POCH-TGV", 0, 1), InvalidInput),
    (lambda s: stock.produce(s, "POCH-TGV", 1000, 1), InvalidInput),
    (lambda s: stock.produce(s, "POCH-TGV", 2.5, 1), InvalidInput),
    (lambda s: stock.produce(s, "POCH-TGV", True, 1), InvalidInput),
    (lambda s: stock.transfer(s, "POCH-TGV", 1, "ikea", "ikea", 1), InvalidInput),
    (lambda s: stock.remove(s, "POCH-TGV", 1, "ikea", "sale", 1), InvalidInput),
    (lambda s: stock.count(s, "ikea", {"POCH-TGV": 2, "NOPE": 1}, 1), NotFound),
    (lambda s: stock.count(s, "ikea", {"POCH-TGV": -1}, 1), InvalidInput),
    (lambda s: stock.count(s, "ikea", {}, 1), InvalidInput),
])
def test_bad_moves_change_nothing(demo, call, error):
    before = snapshot()
    with pytest.raises(error), write_transaction(db.session):
        call(db.session)
    assert snapshot() == before


# --- The API ---------------------------------------------------------------------------

def test_api_locations_products_and_stock(demo, client, seller_headers):
    places = client.get("/api/v1/locations", headers=seller_headers).get_json()
    assert {p["code"]: p["kind"] for p in places} == {
        "atelier": "workshop", "ikea": "stall", "musee": "consignment"}
    products = client.get("/api/v1/products", headers=seller_headers).get_json()
    pouch = next(p for p in products if p["sku"] == "POCH-TGV")
    assert pouch["stock"] == {"atelier": 8, "ikea": 8, "musee": 4}
    assert pouch["price_cents"] == 800 and pouch["category"] == "pouch"
    at_ikea = client.get("/api/v1/stock?location=ikea", headers=seller_headers).get_json()
    assert {"sku": "POCH-TGV", "qty": 8} in at_ikea
    assert client.get("/api/v1/stock?location=lune",
                      headers=seller_headers).status_code == 404
    assert client.get("/api/v1/stock", headers=seller_headers).status_code == 400


def test_api_moves_of_every_reason(demo, client, seller_headers):
    def move(**body):
        response = client.post("/api/v1/stock/moves", json=body, headers=seller_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    made = move(sku="POCH-TGV", qty=5, reason="production", banner_lot="SNCF-2011")
    assert made["stock"]["atelier"] == 13 and made["moves"][0]["location"] == "atelier"
    moved = move(sku="POCH-TGV", qty=3, reason="transfer", from_location="atelier",
                 to_location="ikea")
    assert moved["stock"] == {"atelier": 10, "ikea": 11, "musee": 4}
    counted = move(sku="POCH-TGV", qty=9, reason="count", to_location="ikea")
    assert counted["stock"]["ikea"] == 9 and counted["moves"][0]["qty"] == -2
    agreed = move(sku="POCH-TGV", qty=9, reason="count", to_location="ikea")
    assert agreed["moves"] == []
    move(sku="POCH-TGV", qty=1, reason="gift", from_location="ikea", note="tombola")
    gone = move(sku="POCH-TGV", qty=1, reason="loss", from_location="ikea")
    assert gone["stock"]["ikea"] == 7
    assert journal.verify(db.session).ok


@pytest.mark.parametrize("body, status", [
    ({"sku": "NOPE", "qty": 1, "reason": "production"}, 404),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "production", "to_location": "lune"}, 404),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "transfer", "from_location": "atelier",
      "to_location": "lune"}, 404),
    ({"sku": "POCH-TGV", "qty": 0, "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": 1000, "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": 10**12, "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": -3, "reason": "loss", "from_location": "ikea"}, 400),
    ({"sku": "POCH-TGV", "qty": 2.5, "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": "2", "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": True, "reason": "production"}, 400),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "sale", "from_location": "ikea"}, 400),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "transfer", "to_location": "ikea"}, 400),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "gift"}, 400),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "production", "colour": "red"}, 400),
    ({"sku": "POCH-TGV", "qty": 1, "reason": "loss", "from_location": "ikea",
      "note": "a\u0000b"}, 400),
])
def test_api_bad_moves_are_4xx_and_change_nothing(demo, client, seller_headers, body,
                                                  status):
    before = snapshot()
    response = client.post("/api/v1/stock/moves", json=body, headers=seller_headers)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    assert snapshot() == before


def test_api_moves_need_a_login(demo, client):
    response = client.post("/api/v1/stock/moves",
                           json={"sku": "POCH-TGV", "qty": 1, "reason": "production"})
    assert response.status_code == 401


def test_api_products_are_created_by_admins_only(demo, client, admin_headers,
                                                 seller_headers):
    body = {"sku": "SAC-MUSEE", "name": "Sac « Vie bourguignonne »", "category": "bag",
            "price_cents": 2200, "story": "Cousu pour l'exposition."}
    refused = client.post("/api/v1/products", json=body, headers=seller_headers)
    assert refused.status_code == 403
    created = client.post("/api/v1/products", json=body, headers=admin_headers)
    assert created.status_code == 201 and created.get_json()["sku"] == "SAC-MUSEE"
    again = client.post("/api/v1/products", json=body, headers=admin_headers)
    assert again.status_code == 409
    for bad in ({**body, "sku": "AUTRE", "price_cents": "22"},
                {**body, "sku": "AUTRE", "category": "hat"},
                {**body, "sku": "AUTRE", "price_cents": 1_000_001},
                {**body, "sku": "a b"}):
        assert client.post("/api/v1/products", json=bad,
                           headers=admin_headers).status_code == 400
    skus = [p["sku"] for p in client.get("/api/v1/products", headers=admin_headers).get_json()]
    assert skus.count("SAC-MUSEE") == 1 and "AUTRE" not in skus


def test_api_consignment_statement(demo, client, treasurer_headers, seller_headers):
    body = {"location": "musee", "period": "mai 2026",
            "lines": [{"sku": "SAC-VILLE", "qty": 7}, {"sku": "ETIQ-TGV", "qty": 2,
                                                        "unit_price_cents": 350}],
            "paid_cents": 11970,
            "confirm": True}  # 7 sold of the 4 on deposit: said on purpose (issue 27)
    assert client.post("/api/v1/consignment-statements", json=body,
                       headers=seller_headers).status_code == 403
    before = snapshot()
    wrong = client.post("/api/v1/consignment-statements",
                        json={**body, "paid_cents": 14000}, headers=treasurer_headers)
    assert wrong.status_code == 400 and "ne tombent pas juste" in wrong.get_json()["message"]
    stall = client.post("/api/v1/consignment-statements",
                        json={**body, "location": "ikea"}, headers=treasurer_headers)
    assert stall.status_code == 400
    assert snapshot() == before
    response = client.post("/api/v1/consignment-statements", json=body,
                           headers=treasurer_headers)
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    assert sale["kind"] == "consignment" and sale["total_cents"] == 7 * 1800 + 700
    assert sale["commission_cents"] == 1330 and sale["paid_cents"] == 11970
    assert cached("SAC-VILLE", "musee") == 4 - 7 and cached("ETIQ-TGV", "musee") == 2
    assert journal.verify(db.session).ok
