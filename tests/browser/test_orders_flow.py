"""The treasurer takes the SNCF's order to a paid invoice by touch, on the stall's
tablet: order, delivery slip (printed on the receipt printer), invoice, transfer received;
each page checked by axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.escpos_decode import decode

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def test_an_sncf_order_to_a_paid_invoice_by_touch(page, printer_emulator):
    login_by_touch(page, "Tresoriere", "2345")
    page.wait_for_url(HOME)
    page.get_by_role("link", name="Commandes").tap()
    page.wait_for_url("**/orders")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle commande").tap()
    page.wait_for_url("**/orders/new")
    assert_accessible(page)
    page.get_by_label("Nom du nouveau partenaire").fill("SNCF Voyageurs")
    page.get_by_label("Adresse (pour la facture)").fill("Gare de Dijon-Ville\n21000 Dijon")
    page.get_by_label("Article, ligne 1").select_option("POCH-TGV")
    page.get_by_label("Quantité, ligne 1").fill("5")
    page.get_by_label("Prix convenu, ligne 1").fill("7,50")
    page.get_by_label("Article, ligne 2").select_option("ETIQ-TGV")
    page.get_by_label("Quantité, ligne 2").fill("3")
    page.get_by_label("Prix convenu, ligne 2").fill("3,33")
    page.get_by_label("Lot de bâches").select_option("SNCF-2011")
    page.get_by_role("button", name="Enregistrer la commande").tap()
    page.wait_for_url(re.compile(r".*/orders/\d+$"))
    assert_accessible(page)
    assert page.locator("[data-status]").inner_text() == "À coudre"

    page.get_by_role("button", name="Faire le bon de livraison").tap()
    page.wait_for_url("**/orders/documents/delivery/*")
    assert_accessible(page)
    page.get_by_role("button", name="Imprimer sur l'imprimante à tickets").tap()
    page.get_by_text("Bon de livraison imprimé.").wait_for()
    [job] = [decode(data) for data in printer_emulator.wait_for_jobs(1)]
    assert "BON DE LIVRAISON BL-" in job.text and "Pochette TGV Rhin-Rhône" in job.text
    page.get_by_role("link", name="Retour à la commande").tap()

    page.get_by_role("button", name="Faire la facture").tap()
    page.wait_for_url("**/orders/documents/invoice/*")
    assert_accessible(page)
    assert "TVA non applicable, art. 293 B du CGI" in page.content()
    assert page.get_by_role("link", name="Ouvrir le PDF (pour imprimer ou envoyer)")\
        .get_attribute("href").endswith(".pdf")
    page.get_by_role("link", name="Retour à la commande").tap()

    assert page.get_by_label("Montant reçu (€)").input_value() == "47,49"
    page.get_by_role("button", name="Enregistrer le paiement").tap()
    page.get_by_text("la commande est payée").wait_for()
    assert page.locator("[data-status]").inner_text() == "Payée"
    assert_accessible(page)
    assert page.js_errors == []
