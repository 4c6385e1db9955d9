"""The tablet as witness (static/js/witness.js and the store `kept` of outbox.js) alone, from a
blank page on the stall's insecure origin: a sale the server recorded is kept with its
number; the sales the server says it lacks wait again, in the order of their numbers, with
the tablet's time, and are sent once each; a drawer the server says is closed is forgotten.
Playwright answers in place of the server."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import lan_url
from tests.browser.test_outbox_module import OPEN, sale

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser, static_site):
    context = browser.new_context(base_url=lan_url(static_site.url))
    page = context.new_page()
    page.goto("/")
    page.evaluate(f"""async () => {{ {OPEN}
      const w = await import('/static/js/witness.js');
      window.witnessOnce = () => w.witnessOnce(outbox, {{
        tabletId: '00000000-0000-4000-8000-00000000aaaa',
        post: async (url, body) => {{
          const r = await fetch(url, {{method: 'POST', body: JSON.stringify(body)}});
          return {{reached: true, ok: r.ok, status: r.status, body: await r.json()}};
        }} }});
    }}""")
    yield context, page
    context.close()


def test_kept_with_numbers_given_back_in_order_sent_once_then_forgotten(tab):
    context, page = tab
    numbers = iter(range(1, 100))
    received: list[dict] = []

    def sales(route):
        body = json.loads(route.request.post_data)
        received.append(body)
        route.fulfill(status=201, content_type="application/json",
                      body=json.dumps({"id": len(received),
                                       "number": f"2026-{next(numbers):06d}"}))

    context.route("**/api/v1/sales", sales)
    for n in range(1, 6):
        page.evaluate("async b => { await outbox.add(outbox.entry(b)); }", sale(n))
    assert page.evaluate("outbox.flush()") == "done"
    kept = sorted(page.evaluate("outbox.kept()"), key=lambda e: e["number"])
    assert [e["number"] for e in kept] == [f"2026-{n:06d}" for n in range(1, 6)]
    assert page.evaluate("outbox.count()") == 0  # nothing waits: the badge says 0

    asked: list[dict] = []
    lost = [sale(5)["client_id"], sale(4)["client_id"]]  # the server lacks the last two
    state = {"open": True, "missing": lost, "holds": None, "head": 3}

    def witness(route):
        body = json.loads(route.request.post_data)
        asked.append(body)
        holds = None if "seen" not in body else state["holds"]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "head": {"entries": state["head"], "hash": f"{state['head']:064x}"},
            "drawers": {"1": {"open": state["open"], "last_number": "2026-000003",
                              "sales": 3}},
            "missing": [] if holds is False else state["missing"], "seen_holds": holds}))

    context.route("**/api/v1/tablets/witness", witness)
    received.clear()
    result = page.evaluate("witnessOnce()")
    assert result["missing"] == lost
    assert "seen" not in asked[0] and asked[0]["drawers"] == [1]
    assert {h["number"] for h in asked[0]["held"]} == {e["number"] for e in kept}
    page.wait_for_function("async () => (await outbox.count()) === 0")
    # sent again once each, in the order of their numbers, with the tablet's time
    assert [b["client_id"] for b in received] == [sale(4)["client_id"], sale(5)["client_id"]]
    assert all(b.get("sold_at") for b in received)
    assert len(page.evaluate("outbox.kept()")) == 5  # kept again, with their new numbers

    # next time, only the sales made since the head it heard (the two sent again)
    state.update(missing=[], holds=True, head=5)
    asked.clear()
    assert page.evaluate("witnessOnce()")["named"] == 2
    assert asked[0]["seen"] == {"entries": 3, "hash": f"{3:064x}"}
    assert {h["client_id"] for h in asked[0]["held"]} == set(lost)
    asked.clear()
    assert page.evaluate("witnessOnce()")["named"] == 0  # a few bytes while all is well
    assert asked[0]["held"] == [] and asked[0]["seen"]["entries"] == 5

    # the server went back past that head: the tablet names all it keeps
    state.update(holds=False, missing=[sale(1)["client_id"]])
    asked.clear()
    result = page.evaluate("witnessOnce()")
    assert len(asked) == 2 and len(asked[1]["held"]) == 5 and "seen" not in asked[1]
    assert result["missing"] == [sale(1)["client_id"]]
    page.wait_for_function("async () => (await outbox.count()) === 0")

    state.update(open=False, missing=[], holds=True)
    assert page.evaluate("witnessOnce()")["forgotten"] == 5
    assert page.evaluate("outbox.kept()") == []
    assert page.evaluate("witnessOnce()") == {"asked": False}  # nothing kept: nothing asked
