"""The treasurer closes a day with a 1 € shortfall, by touch, and reads the slip."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.closing_helpers import sales_day
from tests.conftest import api_login

pytestmark = pytest.mark.browser


def test_treasurer_closes_the_day_and_reads_the_slip(page, live_server, client):
    seller = api_login(client, "Vendeuse", "3456")
    treasurer = api_login(client, "Tresoriere", "2345")
    sales_day(client, seller, treasurer)

    login_by_touch(page, "Tresoriere", "2345")
    page.wait_for_url(HOME)
    page.goto("/sessions")
    assert_accessible(page)
    page.get_by_role("link", name="Fermer la caisse").first.tap()
    page.wait_for_url("**/close")
    assert_accessible(page)

    for label, taps in (("Billets de 50 €", 1), ("Billets de 10 €", 1),
                        ("Pièces de 2 €", 2), ("Pièces de 1 €", 1)):
        for _ in range(taps):
            page.get_by_role("button", name=f"Un de plus : {label}", exact=True).tap()
    assert "65,00" in page.locator(".counted-live").inner_text()
    page.get_by_label("Montant du chèque n° 1", exact=True).fill("7,50")
    page.get_by_label("Nom sur le chèque n° 1", exact=True).fill("Mme Dupré")
    page.get_by_label("Total du ticket du terminal (€), 0 s'il n'y en a pas").fill("4,00")
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le compte").tap()

    verdict = page.locator(".verdict").inner_text().replace("\u202f", " ").replace(
        "\u00a0", " ")
    assert verdict == "Espèces : il manque 1,00 €."
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Fermer la caisse et imprimer").tap()
    assert "La caisse est fermée" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Voir le bordereau").tap()
    page.wait_for_url("**/document/slip")
    slip = page.locator("article.document").inner_text().replace("\u202f", " ").replace(
        "\u00a0", " ")
    for expected in ("BORDEREAU DE REMISE", "1 x 50,00 €", "Mme Dupré", "Fond de caisse rendu",
                     "Espèces remises", "35,00 €", "Il manque 1,00 €", "Remis par",
                     "Reçu par (trésorière)"):
        assert expected in slip, (expected, slip)
    assert_accessible(page)

    page.goto("/envelopes")
    assert "23,25" in page.locator("table").first.inner_text()
    assert_accessible(page)
    page.goto("/journal")
    assert "Journal intact" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.goto("/exports")
    assert_accessible(page)
