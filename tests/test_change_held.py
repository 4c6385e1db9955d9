"""Issue 27, point 3: change comes out of the cash the drawer holds (float + cash in −
change given). 1 000 000 € typed as cash for a 4 € tag is a 4xx with a sentence, and
nothing is recorded; the same note once the drawer can give its change back is a sale."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Sale
from kiosk.sales.record import drawer_cash
from tests.closing_helpers import open_session, sell


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def count_sales() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Sale))



def test_change_beyond_the_drawer_is_refused_and_nothing_recorded(client, seller_headers):
    session_id = open_session(client, seller_headers)  # a 30,00 € float
    response = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 100_000_000}])  # 1 000 000 €
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "change_beyond_drawer"
    message = plain(body["message"])
    assert "30,00 €" in message and "999 996,00 €" in message
    assert count_sales() == 0

    # 50 € for a 14 € apron: 36 € back from a 30 € drawer cannot be given either
    response = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                    [{"method": "cash", "amount_cents": 5000}])
    assert response.status_code == 400 and count_sales() == 0
    # 20 € for it: 6 € back, and the drawer now holds 44 €
    assert sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}]).status_code == 201
    assert drawer_cash(db.session, session_id) == 4400
    # then the 50 € note is fine: 36 € out of 44 €
    response = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                    [{"method": "cash", "amount_cents": 5000}])
    assert response.status_code == 201 and response.get_json()["change_cents"] == 3600
    assert drawer_cash(db.session, session_id) == 5800
    assert count_sales() == 2


def test_exact_cash_and_cards_need_no_change(client, seller_headers):
    session_id = open_session(client, seller_headers, counts={})
    assert sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).status_code == 201
    assert sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).status_code == 201
    refused = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                   [{"method": "cash", "amount_cents": 1000}])  # 6 € back from 4 €
    assert refused.status_code == 400 and "4,00 €" in plain(refused.get_json()["message"])
