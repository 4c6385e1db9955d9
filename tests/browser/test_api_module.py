"""The sale screen's API client (static/js/api.js) alone, from a blank page.

Playwright answers the calls in place of the server, so each test sees the very request
the tablet sends (URL, headers, cookie, body) and what the screen is told back.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.modules import import_module

pytestmark = pytest.mark.browser

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NETWORK = "Le serveur ne répond pas (Wi-Fi ?)."
CLIENT = f"const api = m.apiClient({{ csrf: 'the-token', networkMessage: {NETWORK!r} }});"


@pytest.fixture
def api_page(browser, static_site):
    context = browser.new_context(base_url=static_site.url)
    context.add_cookies([{"name": "session", "value": "the-session", "url": static_site.url}])
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


def answer(page, pattern: str, status: int = 200, body=None, *, raw: str | None = None):
    """Answer POSTs to `pattern` in place of the server; return the requests seen."""
    seen: list[dict] = []

    def handle(route):
        request = route.request
        seen.append({"method": request.method, "url": request.url,
                     "headers": request.all_headers(), "body": request.post_data})
        if status == 0:
            route.abort("connectionreset")
        else:
            route.fulfill(status=status, content_type="application/json",
                          body=raw if raw is not None else json.dumps(body))

    page.route(pattern, handle)
    return seen


def api(page, body: str):
    return import_module(page, "/static/js/api.js", CLIENT + body)


def test_a_sale_is_posted_with_the_cookie_the_csrf_header_and_the_body(api_page):
    seen = answer(api_page, "**/api/v1/sales", 201,
                  {"id": 3, "number": "2026-0003", "total_cents": 1200, "change_cents": 800})
    sale = {"client_id": "c0ffee00-0000-4000-8000-000000000000", "cash_session_id": 1,
            "lines": [{"sku": "POCH-TGV", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 2000}]}
    result = api(api_page, f"return await api.postSale({json.dumps(sale)});")
    assert result == {"reached": True, "ok": True, "status": 201, "message": "",
                      "body": {"id": 3, "number": "2026-0003", "total_cents": 1200,
                               "change_cents": 800}}
    [request] = seen
    assert request["method"] == "POST" and request["url"].endswith("/api/v1/sales")
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["x-csrftoken"] == "the-token"
    assert "session=the-session" in request["headers"]["cookie"]
    assert json.loads(request["body"]) == sale


def test_a_refusal_says_the_servers_message_or_the_network_one(api_page):
    answer(api_page, "**/api/v1/sales", 409,
           {"error": "client_id_reused", "message": "Ce numéro de vente a déjà servi."})
    result = api(api_page, "const r = await api.postSale({}); return [r, m.clientIdReused(r)];")
    assert result == [{"reached": True, "ok": False, "status": 409,
                       "message": "Ce numéro de vente a déjà servi.",
                       "body": {"error": "client_id_reused",
                                "message": "Ce numéro de vente a déjà servi."}}, True]
    api_page.unroute("**/api/v1/sales")
    answer(api_page, "**/api/v1/sales", 502, raw="<html>Bad gateway</html>")
    result = api(api_page, "const r = await api.postSale({}); return [r, m.clientIdReused(r)];")
    assert result == [{"reached": True, "ok": False, "status": 502, "message": NETWORK,
                       "body": None}, False]


def test_no_answer_is_told_apart_from_a_refusal(api_page):
    answer(api_page, "**/api/v1/sales", 0)
    assert api(api_page, "return await api.postSale({});") == {
        "reached": False, "ok": False, "status": 0, "body": None, "message": NETWORK}


def test_reprint_and_void_post_to_the_sale(api_page):
    seen = answer(api_page, "**/api/v1/sales/12/*", 200, {"receipt": {"status": "printed"}})
    assert api(api_page, """
        const printed = m.receiptStatus(await api.reprint(12));
        const voided = await api.voidSale(12, "Erreur de saisie");
        return [printed, voided.ok];
    """) == ["printed", True]
    assert [(r["url"].rsplit("/", 1)[1], json.loads(r["body"])) for r in seen] == [
        ("receipt", {}), ("void", {"reason": "Erreur de saisie", "print_receipt": False})]
    assert all(r["headers"]["x-csrftoken"] == "the-token" for r in seen)


@pytest.mark.parametrize(("status", "body", "shown"), [
    (200, {"receipt": {"status": "queued"}}, "queued"),
    (403, {"error": "forbidden", "message": "Non."}, "failed"),
    (200, None, "queued"),  # an answer that is not JSON
    (0, None, "queued"),  # no answer
])
def test_the_receipt_status_after_a_reprint(api_page, status, body, shown):
    answer(api_page, "**/receipt", status, body, raw="Bad gateway" if body is None else None)
    assert api(api_page, "return m.receiptStatus(await api.reprint(5));") == shown


def test_a_client_id_is_a_uuid_even_where_randomuuid_is_missing(browser, static_site):
    """Plain http:// on a LAN is not a secure context: no crypto.randomUUID there."""
    context = browser.new_context(base_url=static_site.url)
    page = context.new_page()
    page.goto("/")
    secure = import_module(page, "/static/js/api.js", "return [m.newClientId(), m.newClientId()];")
    context.close()
    # The stall's tablet opens http://192.168.x.y: a name mapped to loopback does the same.
    lan = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP kiosk.lan 127.0.0.1"])
    try:
        page = lan.new_page()
        page.goto(static_site.url.replace("127.0.0.1", "kiosk.lan") + "/")
        assert page.evaluate("() => [window.isSecureContext, typeof crypto.randomUUID]") == [
            False, "undefined"]
        insecure = import_module(page, "/static/js/api.js",
                                 "return [m.newClientId(), m.newClientId()];")
    finally:
        lan.close()
    for ids in (secure, insecure):
        assert all(UUID4.match(i) for i in ids) and ids[0] != ids[1], ids
