"""A sales day shared by the closing tests: a float, cash with change, a cheque, a card,
a void and a refund, then the expected figures."""

from __future__ import annotations

import uuid

FLOAT = {"1000": 2, "200": 5}  # 30,00 €
# Cash: +36,00 (50 handed, 14 change) +14,00 −14,00 (void) +16,00 −16,00 (refund) = 36,00
EXPECTED_CASH = 3000 + 3600
REVENUE = 3600 + 750 + 400  # the voided and refunded sales cancel out
SHORT_BY_ONE_EURO = {"5000": 1, "1000": 1, "200": 2, "100": 1}  # 65,00 €


def expected_cash(session, cash_session_id: int) -> int:
    """Float + cash in − change − cash refunds, in cents, as closing computes it."""
    from kiosk.services.closing import session_totals

    return session_totals(session, cash_session_id).expected_cash_cents


def open_session(client, headers, location="ikea", counts=None, name="Vente IKEA"):
    response = client.post("/api/v1/cash-sessions", headers=headers, json={
        "name": name, "location": location,
        "opening_float": FLOAT if counts is None else counts})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sell(client, headers, session_id, lines, payments):
    response = client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": lines, "payments": payments})
    return response


def sales_day(client, seller_headers, treasurer_headers) -> int:
    """Opens the IKEA drawer and sells a day; returns the session's id."""
    session_id = open_session(client, seller_headers)

    def ok(response):
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    ok(sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": 2}],
            [{"method": "cash", "amount_cents": 5000}]))
    ok(sell(client, seller_headers, session_id, [{"sku": "POCH-VILLE", "qty": 1}],
            [{"method": "cheque", "amount_cents": 750}]))
    ok(sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
            [{"method": "card", "amount_cents": 400}]))
    refunded = ok(sell(client, seller_headers, session_id, [{"sku": "LINGE-IKEA", "qty": 1}],
                       [{"method": "cash", "amount_cents": 2000}]))
    voided = ok(sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                     [{"method": "cash", "amount_cents": 1400}]))
    ok(client.post(f"/api/v1/sales/{voided['id']}/void", headers=seller_headers,
                   json={"reason": "Mauvais article touché"}))
    ok(client.post(f"/api/v1/sales/{refunded['id']}/refund", headers=treasurer_headers,
                   json={"reason": "Couture défaite"}))
    return session_id


def close_body(counted=None, cheques=None, card=400):
    return {"counted": SHORT_BY_ONE_EURO if counted is None else counted,
            "cheques": [{"amount_cents": 750, "drawer": "Mme Dupré"}]
            if cheques is None else cheques,
            "card_total_cents": card}
