"""Walks every route: nothing opens without a login, and no input makes a 5xx."""

from __future__ import annotations

import re

import pytest

# main.clock_check: the login page too warns of a wrong server clock (it tells only that);
# main.guide: the guide in pictures, for a volunteer who cannot log in yet.
PUBLIC_ENDPOINTS = {"static", "auth.login", "api.login", "api.openapi_json",
                    "main.clock_check",
                    "main.guide",  # /aide: how it goes, for a volunteer not logged in yet
                    # the first page of a new database (no volunteer yet); a started one
                    # sends them home (test_roles.py, test_first_start.py)
                    "start.index", "start.demo", "start.real",
                    "tablet.asset", "tablet.service_worker", "tablet.ca_pem"}
PUBLIC_PREFIXES = ("/p/",)  # the page a customer sees when scanning a label


def _concrete(rule: str) -> str:
    url = re.sub(r"<int:[^>]+>", "1", rule)
    return re.sub(r"<[^>]+>", "X", url)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, _concrete(rule.rule)


def test_no_route_opens_without_a_login(demo, client):
    checked = 0
    for endpoint, method, url in _routes(demo):
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, url, response.status_code)
            assert response.get_json()["error"] == "unauthorized"
        elif method == "GET":
            assert response.status_code == 302, (endpoint, url, response.status_code)
            assert "/login" in response.headers["Location"]
        else:  # a page POST without CSRF token or login changes nothing
            assert response.status_code in (400, 302), (endpoint, method, url)
        checked += 1
    assert checked >= 10


GARBAGE = [None, "not json", [], {}, {"unexpected": True}, {"x": "\u0000" * 10},
           {"amount_cents": "12"}, {"qty": 1e309}]


@pytest.mark.parametrize("body", GARBAGE, ids=lambda b: repr(b)[:20])
def test_api_never_answers_5xx_to_garbage(demo, client, admin_headers, body):
    for endpoint, method, url in _routes(demo):
        if not url.startswith("/api/"):
            continue
        if body is None:
            response = client.open(url, method=method, headers=admin_headers)
        elif isinstance(body, str):
            response = client.open(url, method=method, data=body, headers={
                **admin_headers, "Content-Type": "application/json"})
        else:
            response = client.open(url, method=method, json=body, headers=admin_headers)
        assert response.status_code < 500, (endpoint, method, url, body)
        if response.status_code >= 400:
            error = response.get_json()
            assert error and error["error"] and error["message"], (endpoint, url)


def test_api_query_garbage(demo, client, admin_headers):
    for endpoint, method, url in _routes(demo):
        if method != "GET" or not url.startswith("/api/"):
            continue
        for query in ("?location=%00", "?cash_session_id=-1", "?sku=" + "x" * 5000,
                      "?copies=abc", "?from=2026-13-45"):
            response = client.get(url + query, headers=admin_headers)
            assert response.status_code < 500, (endpoint, url + query)
