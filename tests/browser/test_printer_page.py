"""The coordinator checks the printer: a test ticket, then what waits when it is off."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.escpos_decode import decode

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def test_coordinator_prints_a_test_ticket_and_relaunches_the_queue(page, printer_emulator):
    login_by_touch(page, "Admin", "1234")
    page.wait_for_url(HOME)
    page.goto("/admin/")
    page.get_by_role("link", name="Imprimante et impressions en attente").tap()
    assert page.get_by_role("heading", level=1).inner_text() == "Imprimante"
    assert_accessible(page)

    page.get_by_role("button", name="Imprimer un ticket de test").tap()
    page.get_by_text("Le ticket de test est imprimé.").wait_for()
    assert "TICKET DE TEST" in decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert_accessible(page)

    printer_emulator.refuse()
    page.get_by_role("button", name="Imprimer un ticket de test").tap()
    page.get_by_text("L'imprimante n'a pas répondu").wait_for()
    assert page.locator("tr[data-job]").count() == 1
    assert_accessible(page)

    printer_emulator.resume()
    page.get_by_role("button", name="Relancer les impressions en attente").tap()
    page.get_by_text("plus rien n'attend").wait_for()
    assert page.locator("tr[data-job]").count() == 0
    printer_emulator.wait_for_jobs(2)

    sizes = page.evaluate("""() => [...document.querySelectorAll('main button, main a.button')]
        .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(),
        r.width, r.height]; })""")
    assert sizes and not [s for s in sizes if s[1] < 48 or s[2] < 48], sizes


def test_out_of_paper_shows_on_the_sale_screen_and_the_printer_page(
        page, client, seller_headers, printer_emulator):
    from tests.closing_helpers import open_session

    open_session(client, seller_headers)
    printer_emulator.paper = "out"
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.goto("/sell")
    line = page.locator("[data-printer-paper]")
    line.get_by_text("Plus de papier : changez le rouleau.").wait_for()
    assert line.get_attribute("data-paper") == "out"
    page.locator('button[data-sku="ETIQ-TGV"]').first.wait_for()  # the sale screen works on
    assert_accessible(page)


def test_the_printer_page_says_the_paper_is_out(page, printer_emulator):
    printer_emulator.paper = "out"
    login_by_touch(page, "Admin", "1234")
    page.wait_for_url(HOME)
    page.goto("/admin/printer")
    page.get_by_text("plus de papier : changez le rouleau").wait_for()
    assert_accessible(page)
