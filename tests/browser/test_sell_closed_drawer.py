"""A tablet left on the sale screen after its drawer was closed: the volunteer opens a new
drawer in one tap and finds her cart again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import CashSession, Sale
from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.browser.test_sell_flow import open_drawer, text
from tests.conftest import api_login

pytestmark = pytest.mark.browser


def close_behind_the_tablet(app, session_id: int) -> None:
    """The treasurer closes the drawer from another device."""
    client = app.test_client()
    headers = api_login(client, "Tresoriere", "2345")
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=headers,
                         json={"counted": {"1000": 2, "200": 5}, "cheques": [],
                               "card_total_cents": 0})
    assert closed.status_code == 200, closed.get_json()


def cart_lines(page) -> list[tuple[str, str]]:
    lines = page.locator(".cart-line")
    return [(lines.nth(i).get_attribute("data-line"), text(lines.nth(i).locator(".line-count")))
            for i in range(lines.count())]


def test_a_closed_drawer_offers_a_new_one_and_keeps_the_cart(page, demo):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)
    page.locator('button[data-sku="POCH-TGV"]').tap()
    page.locator('button[data-sku="ETIQ-TGV"]').tap()
    page.locator('button[data-sku="ETIQ-TGV"]').tap()
    db.session.rollback()
    old = db.session.scalar(select(CashSession))
    close_behind_the_tablet(demo, old.id)

    page.locator("[data-checkout]").tap()
    page.locator("[data-cash='exact']").tap()
    error = page.locator("[data-pay-error]")
    error.wait_for(state="visible")
    assert "fermée" in error.inner_text()
    reopen = page.get_by_role("button", name="Ouvrir une nouvelle caisse")
    assert reopen.is_visible()
    assert_accessible(page)
    reopen.tap()
    page.wait_for_url(re.compile(r"/sell/open$"))
    page.get_by_role("button", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell\?session=\d+$"))
    # her cart is back, on the new drawer's screen
    assert cart_lines(page) == [("POCH-TGV", "1"), ("ETIQ-TGV", "2")]
    assert text(page.locator("[data-cart-total]")) == "16,00 €"
    page.locator("[data-checkout]").tap()
    page.locator("[data-cash='exact']").tap()
    page.locator("[data-done]").wait_for(state="visible")
    db.session.rollback()
    sale = db.session.scalar(select(Sale))
    assert sale.cash_session_id != old.id and sale.total_cents == 1600
    # taken once: a reload shows an empty cart
    page.reload()
    assert cart_lines(page) == []
