"""Gifts at the stall, on the tablet (issue 17): "Gardez la monnaie" in one tap after a
20 € note, a gift without purchase, a free-price item, receipts only on request, a gift
receipt whose amount in words is read back from the printer's bytes and the PDF."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from sqlalchemy import select

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import Product, Sale, SaleLine, Setting
from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.browser.test_sell_flow import open_drawer, text
from tests.escpos_decode import decode

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def start_selling(page) -> None:
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    open_drawer(page)


def sales() -> list[Sale]:
    db.session.rollback()
    return list(db.session.scalars(select(Sale).order_by(Sale.id)))


def test_keep_the_change_in_one_tap_and_the_ticket_only_when_asked(page, printer_emulator):
    start_selling(page)
    page.locator('.product[data-sku="TAB-IKEA"]').tap()  # 14,00 €
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="20 €", exact=True).tap()
    page.locator("[data-change]").wait_for(state="visible")
    assert text(page.locator("[data-change]")) == "6,00 €"
    assert "sur demande" in page.locator("[data-receipt]").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Gardez la monnaie").tap()  # the one tap
    label = page.locator("[data-change-label]")
    page.wait_for_function("el => el.textContent.includes('Merci')", arg=label.element_handle())
    assert text(label) == "Merci ! Don de 6,00 €"
    assert page.locator("[data-change]").is_hidden()
    sale, gift = sales()
    assert (sale.total_cents, sale.donation_cents) == (1400, 0)
    assert (gift.total_cents, gift.donation_cents, gift.lines) == (0, 600, [])
    assert printer_emulator.jobs == []  # nobody asked for a receipt: nothing printed
    page.get_by_role("button", name="Ticket").tap()
    jobs = printer_emulator.wait_for_jobs(2)  # the sale's, then the gift's
    assert [sale.number in decode(jobs[0]).text, "DUPLICATA" in decode(jobs[0]).text] == [
        True, False]
    assert "Don : 6,00 €" in decode(jobs[1]).text
    page.locator("[data-receipt].receipt-printed").wait_for()
    page.get_by_role("button", name="Vente suivante").tap()
    page.locator("[data-done]").wait_for(state="hidden")


def test_a_gift_without_purchase_from_the_sale_screen(page, printer_emulator):
    start_selling(page)
    page.get_by_role("button", name="Un don").tap()
    assert_accessible(page)
    page.locator("[data-gift-cents='500']").tap()
    page.get_by_role("button", name="Espèces").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert text(page.locator("[data-change-label]")) == "Merci ! Don de 5,00 €"
    [gift] = sales()
    assert (gift.total_cents, gift.donation_cents) == (0, 500)
    assert gift.number in page.locator("[data-done-title]").inner_text()
    assert printer_emulator.jobs == []
    page.get_by_role("button", name="Vente suivante").tap()
    # "Autre" amount, by card
    page.get_by_role("button", name="Un don").tap()
    page.get_by_role("button", name="Autre").tap()
    page.get_by_label("Montant du don, en euros").fill("12,50")
    page.get_by_role("button", name="OK", exact=True).tap()
    page.get_by_role("button", name="Carte bancaire").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert sales()[-1].donation_cents == 1250 and sales()[-1].payments[0].method == "card"


def test_a_free_price_item_is_refused_under_its_minimum(page):
    product = db.session.scalar(select(Product).where(Product.sku == "POCH-VILLE"))
    product.free_price, product.min_price_cents = True, 300  # suggested 7,50 €
    db.session.commit()
    start_selling(page)
    page.locator('.product[data-sku="POCH-VILLE"]').tap()
    free = page.locator("[data-free]")
    free.wait_for(state="visible")
    assert_accessible(page)
    assert "7,50" in text(page.locator("[data-free-suggested]"))
    page.get_by_label("Ou le prix que la cliente choisit, en euros").fill("2,50")
    page.get_by_role("button", name="Ajouter à ce prix").tap()
    assert text(page.locator("[data-free-error]")) == "Pas moins de 3,00 €."
    assert page.locator("[data-cart-lines] li").count() == 0
    page.get_by_label("Ou le prix que la cliente choisit, en euros").fill("10")
    page.get_by_role("button", name="Ajouter à ce prix").tap()
    free.wait_for(state="hidden")
    assert text(page.locator("[data-cart-total]")) == "10,00 €"
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Montant exact").tap()
    page.locator("[data-done]").wait_for(state="visible")
    [sale] = sales()
    assert [(line.qty, line.unit_price_cents) for line in sale.lines] == [(1, 1000)]
    # the suggestion, in one tap
    page.get_by_role("button", name="Vente suivante").tap()
    page.locator('.product[data-sku="POCH-VILLE"]').tap()
    page.locator("[data-free-suggested]").tap()
    assert text(page.locator("[data-cart-total]")) == "7,50 €"


def test_a_gift_receipt_in_words_on_paper_and_in_the_pdf(page, printer_emulator):
    with write_transaction(db.session):
        db.session.add(Setting(key="gift_receipts", value="on"))
    start_selling(page)
    page.locator('.product[data-sku="TAB-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="20 €", exact=True).tap()
    page.get_by_role("button", name="Gardez la monnaie").tap()
    page.get_by_role("button", name="Reçu de don").tap()
    assert_accessible(page)
    page.get_by_label("Nom de la donatrice ou du donateur").fill("Mme Jeanne Martin")
    page.get_by_label("Son adresse").fill("12 rue des Forges\n21000 Dijon")
    page.get_by_role("button", name="Faire le reçu").tap()
    page.locator("[data-gift-receipt-done]").wait_for(state="visible")
    assert re.search(r"Reçu n° DON-\d{4}-0001 fait", page.locator(
        "[data-gift-receipt-done]").inner_text())
    paper = decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "REÇU DE DON" in paper and "Soit six euros" in paper and "6,00 €" in paper
    assert "12 rue des Forges 21000 Dijon" in paper and "14,00" not in paper
    href = page.locator("[data-gift-receipt-pdf]").get_attribute("href")
    # fetched by the tablet itself, with its cookie (kiosk.lan is the browser's own name)
    fetched = page.evaluate("""async (url) => { const r = await fetch(url);
        return {type: r.headers.get("content-type"),
                bytes: Array.from(new Uint8Array(await r.arrayBuffer()))}; }""", href)
    assert fetched["type"] == "application/pdf"
    document = pypdfium2.PdfDocument(bytes(fetched["bytes"]))
    words = "\n".join(p.get_textpage().get_text_range() for p in document)
    assert "six euros" in words and "Jeanne Martin" in words
    gift = sales()[-1]
    assert db.session.scalar(select(SaleLine.id).where(SaleLine.sale_id == gift.id)) is None


def test_keep_the_change_of_a_big_note_shows_the_amount_asks_and_undoes(
        page, printer_emulator):
    """Issue 27, point 2: a 20 € note for a 3,50 € tag: the button says the 16,50 €, a
    gift above 10 € is confirmed first, and its undo says the amount and what to give."""
    start_selling(page)
    page.locator('.product[data-sku="ETIQ-IKEA"]').tap()  # 3,50 €
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="20 €", exact=True).tap()
    if page.locator("[data-confirm]").is_visible():
        page.locator("[data-confirm-yes]").tap()
    page.locator("[data-change]").wait_for(state="visible")
    keep = page.locator("[data-keep-change]")
    assert text(keep) == "Gardez la monnaie : 16,50 €"
    keep.tap()
    # not given yet: the question names the amount, and "Non" gives it back
    question = page.locator("[data-keep-confirm]")
    question.wait_for(state="visible")
    assert "16,50 €" in text(question)
    assert len(sales()) == 1
    assert_accessible(page)
    page.get_by_role("button", name="Non, je rends la monnaie").tap()
    assert question.is_hidden() and keep.is_visible() and len(sales()) == 1
    keep.tap()
    page.get_by_role("button", name="Oui, don de 16,50 €").tap()
    undo = page.get_by_role("button", name="Annuler le don de 16,50 €")
    undo.wait_for()
    _sale, gift = sales()
    assert (gift.total_cents, gift.donation_cents) == (0, 1650)
    undo.tap()
    label = page.locator("[data-change-label]")
    page.wait_for_function("el => el.textContent.includes('Don annulé')",
                           arg=label.element_handle())
    assert text(label) == "Don annulé : rendez 16,50 €"
    assert text(page.locator("[data-change]")) == "16,50 €"
    _sale, _gift, void = sales()
    assert void.kind == "void" and void.donation_cents == -1650
    assert undo.is_hidden()


def test_keep_the_change_of_a_small_sum_stays_one_tap(page, printer_emulator):
    start_selling(page)
    page.locator('.product[data-sku="TAB-IKEA"]').tap()  # 14,00 €
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="20 €", exact=True).tap()
    page.get_by_role("button", name="Gardez la monnaie : 6,00 €").tap()
    page.get_by_role("button", name="Annuler le don de 6,00 €").wait_for()
    assert page.locator("[data-keep-confirm]").is_hidden()


def test_an_impossible_free_price_is_refused_when_typed(page):
    """Issue 27, point 3: 100 000 000 € typed as a free price never reaches the cart."""
    product = db.session.scalar(select(Product).where(Product.sku == "POCH-VILLE"))
    product.free_price, product.min_price_cents = True, 300
    db.session.commit()
    start_selling(page)
    page.locator('.product[data-sku="POCH-VILLE"]').tap()
    page.locator("[data-free]").wait_for(state="visible")
    page.get_by_label("Ou le prix que la cliente choisit, en euros").fill("100000000")
    page.get_by_role("button", name="Ajouter à ce prix").tap()
    assert text(page.locator("[data-free-error]")) == (
        "Pas plus de 10 000,00 € pour une pièce : vérifiez le prix tapé.")
    assert page.locator("[data-cart-lines] li").count() == 0
    assert page.locator("[data-free]").is_visible()
