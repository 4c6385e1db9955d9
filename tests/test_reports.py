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


def _row(page: str, label: str) -> list[str]:
    """The cells of the report row whose first cell starts with `label`."""
    import re

    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
        if cells and cells[0].startswith(label):
            return cells
    raise AssertionError(f"no row {label!r}")


def test_reports_count_sales_voids_and_refunds_apart_as_the_z_does(
        client, seller_headers, treasurer_headers):
    from babel.dates import format_date

    from kiosk.database import utcnow
    from kiosk.vocabulary import PARIS
    from tests.closing_helpers import sales_day

    sales_day(client, seller_headers, treasurer_headers)  # 5 sales, 1 voided, 1 refunded
    web_login(client, "Tresoriere", "2345")
    page = client.get("/reports").get_data(as_text=True)
    # 5 sales of 6 pieces, a void and a refund of one each: 4 pieces, 47,50 € net
    assert _row(page, "Vente IKEA (")[1:] == ["5", "1", "1", "4", "47,50\xa0€"]
    today = utcnow().astimezone(PARIS).date()
    month = format_date(today, "LLLL yyyy", locale="fr")  # "décembre 2026"
    assert _row(page, month) == [month, "5", "1", "1", "4", "47,50\xa0€"]
    assert f"<td>{today:%Y-%m}</td>" not in page
    english = client.get("/reports?lang=en").get_data(as_text=True)
    assert _row(english, format_date(today, "LLLL yyyy", locale="en"))[1:4] == ["5", "1", "1"]
