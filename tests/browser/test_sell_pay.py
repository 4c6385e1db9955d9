"""Paying at the stall: an amount typed far above the total is asked about, the card is
recorded only once the terminal accepted it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Sale
from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.browser.test_sell_flow import open_drawer, text

pytestmark = pytest.mark.browser


def sales_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Sale.id)))


def start(page, sku: str = "ETIQ-IKEA", float_cents: dict | None = None) -> None:
    """The drawer opened by touch (a 30 € float), or with `float_cents` beforehand: change
    beyond the cash the drawer holds is refused (issue 27)."""
    if float_cents is not None:
        from kiosk.database import write_transaction
        from kiosk.models import User
        from kiosk.services.cash import open_cash_session
        with write_transaction(db.session):
            seller = db.session.scalar(select(User).where(User.name == "Vendeuse"))
            open_cash_session(db.session, "Vente IKEA", "ikea", float_cents, seller.id)
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    if float_cents is None:
        open_drawer(page)
    else:
        page.goto("/sell")
    page.locator(f'button[data-sku="{sku}"]').tap()
    page.get_by_role("button", name="Encaisser").tap()


def test_350_typed_for_3_50_is_asked_about_before_it_is_taken(page):
    start(page, float_cents={10000: 3})  # 3,50 €, a 300 € float to give 196,50 € back
    page.get_by_role("button", name="Autre montant").tap()
    # the typed amount is what the customer handed over in cash: one button, no second
    # pair of Chèque / Carte beside the ones below
    assert page.locator("[data-other] button").count() == 1
    assert page.get_by_role("button", name="Carte (terminal)").count() == 1
    assert page.get_by_role("button", name="Chèque").count() == 1
    amount = page.get_by_label("Montant donné, en euros")
    amount.fill("350")
    page.get_by_role("button", name="Valider").tap()
    question = page.locator("[data-confirm-text]")
    question.wait_for(state="visible")
    assert text(question) == "Vous avez bien reçu 350,00 € ?"
    assert_accessible(page)
    assert sales_count() == 0
    page.get_by_role("button", name="Non (corriger)").tap()
    assert question.is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "other-amount"
    amount.fill("5")
    page.get_by_role("button", name="Valider").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert text(page.locator("[data-change]")) == "1,50 €"

    # a customer who really hands over 200 € for 3,50: "Oui", and the change is given
    page.locator('button[data-sku="ETIQ-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Autre montant").tap()
    amount.fill("200")
    page.get_by_role("button", name="Valider").tap()
    assert text(question) == "Vous avez bien reçu 200,00 € ?"
    page.get_by_role("button", name="Oui", exact=True).tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert text(page.locator("[data-change]")) == "196,50 €"
    db.session.rollback()
    assert [s.change_cents for s in db.session.scalars(select(Sale).order_by(Sale.id))] == [
        150, 19650]

    # 50 € for 3,50 is an ordinary note: taken at once
    page.locator('button[data-sku="ETIQ-IKEA"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Autre montant").tap()
    amount.fill("50")
    page.get_by_role("button", name="Valider").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert text(page.locator("[data-change]")) == "46,50 €"


def test_the_card_is_recorded_once_the_terminal_accepted_it(page):
    start(page, "SAC-IKEA")  # 15,00 €
    page.get_by_role("button", name="Carte (terminal)").tap()
    assert text(page.locator("[data-card-amount]")) == "15,00 €"
    assert page.locator("[data-cash='exact']").is_hidden()
    assert_accessible(page)
    assert sales_count() == 0
    # refused: back to the choice of payment, nothing recorded
    page.get_by_role("button", name="Refusé").tap()
    assert "Carte refusée" in page.locator("[data-pay-error]").inner_text()
    assert page.locator("[data-cash='exact']").is_visible()
    assert sales_count() == 0
    # accepted: recorded, as a card payment of the amount typed on the terminal
    page.get_by_role("button", name="Carte (terminal)").tap()
    page.get_by_role("button", name="Paiement accepté").tap()
    page.locator("[data-done]").wait_for(state="visible")
    assert "Pas de monnaie à rendre" in page.locator("[data-change-label]").inner_text()
    db.session.rollback()
    sale = db.session.scalar(select(Sale))
    assert [(p.method, p.amount_cents) for p in sale.payments] == [("card", 1500)]


def test_change_the_drawer_cannot_hold_is_refused_with_a_sentence(page):
    """Issue 27, point 3: 1 000 000 € typed as cash, "Oui": refused, nothing recorded."""
    start(page)  # 3,50 €, a 30 € float
    page.get_by_role("button", name="Autre montant").tap()
    page.get_by_label("Montant donné, en euros").fill("1000000")
    page.get_by_role("button", name="Valider").tap()
    page.get_by_role("button", name="Oui", exact=True).tap()
    error = page.locator("[data-pay-error]")
    error.wait_for(state="visible")
    assert "La caisse ne contient que 30,00 €" in text(error)
    assert "999 996,50 €" in text(error)
    assert sales_count() == 0
    assert page.locator("[data-done]").is_hidden()
