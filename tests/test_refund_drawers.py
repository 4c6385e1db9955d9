"""A refund's money leaves a drawer: the original one while it is open, else the open one
at the same place, else the one the treasurer chooses; never "no drawer". The refund form
offers only what is left to refund."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.ledger.journal import verify
from kiosk.models import EnvelopeEntry, Sale
from kiosk.models.sales import SaleKind
from tests.closing_helpers import FLOAT, close_body, open_session, sell
from tests.conftest import csrf_token, web_login


def close(client, treasurer_headers, session_id, counted):
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers,
                           json=close_body(counted=counted, cheques=[], card=0))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def refunds() -> int:
    return db.session.scalar(select(func.count()).select_from(Sale).where(
        Sale.kind == SaleKind.REFUND))


def test_a_refund_after_its_drawer_closed_comes_out_of_the_open_drawer_and_the_envelopes(
        demo, client, seller_headers, treasurer_headers):
    saturday = open_session(client, seller_headers, name="Vente IKEA samedi")
    sold = sell(client, seller_headers, saturday, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 1800}]).get_json()
    close(client, treasurer_headers, saturday, {"1000": 4, "200": 4})  # 48,00 €

    # No drawer open anywhere: refused, in words, nothing written.
    refused = client.post(f"/api/v1/sales/{sold['id']}/refund", headers=treasurer_headers,
                          json={"reason": "Couture défaite"})
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "no_open_drawer"
    assert "Ouvrez une caisse" in refused.get_json()["message"]
    assert refunds() == 0
    treasurer = demo.test_client()
    web_login(treasurer, "Tresoriere", "2345")
    page = treasurer.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert "Aucune caisse n'est ouverte" in page and 'name="reason"' not in page

    # Sunday's drawer at the same place is offered first, and the cash leaves it.
    sunday = open_session(client, seller_headers, name="Vente IKEA dimanche")
    page = treasurer.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert re.search(rf'<option value="{sunday}" selected>', page), page
    done = treasurer.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": csrf_token(treasurer, f"/sell/sales/{sold['id']}"),
        "reason": "Couture défaite", "qty-SAC-VILLE": "1", "drawer": str(sunday)})
    assert done.status_code == 302
    refund = db.session.scalar(select(Sale).where(Sale.kind == SaleKind.REFUND))
    assert (refund.cash_session_id, refund.total_cents) == (sunday, -1800)
    preview = client.post(f"/api/v1/cash-sessions/{sunday}/close/preview",
                          headers=treasurer_headers, json=close_body(cheques=[], card=0))
    assert preview.get_json()["expected_cash_cents"] == 3000 - 1800

    # Sunday's close takes the refund back from the envelopes, as Saturday's put it in.
    closed = close(client, treasurer_headers, sunday, {"200": 6})  # 12,00 € = 30 − 18
    assert closed["revenue_cents"] == -1800 and closed["difference_cents"] == 0
    assert sum(closed["allocations"].values()) == -1800
    envelopes = db.session.scalar(select(func.sum(EnvelopeEntry.amount_cents)).where(
        EnvelopeEntry.kind == "takings"))
    assert envelopes == 1800 - 1800
    assert verify(db.session).ok


def test_the_treasurer_chooses_the_drawer_and_a_closed_one_is_refused(
        demo, client, seller_headers, treasurer_headers):
    ikea = open_session(client, seller_headers)
    sold = sell(client, seller_headers, ikea, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).get_json()
    close(client, treasurer_headers, ikea, {**FLOAT, "200": 7})
    workshop = open_session(client, seller_headers, location="atelier", name="Atelier")
    wrong = client.post(f"/api/v1/sales/{sold['id']}/refund", headers=treasurer_headers,
                        json={"reason": "Abîmée", "cash_session_id": ikea})
    assert wrong.status_code == 409 and "fermée" in wrong.get_json()["message"]
    done = client.post(f"/api/v1/sales/{sold['id']}/refund", headers=treasurer_headers,
                       json={"reason": "Abîmée", "cash_session_id": workshop})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["cash_session_id"] == workshop


def test_the_refund_form_offers_only_what_is_left_to_refund(
        demo, client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id,
                [{"sku": "ETIQ-TGV", "qty": 3}, {"sku": "SAC-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 3000}]).get_json()
    treasurer = demo.test_client()
    web_login(treasurer, "Tresoriere", "2345")
    first = client.post(f"/api/v1/sales/{sold['id']}/refund", headers=treasurer_headers,
                        json={"reason": "Abîmés", "lines": [{"sku": "SAC-IKEA", "qty": 1},
                                                            {"sku": "ETIQ-TGV", "qty": 1}]})
    assert first.status_code == 201, first.get_json()
    page = treasurer.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert 'name="qty-SAC-IKEA"' not in page
    assert re.search(r'name="qty-ETIQ-TGV" value="2"', page) and 'max="2"' in page
    # Leaving the quantity as offered refunds what is left, once.
    done = treasurer.post(f"/sell/sales/{sold['id']}/refund", data={
        "csrf_token": csrf_token(treasurer, f"/sell/sales/{sold['id']}"),
        "reason": "Abîmées aussi", "qty-ETIQ-TGV": "2"})
    assert done.status_code == 302 and refunds() == 2
    page = treasurer.get(f"/sell/sales/{sold['id']}").get_data(as_text=True)
    assert 'name="reason"' not in page and "Tout ce qui pouvait être remboursé" in page
