"""The Z report and the hand-over slip, on the printer (decoded from its bytes) and as PDF."""

from __future__ import annotations

import io
import time

import pypdfium2
import pytest

from kiosk.documents import closing as closing_documents
from kiosk.documents.pdf import report_pdf
from kiosk.extensions import db
from tests.closing_helpers import close_body, sales_day
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 2.0}


def flat(text: str) -> str:
    """Receipt text with its wrapped lines joined (labels wrap at spaces)."""
    return " ".join(text.split())


def closed_day(client, seller_headers, treasurer_headers, emulator=None) -> tuple[int, dict]:
    session_id = sales_day(client, seller_headers, treasurer_headers)
    if emulator is not None:
        emulator.before_close = len(emulator.jobs)  # the sales' receipts, if any
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=close_body())
    assert response.status_code == 200, response.get_json()
    return session_id, response.get_json()


def test_closing_prints_the_z_report_and_the_slip(client, seller_headers, treasurer_headers,
                                                  printer_emulator):
    session_id, body = closed_day(client, seller_headers, treasurer_headers, printer_emulator)
    assert body["prints"] == {"z_report": "printed", "slip": "printed"}
    jobs = printer_emulator.wait_for_jobs(printer_emulator.before_close + 2)
    deadline = time.monotonic() + 5  # a receipt's bytes may land just after its sale
    while True:
        jobs = list(printer_emulator.jobs)
        texts = [flat(decode(data).text) for data in jobs]
        z_texts = [t for t in texts if "TICKET Z" in t]
        slip_texts = [t for t in texts if "BORDEREAU DE REMISE" in t]
        if (z_texts and slip_texts) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    [z_text], [slip_text] = z_texts, slip_texts

    for expected in ("Nombre de ventes", "Annulations", "Remboursements",
                     "Total net des ventes", "47,50 €", "Espèces", "Chèques", "Carte bancaire",
                     "Sac cabas Ville de Dijon x 2", "36,00 €", "Mauvais article touché",
                     "Couture défaite", "Espèces attendues", "66,00 €", "65,00 €",
                     "Il manque 1,00 €", "Solidarité", "23,25 €"):
        assert expected in z_text, (expected, z_text)
    for expected in ("1 x 50,00 €", "1 x 10,00 €", "2 x 2,00 €", "1 x 1,00 €",
                     "Mme Dupré", "7,50 €", "Total du terminal", "4,00 €",
                     "Fond de caisse rendu", "30,00 €", "Espèces remises", "35,00 €",
                     "Remis par", "Reçu par (trésorière)", body["journal_hash"][:32],
                     body["journal_hash"][32:],
                     "Il manque 1,00 €"):
        assert expected in slip_text, (expected, slip_text)
    assert "DUPLICATA" not in z_text and "DUPLICATA" not in slip_text
    print(decode(next(d for d in jobs if b"BORDEREAU" in d)).text)

    again = client.post(f"/api/v1/cash-sessions/{session_id}/slip", headers=treasurer_headers)
    assert again.get_json() == {"print": {"status": "printed"}}
    slips = [decode(d).text for d in printer_emulator.wait_for_jobs(len(jobs) + 1)
             if b"BORDEREAU" in d]
    assert len(slips) == 2
    copy = slips[-1]
    assert "BORDEREAU DE REMISE" in copy and "DUPLICATA" in copy


def test_documents_wait_for_the_close(client, seller_headers, treasurer_headers):
    from tests.closing_helpers import open_session

    session_id = open_session(client, seller_headers)
    response = client.post(f"/api/v1/cash-sessions/{session_id}/z-report",
                           headers=treasurer_headers)
    assert response.status_code == 409


def test_pdf_of_the_slip_and_z_report(client, seller_headers, treasurer_headers):
    session_id, body = closed_day(client, seller_headers, treasurer_headers)
    for document, words in (("slip", ["BORDEREAU DE REMISE", "Mme Dupré", "Reçu par",
                                      "Il manque 1,00 €", body["journal_hash"][:32]]),
                            ("z_report", ["TICKET Z", "Sac cabas Ville de Dijon x 2",
                                          "Couture défaite", "47,50 €"])):
        report = closing_documents.build(db.session, document, session_id)
        pdf = pypdfium2.PdfDocument(io.BytesIO(report_pdf(report)))
        text = flat("\n".join(page.get_textpage().get_text_range() for page in pdf))
        for word in words:
            assert word in text, (word, text)
        assert "DUPLICATA" not in text
        report.duplicate = True
        copy = pypdfium2.PdfDocument(io.BytesIO(report_pdf(report)))
        assert "DUPLICATA" in copy[0].get_textpage().get_text_range()


def pdf_pages(report) -> list[str]:
    """The report's PDF, rendered by pdfium: the text of each page, lines joined."""
    pdf = pypdfium2.PdfDocument(io.BytesIO(report_pdf(report)))
    return [flat(page.get_textpage().get_text_range()) for page in pdf]


def in_order(text: str, words: list[str]) -> bool:
    places = [text.find(word) for word in words]
    return -1 not in places and places == sorted(places)


def busy_day(client, seller_headers, treasurer_headers) -> int:
    """The shared day, then one of every product in the catalogue and six more cheques."""
    from kiosk.models import Product
    from tests.closing_helpers import sell

    session_id = sales_day(client, seller_headers, treasurer_headers)
    for product in db.session.query(Product).order_by(Product.sku):
        response = sell(client, seller_headers, session_id, [{"sku": product.sku, "qty": 1}],
                        [{"method": "cheque", "amount_cents": product.price_cents}]
                        if product.sku.startswith("SAC") else
                        [{"method": "cash", "amount_cents": product.price_cents}])
        assert response.status_code == 201, response.get_json()
    cheques = [{"amount_cents": 750, "drawer": "Mme Dupré"}] + [
        {"amount_cents": product.price_cents, "drawer": f"M. Martin {n}", "bank": "La Poste"}
        for n, product in enumerate(db.session.query(Product).filter(
            Product.sku.startswith("SAC")).order_by(Product.sku), 1)]
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=close_body(cheques=cheques))
    assert response.status_code == 200, response.get_json()
    return session_id


@pytest.mark.parametrize("day", ["normal", "busy"])
def test_the_z_report_and_the_slip_fit_one_a4_page_each_in_reading_order(
        client, seller_headers, treasurer_headers, day):
    if day == "normal":
        session_id, _ = closed_day(client, seller_headers, treasurer_headers)
    else:
        session_id = busy_day(client, seller_headers, treasurer_headers)
    z_report = closing_documents.build(db.session, "z_report", session_id)
    pages = pdf_pages(z_report)
    assert len(pages) == 1, pages
    assert in_order(pages[0], [
        "TICKET Z", "Ouverte le", "Nombre de ventes", "Total net des ventes",
        "Par moyen de paiement", "Par article", "Sac cabas Ville de Dijon x",
        "Annulations et remboursements", "Couture défaite", "Fond de caisse",
        "Espèces attendues", "Espèces comptées", "Écart", "Il manque", "Chèques remis",
        "Carte (terminal)", "Enveloppes", "Empreinte du journal", "Écriture de clôture",
        # issue 27: a short control code, as the slip; the command line is the docs'
        "Code de contrôle"]), pages[0]
    assert "verify-journal" not in pages[0]
    slip = closing_documents.build(db.session, "slip", session_id)
    pages = pdf_pages(slip)
    assert len(pages) == 1, pages
    assert in_order(pages[0], [
        "BORDEREAU DE REMISE", "Espèces par billet et pièce", "Total compté", "Chèques",
        "Mme Dupré", "Carte bancaire", "Remise", "Recette remise", "Remis par",
        "Reçu par (trésorière)", "Empreinte du journal", "Écriture de clôture",
        # issue 27: the slip keeps a short control code, the command is the docs' (it
        # was "verify-journal" here)
        "Code de contrôle"]), pages[0]
    slip.duplicate = True
    copy = pdf_pages(slip)
    assert len(copy) == 1 and copy[0].startswith("DUPLICATA") and copy[0].endswith("DUPLICATA")


def test_the_z_ticket_range_leaves_out_a_consignment_statement_numbered_in_between(
        client, seller_headers, treasurer_headers):
    from tests.closing_helpers import open_session, sell

    session_id = open_session(client, seller_headers)
    numbers = []
    for step in range(3):
        if step == 1:  # the museum's statement takes the next number, in no drawer
            statement = client.post("/api/v1/consignment-statements", headers=treasurer_headers,
                                    json={"location": "musee", "period": "novembre 2026",
                                          "lines": [{"sku": "SAC-VILLE", "qty": 1}]})
            assert statement.status_code == 201, statement.get_json()
            consignment = statement.get_json()["number"]
        response = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                        [{"method": "cash", "amount_cents": 400}])
        numbers.append(response.get_json()["number"])
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                           json=close_body(counted={"1000": 2, "200": 11}, cheques=[], card=0))
    assert response.status_code == 200, response.get_json()
    z_report = closing_documents.build(db.session, "z_report", session_id)
    tickets = dict(z_report.sections[0].rows)["Tickets"]
    assert tickets == f"{numbers[0]}, {numbers[1]} à {numbers[2]}"
    assert consignment not in pdf_pages(z_report)[0]
