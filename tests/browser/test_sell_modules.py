"""The sale screen's modules loaded one by one in Chromium, from a blank_page page: the way the
page loads them when their bundle cannot be written (kiosk/common/bundle.py). Every import
resolves, the wiring binds nothing without the screen, and the rules run as under Node."""

from __future__ import annotations

import pytest

from tests.browser.modules import import_module

pytestmark = pytest.mark.browser


def test_sell_and_all_it_imports_load_one_by_one(blank_page):
    # sell.js exports nothing and, with no [data-sell] on the page, binds nothing
    assert import_module(blank_page, "/static/js/sell.js", "return Object.keys(m);") == []
    for module, name in [("sell_pay.js", "bindPay"), ("sell_done.js", "bindDone"),
                         ("sell_gifts.js", "bindGifts"), ("sell_send.js", "bindSending"),
                         ("sell_refused.js", "bindRefused"), ("sell_void.js", "bindVoid"),
                         ("sell_find.js", "bindFinder"), ("sell_cart.js", "bindBasket")]:
        assert import_module(blank_page, f"/static/js/{module}", f"return typeof m.{name};") == \
            "function", module


def test_a_50_euro_note_and_exact_cash_in_the_browser(blank_page):
    result = import_module(blank_page, "/static/js/pay.js", """
        const { Cart } = await import("/static/js/cart.js");
        const cart = new Cart({ "SAC-IKEA": 1500, "ETIQ-TGV": 400 });
        cart.add("SAC-IKEA"); cart.add("ETIQ-TGV");
        const exact = m.cashHanded(cart, "exact");
        cart.pay("cash", m.cashHanded(cart, "5000"));
        return [exact, m.afterPayment(cart), cart.change()];
    """)
    assert result == [1900, "send", 3100]
