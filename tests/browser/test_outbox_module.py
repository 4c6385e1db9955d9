"""The tablet's outbox (static/js/outbox.js) alone, from a blank page: in order, one at a
time, one sender for two tabs, on the stall's insecure origin (a lease in IndexedDB) as on a
secure one (a Web Lock). Playwright answers the sales in place of the server."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.browser.conftest import lan_url

pytestmark = pytest.mark.browser

OPEN = """
  const m = await import('/static/js/outbox.js');
  const send = async (body, signal) => {
    try {
      const r = await fetch('/api/v1/sales', {method: 'POST', body: JSON.stringify(body), signal});
      return {reached: true, ok: r.ok, status: r.status, body: await r.json(),
              message: r.ok ? '' : 'refusée'};
    } catch { return {reached: false, ok: false, status: 0, body: null, message: 'réseau'}; }
  };
  window.outbox = await m.openOutbox({send, timeoutMs: 3000});
"""


def sale(n: int) -> dict:
    return {"client_id": f"00000000-0000-4000-8000-{n:012d}", "cash_session_id": 1,
            "lines": [{"sku": "SAC-IKEA", "qty": 1}], "payments": []}


@pytest.fixture(params=["secure", "insecure"])
def two_tabs(request, browser, static_site):
    url = static_site.url if request.param == "secure" else lan_url(static_site.url)
    context = browser.new_context(base_url=url)
    tabs = [context.new_page(), context.new_page()]
    for tab in tabs:
        tab.goto("/")
        assert tab.evaluate("window.isSecureContext") is (request.param == "secure")
        # Web Locks exist only in a secure context: the insecure origin runs the lease
        assert tab.evaluate("!!navigator.locks") is (request.param == "secure")
        tab.evaluate(f"async () => {{ {OPEN} }}")
    yield context, tabs
    context.close()


def server(context, refuse=(), slow=0.05):
    """Answers each sale after `slow` seconds, one at a time as a server would record
    them; refuses the client_ids in `refuse` (409). Returns the bodies received, in order."""
    received: list[dict] = []
    busy = threading.Lock()

    def handle(route):
        body = json.loads(route.request.post_data)
        with busy:
            received.append(body)
            time.sleep(slow)
        if body["client_id"] in refuse:
            route.fulfill(status=409, content_type="application/json",
                          body=json.dumps({"error": "session_closed", "message": "fermée"}))
        else:
            route.fulfill(status=201, content_type="application/json",
                          body=json.dumps({"number": f"2026-{len(received):06d}"}))

    context.route("**/api/v1/sales", handle)
    return received


def test_two_tabs_send_each_sale_once_in_order(two_tabs):
    context, (first, second) = two_tabs
    for n in range(6):
        (first if n % 2 else second).evaluate(
            "async b => { await outbox.add(outbox.entry(b)); }", sale(n))
    assert first.evaluate("outbox.count()") == 6 == second.evaluate("outbox.count()")
    received = server(context)
    # both tabs start sending at the same moment: one sends, the other finds it busy
    for tab in (first, second):
        tab.evaluate("() => { window.sending = outbox.flush(); }")
    outcomes = sorted(tab.evaluate("window.sending") for tab in (first, second))
    assert outcomes == ["busy", "done"]
    for tab in (first, second):
        tab.wait_for_function("async () => (await outbox.count()) === 0")
    assert [b["client_id"] for b in received] == [sale(n)["client_id"] for n in range(6)]


def test_a_refused_sale_is_kept_aside_and_the_next_go_on(two_tabs):
    context, (tab, _other) = two_tabs
    for n in range(3):
        tab.evaluate("async b => { await outbox.add(outbox.entry(b)); }", sale(n))
    received = server(context, refuse={sale(1)["client_id"]})
    assert tab.evaluate("outbox.flush()") == "done"
    kept = tab.evaluate("outbox.list()")
    assert [(e["client_id"], e["state"], e["message"]) for e in kept] == [
        (sale(1)["client_id"], "refused", "refusée")]
    assert len(received) == 3


def test_no_answer_keeps_the_sale_and_the_next_try_carries_its_time(two_tabs):
    context, (tab, _other) = two_tabs
    tab.evaluate("async b => { await outbox.add(outbox.entry(b)); }", sale(7))
    context.route("**/api/v1/sales", lambda route: route.abort())
    assert tab.evaluate("outbox.sendNow('00000000-0000-4000-8000-000000000007')") == {
        "state": "waiting"}
    [kept] = tab.evaluate("outbox.list()")
    assert kept["state"] == "waiting" and kept["waited"] is True
    context.unroute("**/api/v1/sales")
    received = server(context)
    assert tab.evaluate("outbox.flush()") == "done"
    assert received[0]["sold_at"] == kept["sold_at"]  # the tablet's time of the sale
    assert tab.evaluate("outbox.count()") == 0
