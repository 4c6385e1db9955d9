"""A volunteer at the stall: opens the drawer, sells, reads the change, undoes a mistake."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import CashSession, Sale
from kiosk.models.sales import SaleKind
from tests.browser.conftest import HOME, assert_accessible, login_by_touch

pytestmark = pytest.mark.browser

NBSP = re.compile(r"[\u00a0\u202f]")


def text(locator) -> str:
    return NBSP.sub(" ", locator.inner_text()).strip()


def open_drawer(page) -> None:
    page.goto("/sell")
    page.get_by_role("link", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell/open$"))
    assert_accessible(page)
    assert page.get_by_label("Nom de la caisse").input_value().startswith("Vente IKEA du ")
    page.locator("label.place", has_text="Stand IKEA Dijon").tap()
    # two 10 € notes, then five 2 € coins: the total follows the count
    for _ in range(2):
        page.get_by_role("button", name="Un de plus : 10 €").tap()
    assert text(page.locator("[data-float-total]")) == "20,00 €"
    for _ in range(5):
        page.get_by_role("button", name="Un de plus : 2 €").tap()
    page.get_by_role("button", name="Un de moins : 2 €").tap()
    page.get_by_role("button", name="Un de plus : 2 €").tap()
    assert text(page.locator("[data-float-total]")) == "30,00 €"
    page.get_by_role("button", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell\?session=\d+$"))


def test_volunteer_opens_sells_and_voids(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    assert_accessible(page)
    session = db.session.scalar(select(CashSession))
    assert session.float_cents == 3000

    # two items for a 20 € note: 8,00 + 4,00 = 12,00, change 8,00
    page.locator('.product[data-sku="POCH-TGV"]').tap()
    page.locator('.product[data-sku="ETIQ-TGV"]').tap()
    page.locator('.product[data-sku="ETIQ-TGV"]').tap()
    page.get_by_role("button", name="Un de moins : Étiquette de valise TGV").tap()
    assert text(page.locator("[data-cart-total]")) == "12,00 €"
    page.get_by_role("button", name="Encaisser").tap()
    assert_accessible(page)
    page.get_by_role("button", name="20 €", exact=True).tap()
    change = page.locator("[data-change]")
    change.wait_for(state="visible")
    assert text(change) == "8,00 €"
    assert "Pas d'imprimante" in page.locator("[data-receipt]").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Vente suivante").tap()

    # one item paid with the exact cash: three taps
    page.locator('.product[data-sku="SAC-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Montant exact").tap()
    page.locator("[data-done-title]").wait_for(state="visible")
    assert "Pas de monnaie à rendre" in page.locator("[data-change-label]").inner_text()
    db.session.rollback()
    sales = db.session.scalars(select(Sale).order_by(Sale.id)).all()
    assert [(s.total_cents, s.change_cents) for s in sales] == [(1200, 800), (1500, 0)]
    page.get_by_role("button", name="Vente suivante").tap()

    # a mistake: one tap, then the reason
    page.get_by_role("button", name="Annuler la dernière vente").tap()
    assert sales[1].number in page.locator("[data-void-what]").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Erreur de saisie").tap()
    page.locator("[data-done-title]").wait_for(state="visible")
    assert sales[1].number in page.locator("[data-done-title]").inner_text()
    assert text(page.locator("[data-change]")) == "15,00 €"
    db.session.rollback()
    void = db.session.scalar(select(Sale).where(Sale.kind == SaleKind.VOID))
    assert void.refund_of_id == sales[1].id and void.reason == "Erreur de saisie"
    page.get_by_role("button", name="Vente suivante").tap()
    assert page.get_by_role("button", name="Annuler la dernière vente").is_hidden()


def test_search_scan_and_the_cart_buttons(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    find = page.get_by_label("Chercher un article ou scanner son étiquette")
    find.fill("etiquette")
    visible = page.locator(".product:visible")
    assert visible.count() == 2
    find.fill("")
    page.get_by_role("button", name="Tabliers").tap()
    assert {page.locator(".product:visible").nth(i).get_attribute("data-sku")
            for i in range(page.locator(".product:visible").count())} == {
        "TAB-ENF-VILLE", "TAB-IKEA"}
    page.get_by_role("button", name="Tout").tap()
    # a keyboard-wedge scanner types the code and Enter
    find.fill("sac-ville")
    find.press("Enter")
    find.fill("http://kiosk.local/p/ETIQ-IKEA")
    find.press("Enter")
    find.fill("NOPE")
    find.press("Enter")
    assert "Article inconnu : NOPE" in page.locator("[data-find-message]").inner_text()
    assert page.locator(".cart-line").count() == 2
    assert text(page.locator("[data-cart-total]")) == "21,50 €"
    page.get_by_role("button", name="Retirer : Sac cabas Ville de Dijon").tap()
    assert text(page.locator("[data-cart-total]")) == "3,50 €"
    # split: 2 € in cash, the rest by card
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Autre montant").tap()
    page.get_by_label("Montant donné, en euros").fill("2")
    page.locator("[data-other-method='cash']").tap()
    assert text(page.locator("[data-pay-due]")) == "1,50 €"
    page.get_by_role("button", name="Carte (terminal)").tap()
    page.get_by_role("button", name="Paiement accepté").tap()
    page.locator("[data-done-title]").wait_for(state="visible")
    db.session.rollback()
    sale = db.session.scalar(select(Sale))
    assert sorted((p.method, p.amount_cents) for p in sale.payments) == [
        ("card", 150), ("cash", 200)]
    assert db.session.scalar(select(func.count(Sale.id))) == 1
    # the sale's own page, from the link on the screen
    page.get_by_role("link", name="Voir la vente").tap()
    page.wait_for_url(re.compile(rf"/sell/sales/{sale.id}$"))
    assert sale.number in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Réimprimer").tap()
    assert "Pas d'imprimante" in page.locator("[data-receipt-status]").inner_text()


def test_network_failure_says_so_and_retry_sells_once(page, live_server):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    page.locator('.product[data-sku="TROU-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    # the first attempt reaches the server, but its answer is lost on the way back
    state = {"dropped": 0}

    def drop_answer(route):
        if state["dropped"] == 0:
            state["dropped"] = 1
            # (Playwright's own fetch resolves names without Chromium's host rules)
            route.fetch(url=route.request.url.replace("kiosk.lan", "127.0.0.1"))
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/sales", drop_answer)
    page.get_by_role("button", name="Montant exact").tap()
    # no answer: the sale waits on the tablet (static/js/outbox.js), the change is given
    title = page.locator("[data-done-title]")
    title.wait_for(state="visible")
    assert "gardée sur la tablette" in title.inner_text()
    page.wait_for_function("document.querySelector('[data-pending]').textContent === '1'")
    # the outbox sends it again by itself: the same client_id, the same sale
    page.locator("[data-pending]").wait_for(state="hidden", timeout=30000)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Sale.id))) == 1


def test_tiles_are_large_and_the_page_is_light(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.product, .category, [data-checkout]')].map(e => {
        const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height];
    })""")
    assert sizes and not [s for s in sizes if s[1] < 48 or s[2] < 48]


def test_a_tablet_whose_session_ended_sells_again_once_logged_in(page):
    """Her session's cookie gone (the browser closed, or it expired), the same volunteer logs
    in again on the same drawer: the sale screen the tablet kept (a reload costs a 304) must
    not come back with the old session's token, which the server refuses every sale with."""
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    page.goto("/sell")
    page.locator('.product[data-sku="SAC-IKEA"]').wait_for()
    page.context.clear_cookies()
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.goto("/sell")
    page.locator('.product[data-sku="SAC-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Montant exact").tap()
    title = page.locator("[data-done-title]")
    title.wait_for(state="visible")
    assert "enregistrée" in text(title), text(title)
