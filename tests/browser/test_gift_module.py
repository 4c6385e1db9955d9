"""The sale screen's gift rules (static/js/gift.js) and the cart's chosen prices alone, in
Chromium from a blank_page page: what a gift's request is, when a free price is refused, which
buttons the done panel shows."""

from __future__ import annotations

import pytest

from tests.browser.modules import import_module

pytestmark = pytest.mark.browser


def test_a_free_price_is_refused_under_the_minimum_or_when_unreadable(blank_page):
    assert import_module(blank_page, "/static/js/gift.js", """
        const { freePriceRefusal: r } = m;
        return [r(299, 300), r(300, 300), r(1000, 300), r(null, 300), r(0, 0)];
    """) == ["minimum", None, None, "amount", None]


def test_a_gift_alone_and_the_change_kept_are_sales_without_lines(blank_page):
    bodies = import_module(blank_page, "/static/js/gift.js", """
        return [m.giftBody("id-1", 7, 500, "card"),
                m.keepChangeBody("id-2", 7, { change_cents: 600 })];
    """)
    assert bodies == [
        {"client_id": "id-1", "cash_session_id": 7, "lines": [],
         "payments": [{"method": "card", "amount_cents": 500}], "donation_cents": 500},
        {"client_id": "id-2", "cash_session_id": 7, "lines": [],
         "payments": [{"method": "cash", "amount_cents": 600}], "donation_cents": 600}]


def test_the_done_panel_offers_what_the_settings_allow(blank_page):
    shown = import_module(blank_page, "/static/js/gift.js", """
        const sale = { kind: "sale", change_cents: 600, donation_cents: 0,
                       receipt: { status: "none" } };
        const gift = { kind: "sale", change_cents: 0, donation_cents: 500,
                       receipt: { status: "none" } };
        const voided = { kind: "void", change_cents: 0, donation_cents: -500 };
        const on = { receiptMode: "on_request", printer: true, giftReceipts: true };
        return [m.donePanel(sale, on), m.donePanel(gift, on),
                m.donePanel(gift, { ...on, receiptMode: "never", giftReceipts: false }),
                m.donePanel(voided, on), m.donePanel(sale, { ...on, receiptMode: "always" }),
                m.donePanel(sale, { ...on, printer: false })];
    """)
    assert shown[0] == {"keep": True, "ticket": True, "giftReceipt": False, "onRequest": True}
    assert shown[1] == {"keep": False, "ticket": True, "giftReceipt": True, "onRequest": True}
    assert shown[2]["ticket"] is False and shown[2]["giftReceipt"] is False
    assert shown[3]["keep"] is False and shown[3]["giftReceipt"] is False
    assert shown[4]["ticket"] is False  # "always": printed already, "Réimprimer" is there
    assert shown[5]["ticket"] is False and shown[5]["onRequest"] is False  # no printer


def test_the_cart_sends_a_chosen_price_and_forgets_it_with_the_line(blank_page):
    result = import_module(blank_page, "/static/js/cart.js", """
        const cart = new m.Cart(new Map([["POCH-VILLE", 750], ["ETIQ-TGV", 400]]));
        cart.setPrice("POCH-VILLE", 1000); cart.add("POCH-VILLE"); cart.add("POCH-VILLE");
        cart.add("ETIQ-TGV");
        const before = [cart.total(), cart.lines()];
        cart.add("POCH-VILLE", -2); cart.add("POCH-VILLE");
        return [...before, cart.total()];
    """)
    assert result == [2400, [{"sku": "POCH-VILLE", "qty": 2, "unit_price_cents": 1000},
                             {"sku": "ETIQ-TGV", "qty": 1}], 1150]
