"""Every route, as every role: the exact answer each volunteer gets, pinned in one table.

tests/test_route_guard.py proves nothing opens without a login; this walk proves each
role stops where it must. Requests carry what a real caller has (a valid CSRF token with
the session cookie, or an API bearer token) and empty bodies: a role the guard lets
through gets the view's own answer to nothing (400, 404, 415, a redirect…), a role it
refuses gets 403, a stranger the login page (pages) or 401 (API). Remove one guard and
that route's cell changes, so this file fails.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import api_login, csrf_token, web_login

ROLES = ("anonymous", "seller", "treasurer", "admin")
DEMO_PINS = {"seller": ("Vendeuse", "3456"), "treasurer": ("Tresoriere", "2345"),
             "admin": ("Admin", "1234")}

LOGIN = "302 /login"  # a stranger on a page is sent to log in

# (method, rule) → the answer (status, or "status Location-path" for a redirect) as
# (anonymous, seller, treasurer, admin). Roles nest: an admin may do all a treasurer may,
# a treasurer all a seller may. Every route of the app is here, and only those.
EXPECTED: dict[tuple[str, str], tuple[int | str, int | str, int | str, int | str]] = {
    ("GET", "/static/<path:filename>"): (200, 200, 200, 200),
    # What the tablet needs to be a till (public): versioned files, the service worker,
    # the kiosk authority's certificate
    ("GET", "/assets/<version>/<path:filename>"): (200, 200, 200, 200),
    ("GET", "/sw.js"): (200, 200, 200, 200),
    ("GET", "/ca.pem"): (200, 200, 200, 200),
    ("GET", "/login"): (200, "302 /", "302 /", "302 /"),
    ("POST", "/login"): (400, 400, 400, 400),
    ("POST", "/logout"): (LOGIN, "302 /login", "302 /login", "302 /login"),
    # The JSON API, under /api/v1
    ("GET", "/api/v1/openapi.json"): (200, 200, 200, 200),
    ("POST", "/api/v1/login"): (415, 415, 415, 415),
    ("POST", "/api/v1/unlock"): (401, 415, 415, 415),
    ("POST", "/api/v1/cash-sessions"): (401, 415, 415, 415),
    ("GET", "/api/v1/cash-sessions"): (401, 200, 200, 200),
    ("GET", "/api/v1/cash-sessions/<int:session_id>"): (401, 404, 404, 404),
    ("POST", "/api/v1/cash-sessions/<int:session_id>/close/preview"): (401, 403, 415, 415),
    ("POST", "/api/v1/cash-sessions/<int:session_id>/close"): (401, 403, 415, 415),
    ("POST", "/api/v1/cash-sessions/<int:session_id>/z-report"): (401, 403, 404, 404),
    ("POST", "/api/v1/cash-sessions/<int:session_id>/slip"): (401, 403, 404, 404),
    ("GET", "/api/v1/locations"): (401, 200, 200, 200),
    ("GET", "/api/v1/products"): (401, 200, 200, 200),
    ("POST", "/api/v1/products"): (401, 403, 403, 415),
    ("GET", "/api/v1/envelopes"): (401, 200, 200, 200),
    ("GET", "/api/v1/envelopes/<code>/entries"): (401, 403, 404, 404),
    ("POST", "/api/v1/envelopes/<code>/spend"): (401, 403, 415, 415),
    ("POST", "/api/v1/envelopes/transfer"): (401, 403, 415, 415),
    ("GET", "/api/v1/split-rules"): (401, 403, 200, 200),
    ("POST", "/api/v1/split-rules"): (401, 403, 415, 415),
    ("GET", "/api/v1/donation-rules"): (401, 403, 200, 200),
    ("POST", "/api/v1/donation-rules"): (401, 403, 415, 415),
    ("GET", "/api/v1/journal/head"): (401, 200, 200, 200),
    ("GET", "/api/v1/printer"): (401, 200, 200, 200),
    ("GET", "/api/v1/journal/verify"): (401, 403, 200, 200),
    ("GET", "/api/v1/reports"): (401, 403, 200, 200),
    ("GET", "/api/v1/products/<sku>/label.png"): (401, 404, 404, 404),
    ("GET", "/api/v1/labels.pdf"): (401, 400, 400, 400),
    ("POST", "/api/v1/sales"): (401, 415, 415, 415),
    ("GET", "/api/v1/sales/<int:sale_id>"): (401, 404, 404, 404),
    ("GET", "/api/v1/sales"): (401, 400, 400, 400),
    ("POST", "/api/v1/tablets/heartbeat"): (401, 415, 415, 415),
    ("POST", "/api/v1/tablets/witness"): (401, 415, 415, 415),
    ("POST", "/api/v1/sales/<int:sale_id>/void"): (401, 415, 415, 415),
    ("POST", "/api/v1/sales/<int:sale_id>/refund"): (401, 403, 415, 415),
    ("POST", "/api/v1/sales/<int:sale_id>/receipt"): (401, 404, 404, 404),
    ("POST", "/api/v1/sales/<int:sale_id>/gift-receipt"): (401, 415, 415, 415),
    ("GET", "/api/v1/sales/<int:sale_id>/gift-receipt.pdf"): (401, 404, 404, 404),
    ("GET", "/api/v1/stock"): (401, 400, 400, 400),
    ("POST", "/api/v1/stock/moves"): (401, 415, 415, 415),
    ("POST", "/api/v1/consignment-statements"): (401, 403, 415, 415),
    # Partner orders (issue 19): the treasurer's; a seller only ties her sewing to one
    ("GET", "/api/v1/partners"): (401, 403, 200, 200),
    ("POST", "/api/v1/partners"): (401, 403, 415, 415),
    ("GET", "/api/v1/orders"): (401, 403, 200, 200),
    ("POST", "/api/v1/orders"): (401, 403, 415, 415),
    ("GET", "/api/v1/orders/<int:order_id>"): (401, 403, 404, 404),
    ("GET", "/api/v1/orders/<int:order_id>/quote.pdf"): (401, 403, 404, 404),
    ("POST", "/api/v1/orders/<int:order_id>/made"): (401, 415, 415, 415),
    ("POST", "/api/v1/orders/<int:order_id>/deliveries"): (401, 403, 415, 415),
    ("GET", "/api/v1/deliveries/<int:delivery_id>.pdf"): (401, 403, 404, 404),
    ("POST", "/api/v1/orders/<int:order_id>/invoice"): (401, 403, 404, 404),
    ("GET", "/api/v1/orders/<int:order_id>/invoice.pdf"): (401, 403, 404, 404),
    ("GET", "/api/v1/invoices/<int:invoice_id>.pdf"): (401, 403, 404, 404),
    ("POST", "/api/v1/invoices/<int:invoice_id>/credit-notes"): (401, 403, 415, 415),
    ("GET", "/api/v1/credit-notes/<int:note_id>.pdf"): (401, 403, 404, 404),
    ("POST", "/api/v1/orders/<int:order_id>/payments"): (401, 403, 415, 415),
    # The group's meeting (issue 30): the treasurer's
    ("GET", "/api/v1/meetings"): (401, 403, 200, 200),
    ("POST", "/api/v1/meetings"): (401, 403, 415, 415),
    ("GET", "/api/v1/meetings/<int:meeting_id>"): (401, 403, 404, 404),
    ("POST", "/api/v1/meetings/<int:meeting_id>/decisions"): (401, 403, 415, 415),
    ("GET", "/api/v1/meetings/<int:meeting_id>/minutes.pdf"): (401, 403, 404, 404),
    ("GET", "/api/v1/spend-decisions"): (401, 403, 200, 200),
    ("GET", "/meeting"): (LOGIN, 403, 200, 200),
    ("POST", "/meeting"): (LOGIN, 403, 400, 400),
    ("POST", "/meeting/settings"): (LOGIN, 403, 400, 400),
    ("GET", "/meeting/<int:meeting_id>"): (LOGIN, 403, 404, 404),
    ("POST", "/meeting/<int:meeting_id>/decisions"): (LOGIN, 403, 404, 404),
    ("POST", "/meeting/proposals"): (LOGIN, 403, 400, 400),
    ("POST", "/meeting/<int:meeting_id>/proposals/<int:proposal_id>"): (LOGIN, 403, 404, 404),
    ("GET", "/p/ce-que-vos-achats-ont-finance"): (200, 200, 200, 200),  # public, no names
    # Selling
    ("GET", "/"): (LOGIN, 200, 200, 200),
    ("GET", "/aide"): (200, 200, 200, 200),
    ("GET", "/sell"): (LOGIN, 200, 200, 200),
    ("GET", "/sell/open"): (LOGIN, 200, 200, 200),
    ("POST", "/sell/open"): (LOGIN, 400, 400, 400),
    ("GET", "/sell/team/<int:session_id>"): (LOGIN, 404, 404, 404),
    ("POST", "/sell/team/<int:session_id>"): (LOGIN, 404, 404, 404),
    ("GET", "/sell/sales/<int:sale_id>"): (LOGIN, 404, 404, 404),
    ("POST", "/sell/sales/<int:sale_id>/receipt"): (LOGIN, 404, 404, 404),
    ("POST", "/sell/sales/<int:sale_id>/refund"): (LOGIN, 403, 404, 404),
    # Stock, and the public page of a label's QR code
    ("GET", "/stock"): (LOGIN, 200, 200, 200),
    ("GET", "/stock/made"): (LOGIN, 200, 200, 200),
    ("POST", "/stock/made"): (LOGIN, 400, 400, 400),
    ("GET", "/stock/made/done"): (LOGIN, 404, 404, 404),
    ("POST", "/stock/labels/print"): (LOGIN, "302 /stock", "302 /stock", "302 /stock"),
    ("GET", "/stock/labels/progress"): (LOGIN, 404, 404, 404),
    ("GET", "/stock/take"): (LOGIN, 200, 200, 200),
    ("POST", "/stock/take"): (LOGIN, 400, 400, 400),
    ("POST", "/stock/bring-back"): (LOGIN, 400, 400, 400),
    ("GET", "/stock/count"): (LOGIN, 200, 200, 200),
    ("POST", "/stock/count"): (LOGIN, 200, 200, 200),
    ("GET", "/stock/consignment"): (LOGIN, 403, 200, 200),
    ("POST", "/stock/consignment"): (LOGIN, 403, 400, 400),
    ("GET", "/p/<sku>"): (200, 200, 200, 200),
    ("GET", "/p/photo/<name>"): (404, 404, 404, 404),
    ("GET", "/stock/swatches.css"): (LOGIN, 200, 200, 200),
    # Cash sessions, closing, exports
    ("GET", "/sessions"): (LOGIN, 200, 200, 200),
    ("GET", "/sessions/<int:session_id>/close"): (LOGIN, 403, 404, 404),
    ("POST", "/sessions/<int:session_id>/close"): (LOGIN, 403, 404, 404),
    ("GET", "/sessions/<int:session_id>"): (LOGIN, 404, 404, 404),
    ("GET", "/sessions/<int:session_id>/document/<document>"): (LOGIN, 403, 404, 404),
    ("GET", "/sessions/<int:session_id>/pdf/<document>"): (LOGIN, 403, 404, 404),
    ("POST", "/sessions/<int:session_id>/print/<document>"): (LOGIN, 403, 404, 404),
    ("GET", "/exports"): (LOGIN, 403, 200, 200),
    ("POST", "/exports"): (LOGIN, 403, 400, 400),
    ("GET", "/journal"): (LOGIN, 403, 200, 200),
    ("POST", "/journal/check"): (LOGIN, 403, "302 /journal", "302 /journal"),
    ("POST", "/exports/accounts"): (LOGIN, 403, "302 /exports", "302 /exports"),
    ("POST", "/exports/projects"): (LOGIN, 403, "302 /exports", "302 /exports"),
    ("GET", "/exports/cash-book.pdf"): (LOGIN, 403, 200, 200),
    # Envelopes and reports
    ("GET", "/envelopes"): (LOGIN, 403, 200, 200),
    ("POST", "/envelopes/spend"): (LOGIN, 403, 400, 400),
    ("POST", "/envelopes/transfer"): (LOGIN, 403, 400, 400),
    ("POST", "/envelopes/rules"): (LOGIN, 403, 400, 400),
    ("POST", "/envelopes/donations"): (LOGIN, 403, 400, 400),
    ("POST", "/envelopes/new"): (LOGIN, 403, 400, 400),
    ("GET", "/reports"): (LOGIN, 403, 200, 200),
    # Partner orders (issue 19)
    ("GET", "/orders"): (LOGIN, 403, 200, 200),
    ("GET", "/orders/new"): (LOGIN, 403, 200, 200),
    ("POST", "/orders/new"): (LOGIN, 403, 400, 400),
    ("GET", "/orders/<int:order_id>"): (LOGIN, 403, 404, 404),
    ("POST", "/orders/<int:order_id>/deliveries"): (LOGIN, 403, 404, 404),
    ("POST", "/orders/<int:order_id>/invoice"): (LOGIN, 403, 404, 404),
    ("POST", "/orders/<int:order_id>/payments"): (LOGIN, 403, 404, 404),
    ("POST", "/orders/invoices/<int:invoice_id>/credit-notes"): (LOGIN, 403, 404, 404),
    ("GET", "/orders/documents/<kind>/<int:ref_id>"): (LOGIN, 403, 404, 404),
    ("GET", "/orders/documents/<kind>/<int:ref_id>.pdf"): (LOGIN, 403, 404, 404),
    ("POST", "/orders/deliveries/<int:delivery_id>/print"): (LOGIN, 403, 404, 404),
    ("GET", "/orders/partners"): (LOGIN, 403, 200, 200),
    ("POST", "/orders/partners"): (LOGIN, 403, 400, 400),
    ("POST", "/orders/partners/<int:partner_id>"): (LOGIN, 403, 404, 404),
    ("GET", "/orders/settings"): (LOGIN, 403, 200, 200),
    ("POST", "/orders/settings"): (LOGIN, 403, 400, 400),
    ("GET", "/reports/<name>.csv"): (LOGIN, 403, 404, 404),
    ("GET", "/reports/impact"): (LOGIN, 403, 200, 200),
    ("GET", "/reports/impact.pdf"): (LOGIN, 403, 200, 200),
    # The coordinator's pages
    ("GET", "/admin/products"): (LOGIN, 403, 403, 200),
    ("GET", "/admin/products/new"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/products/new"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/products/<int:product_id>"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/products/<int:product_id>"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/lots"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/lots"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/labels"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/labels"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/categories"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/categories"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/categories/<code>"): (LOGIN, 403, 403, 400),
    # The first start (kiosk/start): a started database sends everyone home
    ("GET", "/start"): ("302 /", "302 /", "302 /", "302 /"),
    ("POST", "/start/demo"): ("302 /", "302 /", "302 /", "302 /"),
    ("GET", "/start/real"): ("302 /", "302 /", "302 /", "302 /"),
    ("POST", "/start/real"): ("302 /", "302 /", "302 /", "302 /"),
    ("POST", "/start/empty-demo"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/printer"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/printer/test"): (LOGIN, 403, 403, "303 /admin/printer"),
    ("POST", "/admin/printer/retry"): (LOGIN, 403, 403, "303 /admin/printer"),
    ("POST", "/admin/printer/found"): (LOGIN, 403, 403, 400),  # no printer of that url
    ("GET", "/sessions/find"): (LOGIN, 400, 400, 400),
    ("GET", "/clock"): (200, 200, 200, 200),
    ("GET", "/admin/clock"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/clock"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/printer/receipts"): (LOGIN, 403, 403, "303 /admin/printer"),
    ("GET", "/admin/"): (LOGIN, 403, 403, 200),
    ("GET", "/admin/tablet"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/users"): (LOGIN, 403, 403, 400),
    ("GET", "/admin/users/<int:user_id>"): (LOGIN, 403, 403, 200),
    ("POST", "/admin/users/<int:user_id>/pin"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/users/<int:user_id>/role"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/users/<int:user_id>/active"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/tokens"): (LOGIN, 403, 403, 400),
    ("POST", "/admin/tokens/revoke"): (LOGIN, 403, 403, 400),
}

# Where a made-up argument would only say 404, a real one shows the route is public.
SAMPLE_URLS = {"/static/<path:filename>": "/static/css/kiosk.css",
               "/assets/<version>/<path:filename>": "/assets/0/css/kiosk.css",
               "/p/<sku>": "/p/SAC-VILLE"}


def _url(rule: str) -> str:
    if rule in SAMPLE_URLS:
        return SAMPLE_URLS[rule]
    return re.sub(r"<[^>]+>", "X", re.sub(r"<int:[^>]+>", "1", rule))


def _routes(app) -> list[tuple[str, str]]:
    return [(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _answer(response) -> int | str:
    response.close()  # (static files are streamed)
    if 300 <= response.status_code < 400:
        return f"{response.status_code} {urlsplit(response.headers['Location']).path}"
    return response.status_code


def test_the_table_lists_every_route_of_the_app(app):
    routes = set(_routes(app))
    assert sorted(routes - EXPECTED.keys()) == [], "a route has no line in EXPECTED"
    assert sorted(EXPECTED.keys() - routes) == [], "EXPECTED names a route the app lacks"


def test_the_table_nests_the_roles():
    """A role refused a route means every lower role is refused it too."""
    for route, answers in EXPECTED.items():
        refused = [answer in (403, 401, LOGIN) for answer in answers]
        assert refused == sorted(refused, reverse=True), route


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_expected_answer(demo, role):
    app = demo
    client, bearer = app.test_client(), app.test_client()
    token_headers: dict[str, str] = {}
    if role != "anonymous":
        name, pin = DEMO_PINS[role]
        assert web_login(client, name, pin).status_code == 302
        token_headers = api_login(bearer, name, pin)
    cookie_headers = {"X-CSRFToken": csrf_token(client)}
    wrong = []
    for method, rule in _routes(app):
        url = _url(rule)
        expected = EXPECTED.get((method, rule), ("not in EXPECTED",) * len(ROLES))
        expected = expected[ROLES.index(role)]
        if rule.startswith("/api/"):
            by_token = _answer(bearer.open(url, method=method, headers=token_headers))
            # The pages call the API with their cookie: that door must answer the same.
            by_cookie = _answer(client.open(url, method=method, headers=cookie_headers))
            if by_token != expected or by_cookie != expected:
                wrong.append(f"{method} {rule} as {role}: expected {expected}, got "
                             f"{by_token} with a token, {by_cookie} with the cookie")
        else:
            got = _answer(client.open(url, method=method, headers=cookie_headers))
            if got != expected:
                wrong.append(f"{method} {rule} as {role}: expected {expected}, got {got}")
        if rule == "/logout" and role != "anonymous":  # walk on, logged in again
            assert web_login(client, name, pin).status_code == 302
            cookie_headers = {"X-CSRFToken": csrf_token(client)}
    assert not wrong, "\n".join(wrong)
