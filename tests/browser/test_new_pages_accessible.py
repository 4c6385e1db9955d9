"""The pages this round added, as the tablet shows them: axe finds nothing serious, and
every button or link is a 48 px target, in landscape and in portrait."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch

# Each screen as it looked, for a person to look at (test-results/ is not kept in git).
SHOTS = Path(__file__).parent.parent.parent / "test-results" / "new-pages"

pytestmark = pytest.mark.browser


def a_sale(app) -> tuple[int, int]:
    """A drawer with one sale (through the API's own client): (drawer id, sale id)."""
    client = app.test_client()
    token = client.post("/api/v1/login", json={"user": "Vendeuse", "pin": "3456"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    drawer = client.post("/api/v1/cash-sessions", headers=headers, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 3}}).get_json()
    sale = client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": drawer["id"],
        "lines": [{"sku": "SAC-VILLE", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 2000}]}).get_json()
    return drawer["id"], sale["id"]


def small_targets(page) -> list:
    return page.evaluate("""() => [...document.querySelectorAll(
        'main button, main a.button, main select, .session-sales a')]
        .filter(e => e.offsetParent !== null).map(e => {
          const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height];
        }).filter(([, w, h]) => w < 48 || h < 48)""")


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_new_pages_are_accessible(request, live_server, orientation):
    drawer, sale = a_sale(live_server.app)
    page = request.getfixturevalue("page" if orientation == "landscape" else "portrait_page")
    login_by_touch(page, "Admin", "1234")
    page.wait_for_url(HOME)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in ("/admin/", "/admin/users/2", "/admin/clock", "/sessions",
                 "/sessions/find?number=douze", f"/sessions/{drawer}", f"/sell/sales/{sale}"):
        page.goto(path)
        assert_accessible(page)
        assert small_targets(page) == [], path
        shot = SHOTS / f"{orientation}-{path.strip('/').replace('/', '_').replace('?', '_')}.png"
        page.screenshot(path=str(shot))
