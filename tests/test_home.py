"""The home page shows each volunteer what she needs first, and only what her role may do."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from kiosk.extensions import db
from kiosk.main.guide import pictures
from kiosk.models import CashSession
from tests.closing_helpers import open_session, sell
from tests.conftest import web_login


def home(client, name: str, pin: str) -> str:
    web_login(client, name, pin)
    page = client.get("/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_seller_is_offered_to_open_a_drawer_when_none_is_open(demo, client):
    page = home(client, "Vendeuse", "3456")
    assert "Aucune caisse n" in page and 'href="/sell/open"' in page
    assert "Continuer la vente" not in page and "Enveloppes</h3>" not in page


def test_with_a_drawer_open_a_seller_continues_and_a_treasurer_may_close_it(
        demo, client, seller_headers):
    session_id = open_session(client, seller_headers)
    page = home(client, "Vendeuse", "3456")
    assert f'href="/sell?session={session_id}"' in page and "Continuer la vente" in page
    assert f"/sessions/{session_id}/close" not in page  # not hers to close

    client.post("/logout", data={"csrf_token": ""})
    page = home(client, "Tresoriere", "2345")
    assert f"/sessions/{session_id}/close" in page
    assert "Enveloppes</h3>" in page and "Solidarité" in page
    assert "Stock à vérifier" not in page  # the stock is the admin's


def test_a_drawer_left_open_since_yesterday_says_so(demo, client, seller_headers):
    session_id = open_session(client, seller_headers)
    opened = db.session.get(CashSession, session_id).opened_at
    db.session.execute(update(CashSession).where(CashSession.id == session_id)
                       .values(opened_at=opened - timedelta(days=1)))
    db.session.commit()
    assert "ouverte depuis un autre jour" in home(client, "Tresoriere", "2345")


def test_the_admin_sees_the_stock_to_check(demo, client, seller_headers):
    # (a float that can give the change of a 1000 € payment: issue 27)
    session_id = open_session(client, seller_headers, location="ikea", counts={"50000": 2})
    # sell more bags than the stall holds: its stock goes below zero
    stock = client.get("/api/v1/stock?location=ikea", headers=seller_headers).get_json()
    bags = next(row["qty"] for row in stock if row["sku"] == "SAC-VILLE")
    assert sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": bags + 1}],
                [{"method": "cash", "amount_cents": 100000}]).status_code == 201
    page = home(client, "Admin", "1234")
    assert "Stock à vérifier : 1" in page and 'href="/stock#check-title"' in page


def test_the_guide_is_open_to_all_and_in_english_too(client):
    page = client.get("/aide").get_data(as_text=True)
    assert "Le guide en images" in page and page.count('class="guide-picture"') == len(pictures())
    english = client.get("/aide?lang=en").get_data(as_text=True)
    assert "Touch your name, then type your code." in english


def test_the_treasurer_sees_the_sales_waiting_on_a_tablet_for_a_drawer(
        demo, client, seller_headers):
    session_id = open_session(client, seller_headers)
    waiting = [{"client_id": str(uuid.uuid4()), "cash_session_id": session_id}
               for _ in range(2)]
    beat = client.post("/api/v1/tablets/heartbeat", headers=seller_headers,
                       json={"tablet_id": str(uuid.uuid4()), "waiting": waiting})
    assert beat.status_code == 200
    assert "2 vente(s) attendent sur une tablette" in home(client, "Tresoriere", "2345")
    client.post("/logout", data={"csrf_token": ""})
    assert "attendent sur une tablette" not in home(client, "Vendeuse", "3456")  # hers: the badge
