"""The first start of a new database, both ways, as the coordinator does it on the tablet:
"Essayer avec la démo" (and its DÉMO ribbon), or "Commencer pour de vrai" (issue 13)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app, worker_server):
    """A NEW database: no demo, no volunteer (the suite's other pages start from the demo)."""
    with worker_server.serving(app) as served:
        yield served


def test_first_start_with_the_demo(page):
    page.goto("/")
    page.wait_for_url(re.compile(r"/start$"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Bienvenue ! Comment voulez-vous commencer ?"
    assert page.locator("[data-demo]").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Essayer avec la démo").tap()
    page.wait_for_url(re.compile(r"/login$"))
    page.get_by_text("La démo est chargée").wait_for()
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    ribbon = page.locator("[data-demo]")
    assert "DÉMO" in ribbon.inner_text() and ribbon.is_visible()
    assert_accessible(page)


def test_first_start_for_real(page):
    page.goto("/")
    page.wait_for_url(re.compile(r"/start$"))
    page.get_by_role("link", name="Commencer pour de vrai").tap()
    page.wait_for_url(re.compile(r"/start/real$"))
    assert_accessible(page)
    page.get_by_label("Nom du groupe (en haut de chaque ticket)").fill("Les Petites Mains")
    page.get_by_label("Adresse").fill("12 rue des Tilleuls, Chenôve")
    page.get_by_label("Votre prénom (la première coordinatrice)").fill("Josiane")
    page.get_by_label("Votre code secret (4 à 6 chiffres)").fill("4821")
    page.get_by_label("Le même code, encore une fois").fill("4821")
    page.get_by_label("Le stand où vous vendez").fill("Marché de Noël")
    assert page.get_by_label("Enveloppe 1", exact=True).input_value() == "Solidarité"
    page.get_by_label("Date de la réunion qui a décidé la répartition").fill("2026-11-20")
    button = page.get_by_role("button", name="Mettre la caisse en route")
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    button.tap()
    page.wait_for_url(re.compile(r"/login$"))
    page.get_by_text("La caisse est prête").wait_for()
    assert page.get_by_role("radio").count() == 1  # Josiane, and nobody of the demo
    login_by_touch(page, "Josiane", "4821")
    page.wait_for_url(HOME)
    assert page.locator("[data-demo]").count() == 0
    page.goto("/admin/categories")
    page.get_by_label("Nom de la catégorie").fill("Porte-clés")
    page.get_by_role("button", name="Ajouter la catégorie").tap()
    page.get_by_text("La catégorie « Porte-clés » est ajoutée.").wait_for()
    assert_accessible(page)
