"""Receipts on request, and gift receipts (issue 17), through the printer emulator."""

from __future__ import annotations

import re
import uuid

import pypdfium2
import pytest
from sqlalchemy import func, select

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import GiftReceipt, PrintJob, Setting
from tests.closing_helpers import open_session
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def sell(client, headers, session_id, lines, payments, **extras):
    return client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": lines,
        "payments": payments, **extras})


def settings(**values):
    with write_transaction(db.session):
        for key, value in values.items():
            db.session.merge(Setting(key=key, value=value))


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_no_receipt_unless_asked_then_the_first_print_is_the_original(
        client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}], donation_cents=600).get_json()
    assert sold["receipt"] == {"status": "none"}
    assert printer_emulator.jobs == [] and db.session.scalar(
        select(func.count(PrintJob.id))) == 0
    first = client.post(f"/api/v1/sales/{sold['id']}/receipt", headers=seller_headers)
    assert first.get_json() == {"receipt": {"status": "printed"}}
    original = decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "DUPLICATA" not in original and sold["number"] in original
    assert "Don : 6,00 € - merci !" in original  # the em dash is not in CP858
    assert "TOTAL" in original and "14,00 €" in original
    client.post(f"/api/v1/sales/{sold['id']}/receipt", headers=seller_headers)
    assert "DUPLICATA" in decode(printer_emulator.wait_for_jobs(2)[1]).text


def test_asked_at_the_sale_or_always_it_prints_never_it_does_not(client, seller_headers,
                                                                 printer_emulator):
    session_id = open_session(client, seller_headers)
    asked = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                 [{"method": "card", "amount_cents": 400}], print_receipt=True).get_json()
    assert asked["receipt"]["status"] == "printed"
    assert "DUPLICATA" not in decode(printer_emulator.wait_for_jobs(1)[0]).text
    settings(receipt_mode="always")
    always = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                  [{"method": "card", "amount_cents": 400}]).get_json()
    assert always["receipt"]["status"] == "printed"
    declined = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "card", "amount_cents": 400}], print_receipt=False).get_json()
    assert declined["receipt"]["status"] == "none"
    settings(receipt_mode="never")
    never = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                 [{"method": "card", "amount_cents": 400}]).get_json()
    assert never["receipt"]["status"] == "none"
    assert len(printer_emulator.jobs) == 2


def test_the_admin_chooses_the_receipt_settings(client, demo, printer_emulator):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/printer")
    saved = client.post("/admin/printer/receipts", data={
        "csrf_token": token, "receipts-receipt_mode": "always", "receipts-gift_receipts": "y",
        "receipts-gift_receipt_identity": "RNA W212000000, organisme d'intérêt général"})
    assert saved.status_code == 303
    db.session.rollback()
    stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
    assert stored["receipt_mode"] == "always" and stored["gift_receipts"] == "on"
    page = client.get("/admin/printer").get_data(as_text=True)
    [checked] = re.findall(r'<input[^>]*checked[^>]*type="radio"[^>]*value="(\w+)"', page)
    assert checked == "always" and "RNA W212000000" in page


def test_a_gift_receipt_for_the_gift_only_in_words_on_paper_and_in_the_pdf(
        client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}], donation_cents=600).get_json()
    donor = {"donor_name": "Mme Jeanne Martin",
             "donor_address": "12 rue des Forges, 21000 Dijon"}
    off = client.post(f"/api/v1/sales/{sold['id']}/gift-receipt", headers=seller_headers,
                      json=donor)
    assert off.status_code == 403 and "reçus de don" in off.get_json()["message"]
    settings(gift_receipts="on", gift_receipt_identity="RNA W212000000")
    made = client.post(f"/api/v1/sales/{sold['id']}/gift-receipt", headers=seller_headers,
                       json=donor)
    assert made.status_code == 201, made.get_json()
    receipt = made.get_json()
    assert receipt["number"].startswith("DON-") and receipt["number"].endswith("-0001")
    assert receipt["amount_cents"] == 600 and receipt["method"] == "cash"  # not the 14 €
    assert receipt["print"]["status"] == "printed"
    paper = decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "REÇU DE DON" in paper and receipt["number"] in paper
    assert "6,00 €" in paper and "Soit six euros" in paper and "14,00" not in paper
    assert "Mme Jeanne Martin" in paper and "21000 Dijon" in paper and "Espèces" in paper
    assert "RNA W212000000" in paper and "DUPLICATA" not in paper
    pdf = client.get(f"/api/v1/sales/{sold['id']}/gift-receipt.pdf", headers=seller_headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "six euros" in text and receipt["number"] in text and "Jeanne Martin" in text
    again = client.post(f"/api/v1/sales/{sold['id']}/gift-receipt", headers=seller_headers,
                        json=donor)
    assert again.status_code == 200 and again.get_json()["number"] == receipt["number"]
    assert "DUPLICATA" in decode(printer_emulator.wait_for_jobs(2)[1]).text
    # no gift, no gift receipt; the next gift takes the next number
    plain = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                 [{"method": "card", "amount_cents": 400}]).get_json()
    refused = client.post(f"/api/v1/sales/{plain['id']}/gift-receipt", headers=seller_headers,
                          json=donor)
    assert refused.status_code == 409
    alone = sell(client, seller_headers, session_id, [],
                 [{"method": "cheque", "amount_cents": 2500}], donation_cents=2500).get_json()
    second = client.post(f"/api/v1/sales/{alone['id']}/gift-receipt", headers=seller_headers,
                         json=donor).get_json()
    assert second["number"].endswith("-0002") and second["method"] == "cheque"
    assert "vingt-cinq euros" in decode(printer_emulator.wait_for_jobs(3)[2]).text
    assert db.session.scalar(select(func.count(GiftReceipt.id))) == 2
    bad = client.post(f"/api/v1/sales/{alone['id']}/gift-receipt", headers=seller_headers,
                      json={"donor_name": "", "donor_address": "x"})
    assert bad.status_code == 400


def test_a_gift_receipt_changed_behind_the_app_s_back_is_named(client, seller_headers,
                                                                 runner):
    from sqlalchemy import text

    settings(gift_receipts="on")
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [],
                [{"method": "cash", "amount_cents": 1000}], donation_cents=1000).get_json()
    made = client.post(f"/api/v1/sales/{sold['id']}/gift-receipt", headers=seller_headers,
                       json={"donor_name": "M. Paul Durand", "donor_address": "Dijon"})
    assert made.status_code == 201, made.get_json()
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    db.session.execute(text("UPDATE gift_receipts SET amount_cents = 100000"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1 and "gift_receipts" in result.output
