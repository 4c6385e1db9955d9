"""Issue 27, point 10: the sale screen on the stall's 1024×768 tablet with 12 products and
a 40-character drawer name: the top bar stays one row, the categories one row, and every
tile, the total and "Encaisser" are in sight without scrolling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import Product, User
from kiosk.services.cash import open_cash_session
from tests.browser.conftest import HOME, TABLET, login_by_touch

pytestmark = pytest.mark.browser

NAME = "Marché de Noël de la place François Rude"  # 40 characters


def in_sight(page, locator) -> bool:
    box = locator.bounding_box()
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= TABLET["width"] + 0.5
            and box["y"] + box["height"] <= TABLET["height"] + 0.5)


def test_twelve_tiles_the_total_and_encaisser_in_sight_at_1024x768(page):
    assert len(NAME) == 40
    with write_transaction(db.session):
        products = db.session.scalars(select(Product).where(Product.active.is_(True))
                                      .order_by(Product.id)).all()
        for product in products[12:]:  # twelve products on the screen
            product.active = False
        for extra in range(12 - len(products)):
            db.session.add(Product(sku=f"EXTRA-{extra}", name=f"Trousse brodée n° {extra}",
                                   category="pouch", price_cents=900, active=True))
        seller = db.session.scalar(select(User).where(User.name == "Vendeuse"))
        open_cash_session(db.session, NAME, "ikea", {1000: 3}, seller.id)
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.goto("/sell")
    tiles = page.locator(".product:not([hidden])")
    assert tiles.count() == 12
    topbar = page.locator(".topbar").bounding_box()
    assert topbar["height"] <= 72, topbar  # one row (two rows were 128 px)
    categories = page.locator(".categories").bounding_box()
    assert categories["height"] <= 72, categories  # one row, scrolling sideways
    assert page.locator(".session-name").get_attribute("title").startswith(NAME)
    for i in range(12):
        assert in_sight(page, tiles.nth(i)), (i, tiles.nth(i).bounding_box())
    assert in_sight(page, page.locator("[data-cart-total]"))
    assert in_sight(page, page.get_by_role("button", name="Encaisser"))
    # with a line in the cart too
    tiles.nth(11).tap()
    assert in_sight(page, page.get_by_role("button", name="Encaisser"))
    assert page.js_errors == []
