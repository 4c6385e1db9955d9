"""The sale screen's cart (static/js/cart.js) alone: no sale page, no server behind it.

The module is imported in Chromium from a blank page, as the tablet imports it; each test
builds a cart and reads back what the screen would show and what the API would be sent.
"""

from __future__ import annotations

import pytest

from tests.browser.modules import import_module

pytestmark = pytest.mark.browser

# SKU -> unit price in cents, as the sale page gives them
PRICES = {"SAC-IKEA": 1500, "POCH-TGV": 800, "ETIQ-TGV": 400, "BADGE": 10}


def cart(page, body: str):
    """Run `body` with `cart`, a Cart of PRICES, and the module's exports as `m`."""
    return import_module(page, "/static/js/cart.js",
                         f"const {{ Cart, parseEuros, MAX_QTY }} = m; "
                         f"const cart = new Cart(new Map(Object.entries({PRICES!r}))); {body}")


def test_adding_a_sku_twice_makes_one_line_of_two(blank_page):
    assert cart(blank_page, """
        cart.add("POCH-TGV"); cart.add("ETIQ-TGV"); cart.add("POCH-TGV");
        return [cart.qty("POCH-TGV"), cart.size, cart.entries(), cart.lineTotal("POCH-TGV")];
    """) == [2, 2, [["POCH-TGV", 2], ["ETIQ-TGV", 1]], 1600]


def test_the_total_is_in_whole_cents_with_no_float_drift(blank_page):
    # 3 × 0,10 € is 30 cents exactly (0.1 * 3 in floats is 0.30000000000000004)
    assert cart(blank_page, """
        for (let i = 0; i < 3; i++) cart.add("BADGE");
        cart.add("SAC-IKEA"); cart.add("ETIQ-TGV", 7);
        return [cart.total(), Number.isInteger(cart.total()), 0.1 * 3 === 0.3];
    """) == [1500 + 30 + 2800, True, False]


def test_less_remove_and_the_quantity_limit(blank_page):
    assert cart(blank_page, """
        cart.add("SAC-IKEA", 2); cart.add("SAC-IKEA", -1);
        const one = cart.qty("SAC-IKEA");
        cart.add("SAC-IKEA", -1);  // down to 0: the line goes
        const gone = cart.entries();
        cart.add("POCH-TGV", 5000);
        const capped = cart.qty("POCH-TGV");
        cart.remove("POCH-TGV");
        cart.add("NOT-ON-SALE");  // not in the catalogue: not in the cart
        return [one, gone, capped, MAX_QTY, cart.size, cart.total()];
    """) == [1, [], 999, 999, 0, 0]


def test_the_api_body_has_the_lines_in_the_order_tapped(blank_page):
    body = cart(blank_page, """
        cart.add("ETIQ-TGV"); cart.add("SAC-IKEA"); cart.add("ETIQ-TGV");
        cart.pay("cash", 2000);
        const body = cart.body("c0ffee00-0000-4000-8000-000000000000", 7);
        cart.pay("card", 300);  // a body already made does not change afterwards
        return [Object.keys(body), body, cart.lines()];
    """)
    keys, sent, lines = body
    assert keys == ["client_id", "cash_session_id", "lines", "payments"]
    assert sent == {"client_id": "c0ffee00-0000-4000-8000-000000000000", "cash_session_id": 7,
                    "lines": [{"sku": "ETIQ-TGV", "qty": 2}, {"sku": "SAC-IKEA", "qty": 1}],
                    "payments": [{"method": "cash", "amount_cents": 2000}]}
    assert lines == sent["lines"]


def test_a_note_for_two_items_leaves_the_change(blank_page):
    # 8,00 + 4,00 = 12,00 paid with a 20 € note: 8,00 to give back
    assert cart(blank_page, """
        cart.add("POCH-TGV"); cart.add("ETIQ-TGV");
        const before = [cart.due(), cart.settled()];
        cart.pay("cash", 2000);
        return [before, cart.paid(), cart.due(), cart.settled(), cart.change()];
    """) == [[1200, False], 2000, 0, True, 800]


def test_exact_cash_pays_what_is_left(blank_page):
    # 4,50 €: 2 € in cash first, then "Montant exact" hands over the 2,50 € left
    assert cart(blank_page, """
        cart.add("ETIQ-TGV"); cart.add("BADGE", 5);
        const before = [cart.total(), cart.exact()];
        cart.pay("cash", 200);
        const after = [cart.exact(), cart.settled()];
        cart.pay("cash", cart.exact());
        return [before, after, cart.due(), cart.change(), cart.settled(), cart.payments];
    """) == [[450, 450], [250, False], 0, 0, True,
             [{"method": "cash", "amount_cents": 200}, {"method": "cash", "amount_cents": 250}]]


def test_payments_are_undone_and_nothing_is_paid_for_zero(blank_page):
    assert cart(blank_page, """
        cart.add("SAC-IKEA");
        const added = [cart.pay("cash", 0), cart.pay("cash", -100), cart.pay("cheque", 500),
                       cart.pay("card", 400)];
        cart.undoPayment(0);
        const left = [cart.payments, cart.due()];
        cart.clearPayments();
        return [added, left, cart.paid(), cart.due()];
    """) == [[False, False, True, True], [[{"method": "card", "amount_cents": 400}], 1100],
             0, 1500]


def test_other_amounts_typed_in_euros(blank_page):
    assert cart(blank_page, """
        return ["12,50", "12.5", "0,10", " 12 € ", "7", "1,234", "-3", "abc", "", "1,2,3"]
            .map(parseEuros);
    """) == [1250, 1250, 10, 1200, 700, None, None, None, None, None]
    # a cheque or card pays at most what is left; cash may be more (the change)
    assert cart(blank_page, """
        cart.add("ETIQ-TGV");  // 4,00 €
        return [cart.refusal("cash", parseEuros("abc")), cart.refusal("card", 0),
                cart.refusal("card", 401), cart.refusal("cheque", 400),
                cart.refusal("cash", 5000)];
    """) == ["amount", "amount", "toomuch", None, None]


def test_a_cleared_cart_starts_a_new_sale(blank_page):
    assert cart(blank_page, """
        cart.add("SAC-IKEA"); cart.pay("cash", 1500);
        cart.clear();
        return [cart.size, cart.total(), cart.payments, cart.lines(), cart.settled()];
    """) == [0, 0, [], [], True]


def test_an_amount_far_above_what_is_left_is_doubtful(blank_page):
    # 350 typed for 3,50: over 100 € and more than 5 times what is left to pay
    assert cart(blank_page, """
        cart.add("ETIQ-TGV");
        const small = [cart.doubtful(35000), cart.doubtful(5000)];
        cart.add("SAC-IKEA", 2);
        return [...small, cart.doubtful(17000), cart.doubtful(17001)];
    """) == [True, False, False, True]
