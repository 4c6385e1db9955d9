"""The treasurer finds an earlier sale: each drawer's page lists its sales, and /sessions
finds a sale by its ticket number and opens it (to refund or reprint it from there)."""

from __future__ import annotations

import re
from html import unescape

from tests.closing_helpers import open_session, sell
from tests.conftest import csrf_token, web_login


def rows(page: str) -> dict[str, str]:
    """Each listed sale's row text, by ticket number."""
    found = re.findall(r'<tr data-sale="([^"]+)">(.*?)</tr>', page, re.S)
    return {number: " ".join(re.sub(r"<[^>]+>", " ", row).split()) for number, row in found}


def test_a_drawers_page_lists_its_sales_with_time_total_method_and_state(
        demo, client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    cash = sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}]).get_json()
    card = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 2}],
                [{"method": "card", "amount_cents": 800}]).get_json()
    mixed = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                 [{"method": "cheque", "amount_cents": 1000},
                  {"method": "cash", "amount_cents": 400}]).get_json()
    refund = client.post(f"/api/v1/sales/{card['id']}/refund", headers=treasurer_headers,
                         json={"reason": "Abîmée"}).get_json()
    void = client.post(f"/api/v1/sales/{mixed['id']}/void", headers=seller_headers,
                       json={"reason": "Erreur"}).get_json()
    web_login(client, "Tresoriere", "2345")
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    listed = rows(page)
    assert list(listed) == [cash["number"], card["number"], mixed["number"],
                            refund["number"], void["number"]]
    assert re.fullmatch(r"\S+ \d\d:\d\d 18,00 € Espèces Vente", listed[cash["number"]])
    assert f"8,00 € Carte bancaire remboursée ({refund['number']})" in listed[card["number"]]
    assert "14,00 € Chèque, Espèces annulée" in listed[mixed["number"]]
    assert f"Remboursement de {card['number']}" in listed[refund["number"]]
    assert f'href="/sell/sales/{card["id"]}"' in page


def test_the_search_by_ticket_number_opens_the_sale_and_its_refund(
        demo, client, seller_headers):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 1800}]).get_json()
    web_login(client, "Tresoriere", "2345")
    assert 'action="/sessions/find"' in client.get("/sessions").get_data(as_text=True)
    year, seq = sold["number"].split("-")
    for typed in (sold["number"], f"{year}-{int(seq)}", str(int(seq)), f" {sold['number']} "):
        found = client.get("/sessions/find", query_string={"number": typed})
        assert found.status_code == 302, typed
        assert found.headers["Location"] == f"/sell/sales/{sold['id']}"
    page = client.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert 'name="reason"' in page and "Rembourser" in page
    refund = client.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": csrf_token(client, f"/sell/sales/{sold['id']}"),
        "reason": "Couture défaite", "qty-SAC-VILLE": "1"})
    assert refund.status_code == 302

    missing = client.get("/sessions/find", query_string={"number": f"{year}-999999"})
    assert missing.status_code == 404
    assert f"Aucun ticket n'a le numéro {year}-999999" in unescape(missing.get_data(as_text=True))
    nonsense = client.get("/sessions/find", query_string={"number": "douze"})
    assert nonsense.status_code == 400
    assert "par exemple 2026-000123" in nonsense.get_data(as_text=True)
    assert 'value="douze"' in nonsense.get_data(as_text=True)
