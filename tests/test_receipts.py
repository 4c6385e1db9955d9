"""Sale receipts through python-escpos to the printer emulator, decoded back to text."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.models import PrintJob, Sale
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def open_session(client, headers):
    response = client.post("/api/v1/cash-sessions", headers=headers, json={
        "name": "Vente IKEA du 14 décembre", "location": "ikea",
        "opening_float": {"1000": 2}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sell(client, headers, session_id, lines, payments, **extras):
    """A sale whose customer asked for her receipt (they print on request only)."""
    return client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": lines,
        "payments": payments, "print_receipt": True, **extras})


def test_a_sale_prints_its_receipt_with_accents_total_and_change(client, seller_headers,
                                                                 printer_emulator):
    session_id = open_session(client, seller_headers)
    response = sell(client, seller_headers, session_id,
                    [{"sku": "ETIQ-TGV", "qty": 2}, {"sku": "POCH-VILLE", "qty": 1},
                     {"sku": "ETIQ-IKEA", "qty": 1}],
                    [{"method": "cash", "amount_cents": 2000}])
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    assert sale["total_cents"] == 1900 and sale["change_cents"] == 100
    assert sale["receipt"]["status"] == "printed"
    [data] = printer_emulator.wait_for_jobs(1)
    ticket = decode(data)
    text = ticket.text
    assert sale["number"] in text
    assert "Les Fées déclic - section de l'ASCS" in text  # no em dash in CP858
    assert "Centre social de la Fontaine d'Ouche, Dijon" in text
    assert "Étiquette de valise TGV" in text and "2 x 4,00 €" in text
    assert "Pochette Ville de Dijon" in text
    assert "19,00 €" in text and "Espèces reçues" in text and "20,00 €" in text
    assert "Rendu" in text and "1,00 €" in text
    assert "Vendu par Vendeuse" in text  # issue 27: who sold (was "Vendeur : Vendeuse")
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "Vos achats financent les sorties" in text and "actions solidaires" in text
    assert "DUPLICATA" not in text and ticket.cuts
    assert ticket.qr_payloads() == []  # no PUBLIC_URL, no QR


def test_total_reads_12_50_euros(client, seller_headers, treasurer_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    response = sell(client, treasurer_headers, session_id,  # a price of her own
                    [{"sku": "POCH-TGV", "qty": 1}, {"sku": "ETIQ-TGV", "qty": 1},
                     {"sku": "ETIQ-IKEA", "qty": 1, "unit_price_cents": 50}],
                    [{"method": "card", "amount_cents": 1250}])
    assert response.status_code == 201, response.get_json()
    text = decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "12,50 €" in text and "Carte" in text and "Espèces reçues" not in text


def test_printer_refusing_never_holds_the_sale_and_the_receipt_waits(
        client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    printer_emulator.refuse()
    start = time.monotonic()
    response = sell(client, seller_headers, session_id, [{"sku": "SAC-IKEA", "qty": 1}],
                    [{"method": "cash", "amount_cents": 1500}])
    assert time.monotonic() - start < 5
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    assert sale["receipt"]["status"] == "queued"
    assert db.session.scalar(select(func.count(Sale.id))) == 1  # committed all the same
    shown = client.get(f"/api/v1/sales/{sale['id']}", headers=seller_headers)
    assert shown.get_json()["receipt"]["status"] == "queued"

    printer_emulator.resume()
    assert queue.retry_queued(db.session) == 1
    [data] = printer_emulator.wait_for_jobs(1)
    assert sale["number"] in decode(data).text and "DUPLICATA" not in decode(data).text
    assert queue.retry_queued(db.session) == 0  # printed once, not again
    shown = client.get(f"/api/v1/sales/{sale['id']}", headers=seller_headers)
    assert shown.get_json()["receipt"]["status"] == "printed"

    again = client.post(f"/api/v1/sales/{sale['id']}/receipt", headers=seller_headers)
    assert again.get_json() == {"receipt": {"status": "printed"}}
    duplicate = decode(printer_emulator.wait_for_jobs(2)[1])
    lines = [line.strip() for line in duplicate.lines if line.strip()]
    assert lines[0] == "DUPLICATA" and sale["number"] in duplicate.text



def test_a_sale_told_not_to_print_answers_at_once_and_prints_its_original_later(
        client, seller_headers, printer_emulator):
    """The sale screen sends print_receipt: false and asks for the receipt afterwards, so a
    printer that hangs never holds the answer to the sale."""
    session_id = open_session(client, seller_headers)
    printer_emulator.hang()
    response = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": [{"sku": "SAC-IKEA", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 1500}], "print_receipt": False})
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    # the printer was not even called: nothing waited on it
    assert sale["receipt"] == {"status": "none"} and printer_emulator.connections == 0
    voided = client.post(f"/api/v1/sales/{sale['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur de saisie", "print_receipt": False})
    assert voided.status_code == 201, voided.get_json()
    assert voided.get_json()["receipt"] == {"status": "none"}
    assert printer_emulator.connections == 0  # a void told so does not wait either
    printer_emulator.resume()
    printed = client.post(f"/api/v1/sales/{sale['id']}/receipt", headers=seller_headers)
    assert printed.get_json() == {"receipt": {"status": "printed"}}
    ticket = decode(printer_emulator.wait_for_jobs(1)[0])
    assert sale["number"] in ticket.text and "DUPLICATA" not in ticket.text
    # a strict body: a string where the boolean goes is refused, nothing recorded
    refused = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": [{"sku": "SAC-IKEA", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 1500}], "print_receipt": "non"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(Sale.id))) == 2  # the sale and its void

def test_void_and_refund_print_with_their_title(client, seller_headers, treasurer_headers,
                                                printer_emulator):
    """With receipts set to "always", voids and refunds print theirs too."""
    from kiosk.database import write_transaction
    from kiosk.models import Setting

    with write_transaction(db.session):
        db.session.add(Setting(key="receipt_mode", value="always"))
    session_id = open_session(client, seller_headers)
    first = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                 [{"method": "cash", "amount_cents": 1400}]).get_json()
    voided = client.post(f"/api/v1/sales/{first['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur de saisie"})
    assert voided.status_code == 201, voided.get_json()
    second = sell(client, seller_headers, session_id, [{"sku": "LINGE-IKEA", "qty": 2}],
                  [{"method": "cheque", "amount_cents": 3200}]).get_json()
    refunded = client.post(f"/api/v1/sales/{second['id']}/refund", headers=treasurer_headers,
                           json={"reason": "Couture défaite", "lines": [
                               {"sku": "LINGE-IKEA", "qty": 1}]})
    assert refunded.status_code == 201, refunded.get_json()
    jobs = [decode(d).text for d in printer_emulator.wait_for_jobs(4)]
    assert "ANNULATION" in jobs[1] and first["number"] in jobs[1]
    assert "Erreur de saisie" in jobs[1] and "-14,00 €" in jobs[1]
    assert "REMBOURSEMENT" in jobs[3] and "Couture défaite" in jobs[3]
    assert "-16,00 €" in jobs[3] and "Chèque" in jobs[3]
    assert "Sac à linge IKEA" in jobs[3]


def test_the_sale_page_reprints_a_duplicate(client, seller_headers, printer_emulator):
    from tests.conftest import csrf_token, web_login

    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).get_json()
    printer_emulator.wait_for_jobs(1)
    web_login(client, "Vendeuse", "3456")
    page = client.get(f"/sell/sales/{sale['id']}").get_data(as_text=True)
    assert "Ticket imprimé" in page and "Étiquette de valise TGV" in page
    token = csrf_token(client, f"/sell/sales/{sale['id']}")
    response = client.post(f"/sell/sales/{sale['id']}/receipt", data={"csrf_token": token})
    assert response.status_code == 302
    assert "DUPLICATA" in decode(printer_emulator.wait_for_jobs(2)[1]).text
    assert db.session.scalar(select(func.count(PrintJob.id))) == 2
    refused = client.post(f"/sell/sales/{sale['id']}/receipt", data={})
    assert refused.status_code == 400  # no CSRF token, nothing printed
    assert db.session.scalar(select(func.count(PrintJob.id))) == 2


def test_settings_change_the_paper_and_public_url_adds_a_qr(app, client, seller_headers,
                                                            printer_emulator):
    from kiosk.database import write_transaction
    from kiosk.models import Setting

    app.config["PUBLIC_URL"] = "https://feesdeclic.example"
    with write_transaction(db.session):
        db.session.add(Setting(key="receipt_legal", value="Association loi 1901, TVA non "
                               "applicable"))
    session_id = open_session(client, seller_headers)
    response = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 400}])
    assert response.status_code == 201
    ticket = decode(printer_emulator.wait_for_jobs(1)[0])
    assert "Association loi 1901, TVA non applicable" in ticket.text
    assert "art. 293 B" not in ticket.text
    assert ticket.qr_payloads() == ["https://feesdeclic.example/"]
