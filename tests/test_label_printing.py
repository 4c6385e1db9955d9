"""Labels on the ESC/POS label printer: through the print queue to a printer emulator on a
loopback port; the test decodes the bytes it receives (text and QR), one label per piece."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from kiosk.documents import labels
from kiosk.extensions import db
from kiosk.models import PrintJob
from tests.conftest import csrf_token, web_login
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "LABEL_PRINTER": printer_emulator.url,
            "PRINTER_TIMEOUT": 1.0, "PUBLIC_URL": "http://kiosk.local"}


def follow(client, state: dict) -> dict:
    for _ in range(50):
        if state.get("status") != "queued" or not state.get("poll"):
            return state
        state = client.get(state["poll"], headers={"Accept": "application/json"}).get_json()
    return state


def test_a_batch_prints_one_label_per_piece_with_progress(demo, client, printer_emulator):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock")
    first = client.post("/stock/labels/print", headers={"Accept": "application/json"},
                        data={"csrf_token": token, "sku": "ETIQ-TGV", "copies": "7"})
    assert first.status_code == 200
    state = first.get_json()
    assert state["total"] == 7 and state["printed"] in (5, 7)  # a first job went at once
    assert "imprimée" in state["message"]
    final = follow(client, state)
    assert final["status"] == "printed" and final["printed"] == 7
    assert final["message"] == "Toutes les étiquettes sont imprimées (7)."
    data = printer_emulator.wait_for_jobs(2)
    decoded = [decode(chunk) for chunk in data]
    assert sum(job.cuts for job in decoded) == 7
    payloads = [p for job in decoded for p in job.qr_payloads()]
    assert payloads == ["http://kiosk.local/p/ETIQ-TGV"] * 7
    text = "\n".join(job.text for job in decoded)
    assert text.count("Étiquette de valise TGV") == 7 and "4,00 €" in text


def test_labels_offered_after_sewing_when_a_label_printer_is_there(demo, client):
    web_login(client, "Vendeuse", "3456")
    page = html.unescape(client.get("/stock/made/done?sku=POCH-TGV&qty=3")
                         .get_data(as_text=True))
    assert "sur l'imprimante d'étiquettes" in page and 'name="copies" value="3"' in page


def test_bad_label_requests_queue_nothing(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock")
    for data in ({"sku": "NOPE", "copies": "2"}, {"sku": "POCH-TGV", "copies": "0"},
                 {"sku": "POCH-TGV", "copies": "abc"}, {"sku": "POCH-TGV"}):
        response = client.post("/stock/labels/print", headers={"Accept": "application/json"},
                               data={"csrf_token": token, **data})
        assert response.status_code in (400, 404) and response.get_json()["message"]
    db.session.rollback()
    assert db.session.scalars(select(PrintJob)).all() == []


def test_builder_turns_a_job_into_labels(demo):
    [job_id] = labels.submit_batch(db.session, [("SAC-IKEA", 2)])
    job = db.session.get(PrintJob, job_id)
    built = labels.build_labels(db.session, job)
    assert [(b.sku, b.name, b.price_cents) for b in built] == [
        ("SAC-IKEA", "Sac bandoulière IKEA", 1500)] * 2
