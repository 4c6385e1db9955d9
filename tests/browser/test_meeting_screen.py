"""The group's meeting on a big screen (issue 30), walked by touch on a TV (1920×1080) and
on the stall's tablet (1024×768): each screen passes axe, every button is a 48 px target,
one big button moves on, and a decision is typed in with the hands counted."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.database import utcnow
from kiosk.vocabulary import PARIS
from tests.browser.conftest import HOME, assert_accessible, login_by_touch, tablet_page
from tests.browser.test_new_pages_accessible import small_targets

SHOTS = Path(__file__).parent.parent.parent / "test-results" / "meeting"

pytestmark = pytest.mark.browser


def a_month_before(app) -> None:
    """A sales day, closed; last month's meeting granted the Christmas meal, half spent."""
    client = app.test_client()

    def login(name, pin):
        token = client.post("/api/v1/login", json={"user": name, "pin": pin}).get_json()
        return {"Authorization": f"Bearer {token['token']}"}

    seller, treasurer = login("Vendeuse", "3456"), login("Tresoriere", "2345")
    drawer = client.post("/api/v1/cash-sessions", headers=seller, json={
        "name": "Vente IKEA", "location": "ikea",
        "opening_float": {"1000": 3, "10000": 2}}).get_json()
    takings = 0
    for sku, qty in (("SAC-VILLE", 2), ("POCH-VILLE", 1), ("ETIQ-TGV", 3)):
        sale = client.post("/api/v1/sales", headers=seller, json={
            "client_id": str(uuid.uuid4()), "cash_session_id": drawer["id"],
            "lines": [{"sku": sku, "qty": qty}],
            "payments": [{"method": "cash", "amount_cents": 20000}]})
        assert sale.status_code == 201, sale.get_json()
        takings += sale.get_json()["total_cents"]
    counted = 23000 + takings  # the float and the takings, to the cent
    closed = client.post(f"/api/v1/cash-sessions/{drawer['id']}/close", headers=treasurer,
                         json={"counted": {"100": counted // 100, "1": counted % 100},
                               "cheques": [], "card_total_cents": 0})
    assert closed.status_code == 200, closed.get_json()
    today = utcnow().astimezone(PARIS).date()
    meeting = client.post("/api/v1/meetings", headers=treasurer, json={
        "held_on": (today - timedelta(days=20)).isoformat(),
        "present": ["Fatima", "Josiane", "Mireille", "Nadia", "Odette"]}).get_json()
    meal = client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=treasurer,
                       json={"text": "Repas de Noël pour les personnes seules",
                             "spend": {"envelope": "solidarite", "amount_cents": 20000},
                             "votes": {"for": 4, "against": 0, "abstain": 1}}).get_json()
    assert client.post("/api/v1/envelopes/solidarite/spend", headers=treasurer, json={
        "amount_cents": 9000, "label": "Acompte du traiteur", "decision_id": meal["id"],
        "confirm": True}).status_code == 201
    with app.app_context():  # prepared before the meeting, shown and voted there
        from kiosk.extensions import db
        from kiosk.services import meetings

        meetings.add_proposal(db.session, "Goûter de fin d'année", "loisirs", 4500)
        db.session.commit()


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080},
                                      {"width": 1024, "height": 768}],
                         ids=["tv", "tablet"])
def test_a_meeting_walked_by_touch(browser, live_server, viewport):
    a_month_before(live_server.app)
    page = tablet_page(browser, live_server, viewport)
    try:
        login_by_touch(page, "Tresoriere", "2345")
        page.wait_for_url(HOME)
        page.goto("/meeting")
        assert_accessible(page)
        assert small_targets(page) == []
        page.get_by_label("Qui est là ? Un nom par ligne.").fill(
            "Fatima\nJosiane\nMireille\nNadia\nOdette")
        with page.expect_navigation():
            page.get_by_role("button", name="Commencer la réunion").tap()
        SHOTS.mkdir(parents=True, exist_ok=True)
        seen = []
        while True:
            screen = page.locator("[data-screen]")
            kind = screen.get_attribute("data-screen")
            seen.append(kind)
            assert_accessible(page)
            assert small_targets(page) == [], kind
            # one big button, and it is on the screen without scrolling on the TV
            button = page.locator("[data-next-screen]")
            box = button.bounding_box()
            assert box["height"] >= 72 and box["width"] >= 300
            page.screenshot(path=str(SHOTS / f"{viewport['width']}-{len(seen)}-{kind}.png"))
            if kind == "jars":
                assert page.locator("[data-jar=solidarite]").inner_text()
                assert page.locator("meter.jar-meter").count() >= 2
            if kind == "past":
                assert "90,00" in page.inner_text("main") and "200,00" in page.inner_text("main")
            if kind == "proposal":
                assert "Goûter de fin d'année" in page.inner_text("h1")
                page.get_by_label("Pour", exact=True).fill("5")
                page.get_by_label("Contre", exact=True).fill("0")
                page.get_by_label("Sans avis", exact=True).fill("0")
                with page.expect_navigation():
                    page.locator("[data-record-vote]").tap()
                assert "Adoptée." in page.inner_text("[data-proposal-decided]")
                assert_accessible(page)
                button = page.locator("[data-next-screen]")
            if kind == "decide":
                page.get_by_label("La proposition, en une phrase").fill("Sortie au lac Kir")
                page.get_by_label("une dépense").tap()
                page.get_by_label("De quelle enveloppe ? (dépense)").select_option("loisirs")
                page.get_by_label("Combien d'euros ? (dépense)").fill("120")
                page.get_by_label("Pour", exact=True).fill("4")
                page.get_by_label("Contre", exact=True).fill("1")
                page.get_by_label("Sans avis", exact=True).fill("0")
                with page.expect_navigation():
                    page.locator("[data-record-decision]").tap()
                assert "Sortie au lac Kir : 120,00 €" in page.inner_text("[data-screen]")
                assert "Pour : 4. Contre : 1. Sans avis : 0. Adoptée." in page.inner_text(
                    "[data-screen]")
                assert_accessible(page)
            if kind == "minutes":
                href = page.locator("[data-minutes]").get_attribute("href")
                status, head = page.evaluate("""async href => {
                    const r = await fetch(href);
                    const bytes = new Uint8Array(await r.arrayBuffer());
                    return [r.status, String.fromCharCode(...bytes.slice(0, 4))]; }""", href)
                assert (status, head) == (200, "%PDF")
                with page.expect_navigation():
                    button.tap()
                break
            with page.expect_navigation():
                button.tap()
        assert seen[0] == "welcome" and "day" in seen and seen[-2:] == ["decide", "minutes"]
        assert {"sewn", "jars", "spends", "past", "proposal"} <= set(seen)
        assert page.url.endswith("/meeting")
        # what a customer sees from a label's QR code: the decisions and what they paid
        page.goto("/p/ce-que-vos-achats-ont-finance")
        assert "Repas de Noël pour les personnes seules" in page.inner_text("main")
        assert "Sortie au lac Kir" in page.inner_text("main")
        assert_accessible(page)
        assert small_targets(page) == []
        assert not [e for e in page.js_errors if "Content Security Policy" in e
                    or "Refused" in e], page.js_errors
    finally:
        page.context.close()
