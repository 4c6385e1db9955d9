"""A volunteer logs in by touch: her name, then her PIN on the keypad."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch

pytestmark = pytest.mark.browser


def test_volunteer_taps_her_name_and_pin_and_lands_home(page):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Bonjour Vendeuse, que voulez-vous faire ?")
    assert page.locator(".who").inner_text() == "Vendeuse"
    assert_accessible(page)


def test_five_wrong_pins_show_the_lock_message(page):
    for _ in range(5):
        login_by_touch(page, "Vendeuse", "1111")
    message = page.get_by_role("alert").inner_text()
    assert "bloqué(e) 5 minutes" in message and "Réessayez à" in message
    assert_accessible(page)
    login_by_touch(page, "Tresoriere", "2345")
    page.wait_for_url(HOME)


def test_touch_targets_are_large_enough(page):
    page.goto("/login")
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        'button, a.button, .volunteer span, .key')].map(e => {
        const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height];
    })""")
    small = [s for s in sizes if s[1] < 48 or s[2] < 48]
    assert sizes and not small, small
    font = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 18


def test_admin_page_is_accessible_and_in_english_on_request(page):
    login_by_touch(page, "Admin", "1234")
    page.wait_for_url(HOME)
    page.goto("/admin/?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Settings"
    assert_accessible(page)
