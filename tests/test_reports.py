"""The reports page: figures that add up to what was sold and made."""

from __future__ import annotations

import uuid

from tests.conftest import web_login


def test_reports_show_sales_by_event_product_and_the_impact(client, seller_headers):
    opened = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Vente de Noël", "location": "ikea", "opening_float": {}}).get_json()
    for qty in (1, 2):
        client.post("/api/v1/sales", headers=seller_headers, json={
            "client_id": str(uuid.uuid4()), "cash_session_id": opened["id"],
            "lines": [{"sku": "TAB-IKEA", "qty": qty}],
            "payments": [{"method": "card", "amount_cents": 1400 * qty}]})
    web_login(client, "Tresoriere", "2345")
    page = client.get("/reports").get_data(as_text=True)
    assert "Vente de Noël" in page
    assert "Tablier IKEA" in page
    assert "42,00" in page  # 3 aprons at 14 €
    # The demo sewed 20 of each of 12 products: 240 pieces, their banner area in m².
    assert "240</strong>" in page
    assert "77,2 m²" in page  # 20 pieces × 3.86 m² of banner for the 12 products


def test_reports_refuse_nonsense_dates_plainly(client, treasurer_headers):
    web_login(client, "Tresoriere", "2345")
    response = client.get("/reports?from=2026-13-45")
    assert response.status_code == 400
    assert "AAAA-MM-JJ" in response.get_data(as_text=True)


def test_sellers_do_not_see_reports(client, seller_headers):
    web_login(client, "Vendeuse", "3456")
    assert client.get("/reports").status_code == 403
