"""The sell pages without a browser: opening a drawer, the screen's embedded catalogue,
a sale's page, refunds by a treasurer; bad input changes nothing."""

from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import CashSession, Product, Sale
from kiosk.models.sales import SaleKind
from kiosk.sales.undo import void_refusal
from tests.closing_helpers import open_session
from tests.conftest import csrf_token, web_login
from tests.test_gifts import sell


def open_by_form(client, **fields):
    token = csrf_token(client, "/sell/open")
    data = {"csrf_token": token, "location": "ikea", "name": "Vente IKEA du 14 décembre",
            **fields}
    return client.post("/sell/open", data=data)


def test_no_open_session_offers_to_open_one(demo, client):
    web_login(client, "Vendeuse", "3456")
    page = client.get("/sell").get_data(as_text=True)
    assert "Aucune caisse n'est ouverte" in page and 'href="/sell/open"' in page
    form = client.get("/sell/open").get_data(as_text=True)
    assert 'value="Vente IKEA du ' in form
    assert "Stand IKEA Dijon" in form and "Atelier de Fontaine d&#39;Ouche" in form
    assert "Boutique du musée" not in form  # no drawer in a consignment shop
    for denomination in (50000, 2000, 500, 200, 1):
        assert f'name="d{denomination}"' in form


def test_opening_by_the_form_counts_the_float(demo, client):
    web_login(client, "Vendeuse", "3456")
    response = open_by_form(client, d2000="1", d1000="2", d200="5", d50="4")
    assert response.status_code == 302 and "/sell?session=" in response.location
    cash_session = db.session.scalar(select(CashSession))
    assert cash_session.float_cents == 2000 + 2000 + 1000 + 200
    page = client.get(response.location).get_data(as_text=True)
    catalogue = json.loads(re.search(
        r'<script type="application/json" id="catalogue">(.*?)</script>', page, re.S).group(1))
    tag = next(p for p in catalogue if p["sku"] == "ETIQ-TGV")
    assert tag == {"sku": "ETIQ-TGV", "name": "Étiquette de valise TGV",
                   "category": "luggage_tag", "price": 400, "colour": "#3182ce",
                   "photo": None, "stock": 8}
    screen = json.loads(re.search(
        r'<script type="application/json" id="screen">(.*?)</script>', page, re.S).group(1))
    assert screen["session"] == cash_session.id and screen["last_sale"] is None
    assert "<script>" not in page and "style=" not in page  # strict CSP: nothing inline


def test_the_screen_s_data_is_utf8_and_cannot_close_its_script(demo, client):
    """The catalogue handed to the script is UTF-8 as the page ("é", not "\\u00e9": fewer
    bytes), and a name that reads like markup still cannot end its script element."""
    product = db.session.scalar(select(Product).where(Product.sku == "ETIQ-TGV"))
    product.name = "Étiquette </script><b>'&"
    db.session.commit()
    web_login(client, "Vendeuse", "3456")
    response = open_by_form(client, d2000="1")
    page = client.get(response.location).get_data(as_text=True)
    data = re.search(
        r'<script type="application/json" id="catalogue">(.*?)</script>', page, re.S).group(1)
    assert "Étiquette" in data and "\\u00c9" not in data and "<" not in data
    assert "'" not in data and "&" not in data
    tag = next(p for p in json.loads(data) if p["sku"] == "ETIQ-TGV")
    assert tag["name"] == "Étiquette </script><b>'&"


def test_bad_openings_change_nothing(demo, client):
    web_login(client, "Vendeuse", "3456")
    for fields in ({"d2000": "-1"}, {"d300": "1", "d2000": "x"}, {"d100": "10000"},
                   {"name": ""}, {"location": "musee"}, {"location": "nowhere"}):
        response = open_by_form(client, **fields)
        assert response.status_code == 400, fields
        assert 'role="alert"' in response.get_data(as_text=True)
    no_token = client.post("/sell/open", data={"location": "ikea", "name": "x"})
    assert no_token.status_code == 400
    assert db.session.scalar(select(func.count(CashSession.id))) == 0
    assert open_by_form(client).status_code == 302
    second = open_by_form(client)  # one drawer per place: the second tablet joins it
    assert second.status_code == 400 and "déjà ouverte" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CashSession.id))) == 1


def test_treasurer_refunds_some_lines_from_the_sale_page(demo, client, seller_headers):
    web_login(client, "Vendeuse", "3456")
    open_by_form(client, d1000="3")  # a float to give the change from (issue 27)
    session_id = db.session.scalar(select(CashSession.id))
    sold = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": [{"sku": "ETIQ-TGV", "qty": 3}, {"sku": "SAC-IKEA", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 3000}]}).get_json()
    seller_view = client.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert "Pas d&#39;imprimante" in seller_view and "Rembourser" not in seller_view
    token = csrf_token(client, f"/sell/sales/{sold['id']}")
    refused = client.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": token, "reason": "x", "qty-ETIQ-TGV": "1"})
    assert refused.status_code == 403  # a seller does not refund

    client.post("/logout", data={"csrf_token": token})
    web_login(client, "Tresoriere", "2345")
    page = client.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert "Rembourser" in page and 'name="qty-ETIQ-TGV"' in page
    token = csrf_token(client, f"/sell/sales/{sold['id']}")
    too_many = client.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": token, "reason": "Abîmée", "qty-ETIQ-TGV": "4", "qty-SAC-IKEA": "0"})
    assert too_many.status_code == 302
    no_reason = client.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": token, "reason": "", "qty-ETIQ-TGV": "1", "qty-SAC-IKEA": "0"})
    assert no_reason.status_code == 302
    assert db.session.scalar(select(func.count(Sale.id))) == 1  # nothing refunded yet

    done = client.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": token, "reason": "Étiquette abîmée", "qty-ETIQ-TGV": "1",
        "qty-SAC-IKEA": "0"})
    assert done.status_code == 302
    refund = db.session.scalar(select(Sale).where(Sale.kind == SaleKind.REFUND))
    assert refund.total_cents == -400 and refund.reason == "Étiquette abîmée"
    assert done.location.endswith(f"/sell/sales/{refund.id}")
    page = client.get(done.location).get_data(as_text=True)
    assert "Remboursement n° " in page and sold["number"] in page


def test_sell_pages_need_a_login(demo, client):
    for path in ("/sell", "/sell/open", "/sell/sales/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def _offered_void(client, session_id: int) -> dict | None:
    page = client.get(f"/sell?session={session_id}").get_data(as_text=True)
    return json.loads(re.search(r'<script type="application/json" id="screen">(.*?)</script>',
                                page, re.S).group(1))["last_sale"]


def test_the_screen_offers_to_void_exactly_what_void_sale_accepts(demo, client, seller_headers,
                                                                   treasurer_headers):
    """One rule (sales.undo.void_refusal) for the screen's button and for the void itself:
    her own last sale is offered; refunded, it is no longer, and void_sale says why."""
    session_id = open_session(client, seller_headers)
    line, cash = [{"sku": "ETIQ-TGV", "qty": 1}], [{"method": "cash", "amount_cents": 400}]
    sold = sell(client, seller_headers, session_id, line, cash).get_json()
    refund = client.post(f"/api/v1/sales/{sold['id']}/refund", headers=treasurer_headers,
                         json={"reason": "Décousu"})
    assert refund.status_code == 201
    web_login(client, "Vendeuse", "3456")
    assert _offered_void(client, session_id) is None  # her last sale, but refunded
    db.session.rollback()
    sale = db.session.get(Sale, sold["id"])
    assert void_refusal(db.session, sale, sale.user_id).code == "already_refunded"
    voided = client.post(f"/api/v1/sales/{sold['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur"})
    assert voided.status_code == 409 and voided.get_json()["error"] == "already_refunded"
    again = sell(client, seller_headers, session_id, line, cash).get_json()
    assert _offered_void(client, session_id)["id"] == again["id"]
    db.session.rollback()
    assert void_refusal(db.session, db.session.get(Sale, again["id"]), sale.user_id) is None
