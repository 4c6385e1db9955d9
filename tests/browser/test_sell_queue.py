"""A queue at the IKEA stall: sale after sale in three taps, a scan straight after a sale,
the total and "Encaisser" in sight whatever the cart holds, in both orientations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Sale
from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.browser.test_sell_flow import open_drawer, text

pytestmark = pytest.mark.browser

QUICK = 3000  # ms: a tap that cannot land (a panel over the tile) fails fast


class Taps:
    """Taps as the volunteer makes them, counted per sale."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def tap(self, locator) -> None:
        locator.tap(timeout=QUICK)
        self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def sell_one(page, taps: Taps, sku: str, cash: str = "Montant exact") -> None:
    taps.tap(page.locator(f'button[data-sku="{sku}"]'))
    assert page.locator("[data-done]").is_hidden()  # her first tap started her sale
    taps.tap(page.locator("[data-checkout]"))
    taps.tap(page.get_by_role("button", name=cash, exact=True))
    page.locator("[data-done]").wait_for(state="visible")


def test_sale_after_sale_takes_three_taps_the_first_and_the_tenth(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    taps = Taps(page)
    per_sale = []
    sell_one(page, taps, "TAB-IKEA", cash="20 €")  # 14,00 € for a 20 € note
    per_sale.append(taps.take())
    # the change stays readable, the tiles free, until the next customer's first tap
    assert text(page.locator("[data-change]")) == "6,00 €"
    assert_accessible(page)
    for _ in range(9):
        sell_one(page, taps, "SAC-IKEA")
        per_sale.append(taps.take())
        assert "Pas de monnaie à rendre" in page.locator("[data-change-label]").inner_text()
    print(f"taps per exact-cash sale of one item: {per_sale}")
    assert per_sale == [3] * 10
    db.session.rollback()
    sales = db.session.scalars(select(Sale).order_by(Sale.id)).all()
    assert [s.total_cents for s in sales] == [1400] + [1500] * 9


def test_a_scan_right_after_a_sale_lands_in_the_new_cart(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    sell_one(page, Taps(page), "SAC-IKEA")
    # a keyboard-wedge scanner types the label's code and Enter, wherever the focus is
    page.keyboard.type("SAC-VILLE")
    page.keyboard.press("Enter")
    assert page.locator("[data-done]").is_hidden()
    assert [page.locator(".cart-line").nth(i).get_attribute("data-line")
            for i in range(page.locator(".cart-line").count())] == ["SAC-VILLE"]
    assert text(page.locator("[data-cart-total]")) == "18,00 €"
    # and right after a tile tap too
    page.locator('button[data-sku="ETIQ-IKEA"]').tap()
    page.keyboard.type("http://kiosk.local/p/TROU-IKEA")
    page.keyboard.press("Enter")
    assert page.locator(".cart-line").count() == 3


def in_sight(page, selector: str) -> bool:
    return page.locator(selector).evaluate("""e => {
        const r = e.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight
            && r.left >= 0 && r.right <= window.innerWidth; }""")


def fill_the_cart_and_look(page) -> None:
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    skus = [page.locator(".product").nth(i).get_attribute("data-sku")
            for i in range(page.locator(".product").count())]
    assert len(skus) >= 8
    for count, sku in enumerate(skus, start=1):
        page.locator(f'button[data-sku="{sku}"]').tap()
        assert page.locator(".cart-line").count() == count
        assert in_sight(page, "[data-cart-total]"), f"total out of sight with {count} lines"
        assert in_sight(page, "[data-checkout]"), f"Encaisser out of sight with {count} lines"
    # the last line is reached by scrolling the cart, not the page
    page.locator(".cart-line").last.scroll_into_view_if_needed()
    assert in_sight(page, "[data-checkout]")
    assert page.evaluate("() => window.scrollY") == 0
    assert_accessible(page)
    page.locator("[data-checkout]").tap()
    page.locator("[data-cash='exact']").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert in_sight(page, "[data-next]")


def test_portrait_keeps_the_total_and_checkout_in_sight(portrait_page):
    fill_the_cart_and_look(portrait_page)


def test_landscape_keeps_the_total_and_checkout_in_sight(page):
    fill_the_cart_and_look(page)
