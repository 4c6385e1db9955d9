"""Issue 27, point 1: "printed" means the printer answered after the job (DLE EOT 1). A
network printer that accepts the connection and never reads (jammed, frozen) takes the
bytes into its kernel buffer and prints nothing: the kiosk says "sent, not confirmed",
keeps the job queued to print again and never counts it printed, for the receipt, the Z,
the slip, a delivery slip and labels alike."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import select

from kiosk.documents import labels as label_documents
from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.models import PrintJob
from printer import UNCONFIRMED, NotConfirmed, Printer, Receipt, send
from tests.closing_helpers import close_body, open_session, sales_day, sell
from tests.conftest import csrf_token, web_login
from tests.escpos_decode import decode


class SilentPrinter:
    """A socket that accepts connections and never calls recv: the jammed printer."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)  # kept open, never read

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_printer():
    silent = SilentPrinter()
    yield silent
    silent.close()


@pytest.fixture
def app_config(database_url, silent_printer):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": silent_printer.url, "LABEL_PRINTER": silent_printer.url,
            "PRINTER_TIMEOUT": 1.0}


def small_receipt() -> Receipt:
    from printer import PaymentLine, ReceiptLine
    return Receipt(header=["Fées déclic"], number="2026-000001", when="05/12/2026 10:00",
                   seller="Josée", lines=[ReceiptLine("Pochette", 1, 800, 800)],
                   total_cents=800, payments=[PaymentLine("Espèces", 800)],
                   cash_given_cents=800, change_cents=0, footer=[])


def test_a_printer_that_accepts_and_never_reads_is_not_confirmed(silent_printer):
    start = time.monotonic()
    with pytest.raises(NotConfirmed) as err:
        Printer(silent_printer.url, timeout=1).print(small_receipt())
    assert time.monotonic() - start < 2
    assert err.value.reason == UNCONFIRMED and "pas confirmé" in UNCONFIRMED


def test_a_printer_that_reads_and_never_answers_is_not_confirmed(printer_emulator):
    printer_emulator.confirms = False
    with pytest.raises(NotConfirmed):
        Printer(printer_emulator.url, timeout=1).print(small_receipt())
    printer_emulator.confirms = True  # a real printer answers DLE EOT 1 after the job
    Printer(printer_emulator.url, timeout=1).print(small_receipt())
    assert printer_emulator.confirmations == 2
    assert len(printer_emulator.wait_for_jobs(2)) == 2
    # the question is not part of the job's bytes
    assert all(not job.endswith(b"\x10\x04\x01") for job in printer_emulator.jobs)
    assert "Pochette" in decode(printer_emulator.jobs[-1]).text


def test_send_itself_waits_for_the_answer(silent_printer):
    with pytest.raises(NotConfirmed):
        send(silent_printer.url, b"\x1b@hello\n", timeout=0.5)


def test_the_sale_receipt_is_queued_sent_not_printed_and_prints_again_later(
        app, client, seller_headers, silent_printer, printer_emulator):
    session_id = open_session(client, seller_headers)
    response = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "cash", "amount_cents": 500}])
    sale = response.get_json()
    printed = client.post(f"/api/v1/sales/{sale['id']}/receipt", headers=seller_headers)
    assert printed.get_json() == {"receipt": {"status": "queued", "sent": True}}
    shown = client.get(f"/api/v1/sales/{sale['id']}", headers=seller_headers).get_json()
    assert shown["receipt"] == {"status": "queued", "sent": True}
    db.session.rollback()
    job = db.session.scalar(select(PrintJob).where(PrintJob.ref_id == sale["id"]))
    assert (job.status, job.last_error, job.printed_at) == ("queued", UNCONFIRMED, None)
    assert queue.counts(db.session).get("printed", 0) == 0

    # the printer is mended (here: the emulator on a new address): it prints the original
    app.config["PRINTER"] = printer_emulator.url
    assert queue.retry_queued(db.session) == 1
    ticket = decode(printer_emulator.wait_for_jobs(1)[0])
    assert sale["number"] in ticket.text and "DUPLICATA" not in ticket.text


def test_the_sale_page_says_sent_not_confirmed(client, seller_headers, silent_printer):
    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 500}]).get_json()
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, f"/sell/sales/{sale['id']}")
    page = client.post(f"/sell/sales/{sale['id']}/receipt", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Ticket envoyé, pas confirmé par l&#39;imprimante" in page
    assert "Ticket imprimé" not in page


def test_the_z_and_the_slip_are_not_said_printed(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json=close_body())
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["prints"] == {"z_report": "queued", "slip": "queued"}
    db.session.rollback()
    jobs = db.session.scalars(select(PrintJob).where(
        PrintJob.document.in_(("z_report", "slip")))).all()
    assert {(j.status, j.last_error) for j in jobs} == {("queued", UNCONFIRMED)}

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, f"/sessions/{session_id}")
    page = client.post(f"/sessions/{session_id}/print/z_report", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "envoyé, pas confirmé" in page and "imprimé." not in page


def test_labels_sent_without_an_answer_are_not_counted_printed(client, seller_headers):
    ids = label_documents.submit_batch(db.session, [("ETIQ-TGV", 2)])
    state = label_documents.progress(db.session, ids)
    assert state["printed"] == 0 and state["status"] == "queued"
    assert state["error"] == UNCONFIRMED


def test_a_printer_that_prints_but_never_answers_gets_the_job_once_not_round_after_round(
        app, client, seller_headers, printer_emulator):
    """The job may well have come out: the worker sends it again only to a printer that
    answers a status query; a silent one keeps it, 'sent, not confirmed', for a volunteer
    to ask again by hand (no pile of duplicates at the stall)."""
    printer_emulator.confirms, printer_emulator.paper = False, None  # answers nothing
    app.config["PRINTER"] = printer_emulator.url
    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 500}]).get_json()
    printed = client.post(f"/api/v1/sales/{sale['id']}/receipt", headers=seller_headers)
    assert printed.get_json() == {"receipt": {"status": "queued", "sent": True}}
    assert len(printer_emulator.wait_for_jobs(1)) == 1
    for _ in range(3):  # three rounds of the worker
        assert queue.retry_queued(db.session) == 0
    time.sleep(0.5)
    assert len(printer_emulator.jobs) == 1
    db.session.rollback()
    job = db.session.scalar(select(PrintJob).where(PrintJob.ref_id == sale["id"]))
    assert (job.status, job.last_error) == ("queued", UNCONFIRMED)
    # the printer answers again: the kept job goes out
    printer_emulator.confirms, printer_emulator.paper = True, "ok"
    queue._paper_states().clear()  # (the server forgets a silent printer after a while)
    assert queue.retry_queued(db.session) == 1
