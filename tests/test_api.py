"""The API skeleton: token login, JSON errors for every bad input, the OpenAPI document."""

from __future__ import annotations

import pytest

from kiosk.api.openapi import openapi_path


def test_login_answers_a_token(demo, client):
    response = client.post("/api/v1/login", json={"user": "Vendeuse", "pin": "3456"})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["token"]) > 30 and body["role"] == "seller"


@pytest.mark.parametrize("body, field", [
    ({"user": "Vendeuse"}, "pin"),
    ({"pin": "3456"}, "user"),
    ({"user": "Vendeuse", "pin": 3456}, "pin"),
    ({"user": "Vendeuse", "pin": "34a6"}, "pin"),
    ({"user": "Vendeuse", "pin": "123"}, "pin"),
    ({"user": "Vendeuse", "pin": "1234567"}, "pin"),
    ({"user": "x" * 121, "pin": "3456"}, "user"),
    ({"user": "", "pin": "3456"}, "user"),
    ({"user": "Vend\u0000euse", "pin": "3456"}, "user"),
    ({"user": ["Vendeuse"], "pin": "3456"}, "user"),
    ({"user": "Vendeuse", "pin": "3456", "admin": True}, "admin"),
])
def test_bad_login_bodies_get_a_clear_400(demo, client, body, field):
    response = client.post("/api/v1/login", json=body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] == "invalid"
    assert error["message"].endswith("Corrigez ce qui a été tapé, puis recommencez.")
    assert error["fields"][0]["field"] == field


def test_not_json_at_all(demo, client):
    assert client.post("/api/v1/login", data="user=Vendeuse").status_code == 415
    broken = client.post("/api/v1/login", data="{not json",
                         headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.get_json()["error"] == "invalid"
    array = client.post("/api/v1/login", json=[1, 2])
    assert array.status_code == 400


def test_huge_body_is_refused(demo, client):
    response = client.post("/api/v1/login", data="x" * (9 * 1024 * 1024),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


def test_wrong_pin_and_unknown_user_look_the_same(demo, client):
    wrong = client.post("/api/v1/login", json={"user": "Vendeuse", "pin": "0000"})
    nobody = client.post("/api/v1/login", json={"user": "Personne", "pin": "0000"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.get_json() == nobody.get_json()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
    {"Authorization": "Bearer "},
])
def test_protected_routes_need_a_valid_token(demo, client, headers):
    response = client.get("/api/v1/journal/head", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_unknown_routes_and_methods_answer_json(demo, client, seller_headers):
    missing = client.get("/api/v1/nothing-here", headers=seller_headers)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong_method = client.delete("/api/v1/journal/head", headers=seller_headers)
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"] == "method_not_allowed"


def test_cookie_session_api_posts_need_the_csrf_header(demo, client):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Vendeuse", "3456")
    assert client.get("/api/v1/journal/head").status_code == 200  # reads are fine
    body = {"name": "Vente", "location": "ikea", "opening_float": {}}
    refused = client.post("/api/v1/cash-sessions", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert client.get("/api/v1/cash-sessions").get_json() == []  # nothing was opened
    accepted = client.post("/api/v1/cash-sessions", json=body,
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert accepted.status_code == 201


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_json":
            continue
        path = openapi_path(rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routed.add((path, method.lower()))
    assert routed == documented
    login = spec["paths"]["/login"]["post"]
    assert login["security"] == []
    schema = spec["components"]["schemas"]["LoginBody"]
    assert schema["properties"]["pin"]["pattern"] == "^[0-9]{4,6}$"


def test_journal_verify_for_treasurers(demo, client, treasurer_headers):
    body = client.get("/api/v1/journal/verify", headers=treasurer_headers).get_json()
    assert body["ok"] is True and body["problems"] == []
    head = client.get("/api/v1/journal/head", headers=treasurer_headers).get_json()
    assert head["entries"] == body["entries"] > 0 and head["hash"] == body["hash"]


def test_english_messages_on_request(demo, client):
    response = client.post("/api/v1/login?lang=en", json={"user": "Vendeuse"})
    assert response.get_json()["message"] == (
        "The PIN: to be filled in. Correct what was typed, then try again.")
