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
    # issue 27: said without brackets (was "bloqué(e) 5 minutes")
    assert "est bloqué 5 minutes" in message and "Réessayez à" in message
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


# Twenty-five first names, as long as real ones get (the login list is sorted by name).
VOLUNTEERS = ["Aïcha", "Bernadette", "Chantal", "Danièle", "Éliane", "Fatima", "Geneviève",
              "Huguette", "Irène", "Jacqueline", "Khadija", "Lucienne", "Marie-Thérèse",
              "Nadia", "Odette", "Paulette", "Quitterie", "Rosalie", "Simone", "Thérèse",
              "Ursule", "Violette", "Wassila", "Yvette", "Zoé"]


def add_volunteers(app) -> None:
    from kiosk.database import write_transaction
    from kiosk.extensions import db
    from kiosk.services.auth import create_user

    with write_transaction(db.session):
        for number, name in enumerate(VOLUNTEERS):
            create_user(db.session, name, "seller", f"{5000 + number}")


def everything_on_screen(page) -> dict:
    """What of the login does not fit the screen without scrolling, and where focus is."""
    return page.evaluate("""() => {
        const out = [...document.querySelectorAll('.volunteer span, .keypad .key, #pin')]
          .filter(e => { const r = e.getBoundingClientRect();
            return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth; })
          .map(e => e.textContent.trim() || e.id);
        const active = document.activeElement;
        return {out, scrolls: document.scrollingElement.scrollHeight > innerHeight
                    || document.scrollingElement.scrollWidth > innerWidth,
                names: document.querySelectorAll('.volunteer').length,
                focus: active ? active.tagName + ':' + (active.type || '') : '',
                pin: {readonly: document.querySelector('#pin').readOnly,
                      inputmode: document.querySelector('#pin').inputMode}};
    }""")


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_twenty_five_names_and_the_keypad_fit_one_screen_with_no_system_keyboard(
        request, live_server, orientation):
    add_volunteers(live_server.app)
    page = request.getfixturevalue("page" if orientation == "landscape" else "portrait_page")
    page.goto("/login")
    before = everything_on_screen(page)
    assert before["names"] == 28  # the demo's three and the twenty-five
    names = page.locator(".volunteer span").all_inner_texts()
    assert names.index("Éliane") == names.index("Danièle") + 1  # in French order
    assert before["out"] == [] and not before["scrolls"], before
    for name in ("Zoé", "Aïcha", "Marie-Thérèse"):  # the last, the first, the middle
        page.get_by_role("radio", name=name, exact=True).tap()
        after = everything_on_screen(page)
        assert after["out"] == [] and not after["scrolls"], (name, after)
        # no text field has the focus: nothing would call up the tablet's keyboard
        assert after["focus"] in ("INPUT:radio", "BODY:"), after
    assert before["pin"] == {"readonly": True, "inputmode": "none"}
    assert_accessible(page)
    for digit in "5012":  # Marie-Thérèse's PIN, on the keypad
        page.locator(f'.keypad [data-key="{digit}"]').tap()
    assert page.locator("#pin").input_value() == "5012"
    page.locator('.keypad [data-key="back"]').tap()
    page.locator('.keypad [data-key="9"]').tap()  # a wrong PIN: the message shows too
    with page.expect_navigation():
        page.get_by_role("button", name="OK").tap()
    assert "Ce code n'est pas le bon" in page.get_by_role("alert").inner_text()
    page.get_by_role("radio", name="Zoé", exact=True).tap()
    wrong = everything_on_screen(page)
    assert wrong["out"] == [] and not wrong["scrolls"], wrong
    page.get_by_role("radio", name="Marie-Thérèse", exact=True).tap()
    for digit in "5012":
        page.locator(f'.keypad [data-key="{digit}"]').tap()
    with page.expect_navigation():
        page.get_by_role("button", name="OK").tap()
    page.wait_for_url(HOME)
    assert page.locator(".who").inner_text() == "Marie-Thérèse"
