"""The first start of a new database, for real (issue 13): the first page asks "Essayer avec
la démo" or "Commencer pour de vrai"; no demo PIN works until the demo is chosen; the demo
says DÉMO on every page and receipt, and starting for real from it empties it. Product
categories are data an admin manages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Envelope, Location, Product, Sale, SplitRule, User
from kiosk.services import setup
from tests.closing_helpers import open_session, sell
from tests.conftest import api_login, csrf_token, web_login
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 2.0}


def login_status(client, name: str, pin: str) -> int:
    return client.post("/api/v1/login", json={"user": name, "pin": pin}).status_code


REAL = {"group_name": "Les Petites Mains de Chenôve", "address": "12 rue des Tilleuls, Chenôve",
        "admin_name": "Josiane", "pin": "4821", "pin_again": "4821",
        "workshop_name": "Atelier du centre social", "stall_name": "Marché de Noël",
        "shop_name": "", "envelope_1": "Sorties", "share_1": "2",
        "envelope_2": "Solidarité", "share_2": "1", "envelope_3": "", "share_3": "",
        "envelope_4": "", "share_4": "", "decided_on": "2026-11-20"}


def test_a_new_database_asks_how_to_start_and_no_demo_pin_works(client):
    assert client.get("/").headers["Location"].endswith("/start")
    assert client.get("/login").headers["Location"].endswith("/start")
    page = client.get("/start").get_data(as_text=True)
    assert "Essayer avec la démo" in page and "Commencer pour de vrai" in page
    for name, pin in (("Admin", "1234"), ("Tresoriere", "2345"), ("Vendeuse", "3456")):
        assert login_status(client, name, pin) == 401
    assert "data-demo" not in page


def test_trying_the_demo_marks_every_page_and_receipt(client, printer_emulator):
    token = csrf_token(client, "/start")
    chosen = client.post("/start/demo", data={"csrf_token": token})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/login")
    assert login_status(client, "Admin", "1234") == 200
    headers = api_login(client, "Vendeuse", "3456")
    session_id = open_session(client, headers)
    sold = sell(client, headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 500}]).get_json()
    if sold["receipt"]["status"] == "none":
        client.post(f"/api/v1/sales/{sold['id']}/receipt", headers=headers)
    receipt = decode(printer_emulator.wait_for_jobs(1)[0])
    assert next(line.strip() for line in receipt.lines if line.strip()) == "DÉMO"
    web_login(client, "Admin", "1234")
    for path in ("/", "/sell", "/stock", "/sessions", "/admin/"):
        page = client.get(path)
        assert page.status_code == 200, path
        ribbon = page.get_data(as_text=True).split("data-demo>", 1)[1].split("</span></span>")[0]
        assert ribbon.startswith("DÉMO") and "données d'essai" in ribbon, path
    assert client.get("/start").headers["Location"].endswith("/")  # nothing runs twice


def test_starting_for_real_sets_up_the_group_and_nothing_of_the_demo(client, printer_emulator):
    form = {**REAL, "csrf_token": csrf_token(client, "/start/real")}
    started = client.post("/start/real", data=form)
    assert started.status_code == 303, started.get_data(as_text=True)
    assert login_status(client, "Admin", "1234") == 401  # no demo volunteer, no demo PIN
    assert login_status(client, "Josiane", "4821") == 200
    db.session.rollback()
    assert db.session.scalar(select(User.role).where(User.name == "Josiane")) == "admin"
    assert {(loc.name, loc.kind) for loc in db.session.scalars(select(Location))} == {
        ("Atelier du centre social", "workshop"), ("Marché de Noël", "stall")}
    assert sorted(db.session.scalars(select(Envelope.name))) == ["Solidarité", "Sorties"]
    rule = db.session.scalar(select(SplitRule))
    assert rule.decision == "Décidé en réunion du 20/11/2026."
    assert str(rule.effective_from) == "2026-11-20"
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
    assert not setup.is_demo(db.session)
    web_login(client, "Josiane", "4821")
    assert "data-demo" not in client.get("/").get_data(as_text=True)
    assert client.get("/start/real").headers["Location"].endswith("/")
    # her first product, in a category of the starting list, sold: the group's name on paper
    admin = api_login(client, "Josiane", "4821")
    assert client.post("/api/v1/products", headers=admin, json={
        "sku": "TAB-NOEL", "name": "Tablier de Noël", "category": "apron",
        "price_cents": 1200}).status_code == 201
    location = db.session.scalar(select(Location.code).where(Location.kind == "stall"))
    session_id = open_session(client, admin, location=location, counts={})
    sold = sell(client, admin, session_id, [{"sku": "TAB-NOEL", "qty": 1}],
                [{"method": "card", "amount_cents": 1200}]).get_json()
    if sold["receipt"]["status"] == "none":
        client.post(f"/api/v1/sales/{sold['id']}/receipt", headers=admin)
    text = decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "Les Petites Mains de Chenôve" in text and "12 rue des Tilleuls" in text
    assert "DÉMO" not in text


@pytest.mark.parametrize("change, said", [
    ({"pin_again": "4822"}, "ne sont pas les mêmes"),
    ({"pin": "1234", "pin_again": "1234"}, "trop facile"),
    ({"pin": "12", "pin_again": "12"}, "4 à 6 chiffres"),
    ({"stall_name": ""}, "nom du stand"),
    ({"envelope_1": "", "envelope_2": ""}, "au moins une enveloppe"),
    ({"share_1": "²"}, "Part"),
])
def test_a_bad_real_start_says_why_and_starts_nothing(client, change, said):
    form = {**REAL, **change, "csrf_token": csrf_token(client, "/start/real")}
    refused = client.post("/start/real", data=form)
    assert refused.status_code == 400, refused.status_code
    assert said in refused.get_data(as_text=True)
    db.session.rollback()
    assert setup.is_new(db.session)


def test_starting_for_real_from_the_demo_empties_it(demo, client):
    web_login(client, "Admin", "1234")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Effacer la démo et commencer pour de vrai" in page
    token = csrf_token(client, "/admin/")
    unconfirmed = client.post("/start/empty-demo", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and "Cochez la case" in unconfirmed.get_data(
        as_text=True)
    db.session.rollback()
    assert setup.is_demo(db.session)
    emptied = client.post("/start/empty-demo", data={"csrf_token": token, "confirm": "y"})
    assert emptied.status_code == 303 and emptied.headers["Location"].endswith("/start/real")
    db.session.rollback()
    assert setup.is_new(db.session) and not setup.is_demo(db.session)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert login_status(client, "Admin", "1234") == 401
    assert client.get("/admin/").status_code in (302, 401)  # her session went with the demo
    form = {**REAL, "csrf_token": csrf_token(client, "/start/real")}
    assert client.post("/start/real", data=form).status_code == 303
    assert login_status(client, "Josiane", "4821") == 200


def test_seed_demo_keeps_working_and_marks_the_demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert setup.is_demo(db.session) and not setup.is_new(db.session)


def test_a_seller_cannot_empty_the_demo(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/")
    assert client.post("/start/empty-demo", data={"csrf_token": token,
                                                  "confirm": "y"}).status_code == 403
    db.session.rollback()
    assert setup.is_demo(db.session)


def test_an_admin_adds_a_category_and_sells_under_it(demo, client):
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/categories")
    added = client.post("/admin/categories", data={"new-csrf_token": token,
                                                   "new-name": "Porte-clés"})
    assert added.status_code == 303
    twice = client.post("/admin/categories", data={"new-csrf_token": token,
                                                   "new-name": "porte-clés"})
    assert twice.status_code == 409 and "existe déjà" in twice.get_data(as_text=True)
    page = client.get("/admin/categories").get_data(as_text=True)
    assert 'value="Porte-clés"' in page and 'data-category="porte_cles"' in page
    admin = api_login(client, "Admin", "1234")
    created = client.post("/api/v1/products", headers=admin, json={
        "sku": "PC-TGV", "name": "Porte-clés TGV", "category": "porte_cles",
        "price_cents": 300})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["category"] == "porte_cles"
    unknown = client.post("/api/v1/products", headers=admin, json={
        "sku": "PC-X", "name": "Inconnu", "category": "nulle_part", "price_cents": 300})
    assert unknown.status_code == 400
    # the sale screen shows it under its name
    seller = api_login(client, "Vendeuse", "3456")
    open_session(client, seller)
    web_login(client, "Vendeuse", "3456")
    assert "Porte-clés" in client.get("/sell").get_data(as_text=True)
    # retired: no new product in it, the ones it has keep it
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/categories")
    retired = client.post("/admin/categories/porte_cles", data={
        "c-porte_cles-csrf_token": token, "c-porte_cles-name": "Porte-clés"})
    assert retired.status_code == 303
    refused = client.post("/api/v1/products", headers=admin, json={
        "sku": "PC-Y", "name": "Porte-clés Y", "category": "porte_cles", "price_cents": 300})
    assert refused.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(Product.category).where(Product.sku == "PC-TGV")) \
        == "porte_cles"
