"""Odd input gets a clear 4xx, never a 5xx (issue 15, point 10): ids too large for the
databases in paths, queries and bodies; Unicode digits in counters; "sNaN" in a length;
dates at the calendar's ends; NUL bytes and other control characters anywhere."""

from __future__ import annotations

import pytest

from tests.conftest import api_login, csrf_token, web_login

BIG = str(2**63)
PAGES = [f"/sessions/{BIG}", f"/admin/products/{BIG}", f"/sell/sales/{BIG}",
         f"/sessions/{2**31}/document/z_report",
         "/reports?from=0001-01-01&to=9999-12-31", "/reports?from=9999-12-31&to=9999-12-31",
         "/p/X%00Y", "/sell?x=%1B%40"]
API_GETS = [f"/api/v1/sales/{BIG}", f"/api/v1/sales/{2**31}",
            f"/api/v1/sales?cash_session_id={BIG}", "/api/v1/sales?cash_session_id=%C2%B2",
            "/api/v1/stock?location=%00", "/api/v1/products/%00/label.png",
            "/api/v1/labels.pdf?sku=SAC-IKEA&copies=99999999999999999999"]
FORMS = [("/sell/open", {"name": "Vente IKEA", "location": "ikea", "d1000": "²"}),
         ("/exports", {"date_from": "0001-01-01", "date_to": "9999-12-31", "format": "csv"}),
         ("/exports", {"date_from": "9999-12-31", "date_to": "9999-12-31",
                       "format": "paheko"}),
         ("/stock/made", {"sku": "SAC-IKEA", "qty": "²"}),
         ("/stock/made", {"sku": "SAC\x00", "qty": "1"}),
         ("/sell/open", {"name": "Caisse\x1b@\x1dV\x00", "location": "ikea"}),
         ("/admin/labels", {"label_w": "sNaN", "label_h": "Infinity"})]
API_POSTS = [("/api/v1/sales", {"client_id": "00000000-0000-0000-0000-000000000001",
                                "cash_session_id": 2**63, "payments": [],
                                "lines": [{"sku": "SAC-IKEA", "qty": 1}]}),
             (f"/api/v1/sales/{2**40}/refund", {"reason": "x"}),
             ("/api/v1/cash-sessions", {"name": "a\u0000", "location": "ikea",
                                        "opening_float": {}})]


def assert_refused(response, what: str) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code)


@pytest.fixture
def admin(demo, client):
    web_login(client, "Admin", "1234")
    return api_login(client, "Admin", "1234")


@pytest.mark.parametrize("path", PAGES)
def test_odd_pages_are_refused(admin, client, path):
    assert_refused(client.get(path), path)


@pytest.mark.parametrize("path", API_GETS)
def test_odd_api_reads_are_refused(admin, client, path):
    answer = client.get(path, headers=admin)
    assert_refused(answer, path)
    assert answer.get_json()["message"]  # a sentence, as every API error


@pytest.mark.parametrize(("path", "form"), FORMS)
def test_odd_forms_are_refused(admin, client, path, form):
    assert_refused(client.post(path, data={"csrf_token": csrf_token(client, "/sell"),
                                           **form}), path)


@pytest.mark.parametrize(("path", "body"), API_POSTS)
def test_odd_api_bodies_are_refused(admin, client, path, body):
    assert_refused(client.post(path, json=body, headers=admin), path)


def test_a_nul_in_the_login_name_is_refused(demo, client):
    answer = client.post("/login", data={"csrf_token": csrf_token(client),
                                         "user": "Vendeuse\x00", "pin": "3456"})
    assert answer.status_code == 400
    assert "caractère invisible" in answer.get_data(as_text=True)


def test_a_note_may_hold_line_breaks(demo, client):
    web_login(client, "Vendeuse", "3456")
    answer = client.post("/stock/made", data={"csrf_token": csrf_token(client, "/stock/made"),
                                              "sku": "SAC-IKEA", "qty": "1",
                                              "note": "deux\r\nlignes\tet une tabulation"})
    assert answer.status_code in (200, 302), answer.status_code


def test_the_apis_refusals_are_french_sentences(demo, client, seller_headers):
    dirty = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Caisse\x1b@", "location": "ikea", "opening_float": {}})
    assert dirty.status_code == 400
    assert "caractère invisible" in dirty.get_json()["message"]
    odd = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Caisse", "location": "ikea", "opening_float": {"3": 1}})
    assert odd.status_code == 400
    message = odd.get_json()["message"]
    assert "3 n'est pas un billet ou une pièce en euros" in message
    assert "denomination" not in message and "not allowed" not in dirty.get_json()["message"]
