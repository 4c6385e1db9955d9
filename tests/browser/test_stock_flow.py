"""A volunteer records 5 pouches from a lot, prints their labels, takes 3 to the IKEA
stall, counts the stall and sees the levels: by touch, each page checked by axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.escpos_decode import decode

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "LABEL_PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def level(page, sku: str, code: str) -> int:
    return int(page.locator(f'tr[data-sku="{sku}"] td[data-location="{code}"]').inner_text())


def test_sew_print_take_count(page, printer_emulator):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.get_by_role("link", name="Stock").tap()
    page.wait_for_url("**/stock")
    assert_accessible(page)
    assert level(page, "POCH-TGV", "atelier") == 8

    # "J'ai cousu…": the scanner types a label's URL, the pouch tile gets selected
    page.get_by_role("link", name="J'ai cousu…").tap()
    page.wait_for_url("**/stock/made")
    assert_accessible(page)
    scan = page.get_by_label("Scanner une étiquette")
    scan.fill("http://kiosk.local/p/POCH-TGV")
    scan.press("Enter")
    assert page.get_by_role("radio", name="Pochette TGV Rhin-Rhône").is_checked()
    plus = page.get_by_role("button", name="Un de plus : Nombre de pièces")
    for _ in range(4):
        plus.tap()
    assert page.get_by_role("spinbutton", name="Nombre de pièces").input_value() == "5"
    page.get_by_label("3. Dans quel lot de bâches ?").select_option(
        label="SNCF · Bâches du TGV Rhin-Rhône")
    page.get_by_role("button", name="C'est fait, l'ajouter au stock").tap()
    page.get_by_text("Imprimer les étiquettes ?").wait_for()
    assert_accessible(page)
    pdf = page.get_by_role("link", name="Oui, sur une feuille A4 (5 étiquettes)")
    assert "copies=5" in pdf.get_attribute("href")

    # the label printer: progress is shown until the batch is done
    page.get_by_role("button", name="Oui, sur l'imprimante d'étiquettes").tap()
    page.get_by_text("Toutes les étiquettes sont imprimées (5).").wait_for(timeout=15000)
    jobs = [decode(data) for data in printer_emulator.wait_for_jobs(1)]
    assert sum(job.cuts for job in jobs) == 5
    assert [p for job in jobs for p in job.qr_payloads()] == ["POCH-TGV"] * 5

    # "Emporter vers…" the IKEA stall
    page.goto("/stock/take")
    assert_accessible(page)
    page.get_by_label("D'où ?").select_option("atelier")
    page.get_by_label("Vers où ?").select_option("ikea")
    page.get_by_role("radio", name="Pochette TGV Rhin-Rhône").check()
    plus = page.get_by_role("button", name="Un de plus : Nombre de pièces")
    plus.tap()
    plus.tap()
    page.get_by_role("button", name="C'est parti").tap()
    page.wait_for_url("**/stock")
    page.get_by_text("C'est noté : 3 × Pochette TGV Rhin-Rhône vers Stand IKEA Dijon.").wait_for()
    assert level(page, "POCH-TGV", "atelier") == 10 and level(page, "POCH-TGV", "ikea") == 11

    # "Compter" at the stall: 10 pouches on the table, the difference shown first
    page.get_by_role("link", name="Compter").tap()
    page.get_by_role("heading", name="Où comptez-vous ?").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Stand IKEA Dijon").tap()
    page.get_by_role("heading", name="Compter à Stand IKEA Dijon").wait_for()
    assert_accessible(page)
    page.get_by_label("Pochette TGV Rhin-Rhône").fill("10")
    page.get_by_role("button", name="Voir les écarts").tap()
    page.get_by_role("heading", name="Vérifiez avant d'enregistrer").wait_for()
    assert_accessible(page)
    row = page.locator('.count-diff tr[data-sku="POCH-TGV"]')
    assert row.locator("td").all_inner_texts() == ["11", "10", "-1"]
    page.get_by_role("button", name="C'est juste, enregistrer").tap()
    page.wait_for_url("**/stock")
    assert level(page, "POCH-TGV", "ikea") == 10 and level(page, "POCH-TGV", "atelier") == 10
    assert "a trouvé un écart de -1" in page.get_by_role("region", name="À vérifier").inner_text()
    assert_accessible(page)


def test_public_page_is_accessible(page):
    page.goto("/p/POCH-TGV")
    assert page.get_by_role("heading", level=1).inner_text() == "Pochette TGV Rhin-Rhône"
    assert_accessible(page)


def test_catalogue_and_consignment_pages_are_accessible(page):
    login_by_touch(page, "Admin", "1234")
    page.wait_for_url(HOME)
    for url, heading in (("/admin/products", "Catalogue"),
                         ("/admin/products/new", "Ajouter un produit"),
                         ("/admin/products/1", "Modifier Sac cabas Ville de Dijon"),
                         ("/admin/lots", "Lots de bâches"),
                         ("/admin/labels", "Feuille d'étiquettes"),
                         ("/stock/consignment", "Relevé du dépôt-vente")):
        page.goto(url)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
    page.goto("/admin/products/new")
    page.get_by_label("Référence (sur l'étiquette)").fill("SAC-NOEL")
    page.get_by_label("Nom").fill("Sac de Noël")
    page.get_by_label("Prix (€)").fill("douze euros")
    page.get_by_role("button", name="Enregistrer").tap()
    page.get_by_text("Le prix doit être un nombre, par exemple 12,50.").wait_for()
    assert_accessible(page)


def test_scan_module_reads_labels_without_barcode_detector(page):
    """The vendored jsQR fallback decodes a real label; URLs and bare SKUs are accepted."""
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.goto("/stock/made")
    result = page.evaluate("""async () => {
        const scan = await import("/static/js/scan.js");
        const jsQR = await scan.loadJsQR();
        const blob = await (await fetch("/api/v1/products/POCH-TGV/label.png")).blob();
        const bitmap = await createImageBitmap(blob);
        const canvas = document.createElement("canvas");
        canvas.width = bitmap.width; canvas.height = bitmap.height;
        const context = canvas.getContext("2d");
        context.drawImage(bitmap, 0, 0);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(frame.data, frame.width, frame.height);
        return {decoded: code && code.data,
                sku: scan.skuFromCode(code && code.data),
                url: scan.skuFromCode("https://fees.example.org/p/sac-ikea"),
                junk: scan.skuFromCode("DROP TABLE; <script>")};
    }""")
    assert result == {"decoded": "POCH-TGV", "sku": "POCH-TGV", "url": "SAC-IKEA",
                      "junk": None}
