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
