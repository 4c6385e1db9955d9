"""Issue 27, point 6: a consignment statement beyond the deposit. 50 aprons declared
sold at the museum that holds 4 is refused (409 naming the deposit) and changes nothing,
unless confirmed (`confirm: true`); the statement form shows what is on deposit."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Location, Product, Sale, StockLevel
from tests.conftest import csrf_token, web_login


def on_deposit(sku: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(StockLevel.qty).join(Product).join(Location).where(
        Product.sku == sku, Location.code == "musee")) or 0


def count_sales() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Sale))


def test_a_statement_beyond_the_deposit_needs_a_confirmation(client, treasurer_headers):
    held = on_deposit("SAC-VILLE")
    body = {"location": "musee", "period": "novembre 2026",
            "lines": [{"sku": "SAC-VILLE", "qty": held + 46}]}
    refused = client.post("/api/v1/consignment-statements", json=body,
                          headers=treasurer_headers)
    assert refused.status_code == 409, refused.get_json()
    answer = refused.get_json()
    assert answer["error"] == "beyond_deposit"
    assert f"n'a que {held} « Sac cabas Ville de Dijon » en dépôt, pas {held + 46}" in \
        answer["message"]
    assert on_deposit("SAC-VILLE") == held and count_sales() == 0

    within = client.post("/api/v1/consignment-statements", headers=treasurer_headers,
                         json={**body, "lines": [{"sku": "SAC-VILLE", "qty": held}]})
    assert within.status_code == 201, within.get_json()
    assert on_deposit("SAC-VILLE") == 0
    confirmed = client.post("/api/v1/consignment-statements", headers=treasurer_headers,
                            json={**body, "lines": [{"sku": "SAC-VILLE", "qty": 2}],
                                  "confirm": True})
    assert confirmed.status_code == 201, confirmed.get_json()
    assert on_deposit("SAC-VILLE") == -2


def test_the_form_shows_the_deposit_and_asks_to_confirm(client, demo):
    held = on_deposit("SAC-VILLE")
    web_login(client, "Tresoriere", "2345")
    page = client.get("/stock/consignment").get_data(as_text=True)
    assert f"{held} en dépôt" in page
    form = {"csrf_token": csrf_token(client, "/stock/consignment"), "location": "musee",
            "period": "novembre 2026", "qty-SAC-VILLE": str(held + 46)}
    refused = client.post("/stock/consignment", data=form)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "en dépôt, pas" in text and 'name="confirm"' in text
    assert count_sales() == 0
    done = client.post("/stock/consignment", data={**form, "confirm": "1"})
    assert done.status_code == 200 and "Relevé enregistré" in done.get_data(as_text=True)
    assert on_deposit("SAC-VILLE") == -46
