"""Every refusal a volunteer can meet says what happened and what to do, in plain French
(or English): no field path such as "payments.0.amount_cents", no bare limit in cents, and
a huge amount is "too big", never "not positive"."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest

from tests.closing_helpers import open_session
from tests.conftest import csrf_token, web_login

TECHNICAL = re.compile(r"\w\.\d|_cents|_id\b|\b\d{7,}\b")
WHAT_TO_DO = re.compile(r"([Cc]orrigez|[Vv]érifiez|recopiez|[ÉéEe]crivez|[Tt]ouchez)")


def plain(text: str) -> str:
    return " ".join(unescape(text).replace("\u202f", " ").replace("\u00a0", " ").split())


def sale_body(session_id: int, **changes) -> dict:
    body = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": "SAC-VILLE", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 2000}]}
    body.update(changes)
    return body


def test_a_huge_cash_amount_on_the_sale_screen_reads_as_a_sentence(
        client, seller_headers):
    session_id = open_session(client, seller_headers)
    response = client.post("/api/v1/sales", headers=seller_headers, json=sale_body(
        session_id, payments=[{"method": "cash", "amount_cents": 100_000_001}]))
    assert response.status_code == 400
    body = response.get_json()
    assert body["fields"][0]["field"] == "payments.0.amount_cents"  # for programs
    message = plain(body["message"])
    assert message == ("Le montant : c'est trop, 1 000 000,00 € au plus. Corrigez ce qui a "
                       "été tapé, puis recommencez.")
    english = client.post("/api/v1/sales?lang=en", headers=seller_headers, json=sale_body(
        session_id, lines=[{"sku": "SAC-VILLE", "qty": 1000}]))
    assert plain(english.get_json()["message"]) == (
        "The quantity: too much, 999 at most. Correct what was typed, then try again.")


@pytest.mark.parametrize("path, body", [
    ("/api/v1/sales", {"lines": [{"sku": "SAC-VILLE", "qty": 0}]}),
    ("/api/v1/sales", {"lines": []}),
    ("/api/v1/sales", {"payments": [{"method": "cash", "amount_cents": 0}]}),
    ("/api/v1/sales", {"payments": [{"method": "bitcoin", "amount_cents": 100}]}),
    ("/api/v1/sales", {"lines": [{"sku": "SAC-VILLE", "qty": 1, "unit_price_cents": 10**7}]}),
    ("/api/v1/sales", {"donation_cents": 10**7}),
    ("/api/v1/cash-sessions", {"name": "", "location": "ikea", "opening_float": {}}),
    ("/api/v1/cash-sessions", {"name": "IKEA", "location": "ikea",
                               "opening_float": {"1000": 10000}}),
    ("/api/v1/envelopes/loisirs/spend", {"amount_cents": 10**9, "label": "Goûter"}),
    ("/api/v1/envelopes/loisirs/spend", {"amount_cents": 0, "label": "Goûter"}),
    ("/api/v1/envelopes/transfer", {"from": "loisirs", "to": "solidarite",
                                    "amount_cents": 10**9, "label": "Réunion"}),
    ("/api/v1/stock/moves", {"sku": "SAC-VILLE", "qty": 5000, "reason": "production"}),
])
def test_the_apis_refusals_name_no_field_path_and_say_what_to_do(
        client, seller_headers, treasurer_headers, path, body):
    session_id = open_session(client, seller_headers)
    if path == "/api/v1/sales":
        body = sale_body(session_id, **body)
    response = client.post(path, headers=treasurer_headers, json=body)
    assert response.status_code == 400, response.get_json()
    message = plain(response.get_json()["message"])
    assert not TECHNICAL.search(message), message
    assert WHAT_TO_DO.search(message), message


def test_the_services_limits_on_amounts_say_too_big_not_not_positive(
        client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    cheque = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json={
                             "counted": {}, "cheques": [{"amount_cents": 10**9}],
                             "card_total_cents": 0})
    card = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                       headers=treasurer_headers, json={
                           "counted": {}, "cheques": [], "card_total_cents": 10**9})
    for response in (cheque, card):
        assert response.status_code == 400
        message = plain(response.get_json()["message"])
        assert "positi" not in message and "1 000 000" in message, message


@pytest.mark.parametrize("form", ["spend", "transfer"])
def test_a_huge_envelope_amount_says_too_big(demo, client, form):
    web_login(client, "Tresoriere", "2345")
    data = {"csrf_token": csrf_token(client, "/envelopes"), "amount": "99999999999",
            "label": "Goûter", "envelope": "loisirs", "from": "loisirs", "to": "solidarite"}
    response = client.post(f"/envelopes/{form}", data=data)
    assert response.status_code == 400
    page = plain(response.get_data(as_text=True))
    assert "Ce montant est trop grand : 1 000 000,00 € au plus." in page
    assert "positif" not in page
    zero = client.post(f"/envelopes/{form}", data={**data, "amount": "0"})
    assert "Le montant doit être plus grand que 0" in plain(zero.get_data(as_text=True))


def test_a_tablet_whose_login_ended_is_told_to_log_in_again_in_words(
        demo, client, seller_headers, runner):
    session_id = open_session(client, seller_headers)
    tablet = demo.test_client()
    web_login(tablet, "Vendeuse", "3456")
    csrf = csrf_token(tablet, "/sell")
    runner.invoke(args=["set-pin", "Vendeuse", "--pin", "9753"])  # her logins end
    ended = tablet.post("/api/v1/sales", headers={"X-CSRFToken": csrf},
                        json=sale_body(session_id))
    assert ended.status_code == 401
    message = ended.get_json()["message"]
    assert "/api/v1" not in message and "jeton" not in message
    assert "reconnectez-vous avec votre prénom et votre code" in message
    web_login(tablet, "Vendeuse", "9753")
    stale = tablet.post("/api/v1/sales", headers={"X-CSRFToken": "périmé"},
                        json=sale_body(session_id))
    assert stale.status_code == 400 and "CSRF" not in stale.get_json()["message"]
    assert "Rechargez la page" in stale.get_json()["message"]
    program = client.post("/api/v1/sales", json=sale_body(session_id))
    assert "POST /api/v1/login" in program.get_json()["message"]  # a program is told how
