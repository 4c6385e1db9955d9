"""Paper out (issue 15, Also): a printer out of paper takes the bytes and prints nothing,
so the kiosk asks it first (DLE EOT 4). The receipt stays queued, "plus de papier" shows
on the sale screen's status line and the admin's printer page, and the receipt prints
once the roll is changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.models import PrintJob
from tests.closing_helpers import open_session, sell
from tests.conftest import web_login
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.5,
            "PRINT_MAX_ATTEMPTS": 3}


def sale_with_receipt(client, headers, session_id):
    """A sale and its receipt: printed with the sale, or asked for after it."""
    response = sell(client, headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 500}])
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    if sale["receipt"]["status"] == "none":  # receipts on request
        sale["receipt"] = client.post(f"/api/v1/sales/{sale['id']}/receipt",
                                      headers=headers).get_json()["receipt"]
    return sale


def test_out_of_paper_the_receipt_waits_and_prints_once_the_roll_is_changed(
        app, client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    printer_emulator.paper = "out"
    sale = sale_with_receipt(client, seller_headers, session_id)
    assert sale["receipt"]["status"] == "queued"
    assert printer_emulator.lost == [] and printer_emulator.jobs == []  # nothing sent
    status = client.get("/api/v1/printer", headers=seller_headers).get_json()
    assert status["paper"] == "out" and status["waiting"] == 1
    assert "Plus de papier" in status["message"] and "1 ticket(s) attendent" in status["message"]
    # the worker tries again and again while the roll is out: the job never gives up
    for _ in range(5):
        assert queue.retry_queued(db.session) == 0
    db.session.rollback()
    job = db.session.scalar(select(PrintJob).where(PrintJob.ref_id == sale["id"]))
    assert (job.status, job.last_error) == ("queued", "Plus de papier : changez le rouleau, "
                                            "le ticket attend et s'imprimera ensuite.")
    web_login(client, "Admin", "1234")
    page = client.get("/admin/printer").get_data(as_text=True)
    assert "plus de papier : changez le rouleau" in page and 'data-paper="out"' in page

    printer_emulator.paper = "ok"  # the roll is changed
    assert queue.retry_queued(db.session) == 1
    [data] = printer_emulator.wait_for_jobs(1)
    text = decode(data).text
    assert sale["number"] in text and "DUPLICATA" not in text
    assert printer_emulator.lost == []
    status = client.get("/api/v1/printer", headers=seller_headers).get_json()
    assert status["paper"] == "ok" and status["waiting"] == 0 and status["message"] is None


def test_paper_near_its_end_prints_and_says_so(client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    printer_emulator.paper = "low"
    sale = sale_with_receipt(client, seller_headers, session_id)
    assert sale["receipt"]["status"] == "printed"
    assert sale["number"] in decode(printer_emulator.wait_for_jobs(1)[0]).text
    status = client.get("/api/v1/printer", headers=seller_headers).get_json()
    assert status["paper"] == "low" and "presque fini" in status["message"]


def test_a_printer_that_never_says_prints_as_before_and_is_not_asked_each_time(
        client, seller_headers, printer_emulator):
    session_id = open_session(client, seller_headers)
    printer_emulator.paper = None  # answers no status query
    for _ in range(3):
        assert sale_with_receipt(client, seller_headers, session_id)["receipt"]["status"] \
            == "printed"
    assert len(printer_emulator.wait_for_jobs(3)) == 3
    assert printer_emulator.status_queries == 1  # asked once, then left alone a while
    status = client.get("/api/v1/printer", headers=seller_headers).get_json()
    assert status["paper"] == "unknown" and status["message"] is None


def test_the_sale_screen_has_the_paper_line(client, seller_headers):
    open_session(client, seller_headers)
    web_login(client, "Vendeuse", "3456")
    page = client.get("/sell").get_data(as_text=True)
    assert "data-printer-paper" in page and "js/printer-status.js" in page
    assert client.get("/static/js/printer-status.js").status_code == 200
