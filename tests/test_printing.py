"""The print queue: a job per document, tried at once for at most PRINTER_TIMEOUT,
queued when the printer does not take it, retried later, DUPLICATA after the first."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

import printer
from kiosk import create_app
from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.models import PrintJob
from tests.conftest import csrf_token, web_login
from tests.escpos_decode import decode


def _sample_receipt(session, job):
    return printer.Receipt(
        header=["Fées déclic"], number=f"T-{job.ref_id}", when="24/11/2026 16:05",
        seller="Josée", lines=[printer.ReceiptLine("Sac à linge", 1, 1250, 1250)],
        total_cents=1250, payments=[printer.PaymentLine("Espèces", 1250)],
        cash_given_cents=2000, change_cents=750, footer=["Merci !"])


def _broken(session, job):
    raise RuntimeError("a bug in a builder")


queue.register_builder("test_receipt", _sample_receipt)
queue.register_builder("test_broken", _broken)


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 1.0}


def jobs_in_db() -> list[PrintJob]:
    db.session.rollback()
    return list(db.session.scalars(select(PrintJob).order_by(PrintJob.id)))


def test_test_ticket_reaches_the_printer(app, printer_emulator):
    assert queue.submit_and_attempt(db.session, "test", payload={"by": "Admin"}) == "printed"
    [data] = printer_emulator.wait_for_jobs(1)
    job = decode(data)
    assert "TICKET DE TEST" in job.text
    assert "é è à ç ô ù î ë" in job.text and "12,50 €" in job.text and "1 234,56 €" in job.text
    assert printer_emulator.url in job.text and "Demandé par Admin" in job.text
    [row] = jobs_in_db()
    assert (row.status, row.attempts, row.last_error, row.duplicate) == ("printed", 1, "", False)
    assert row.printed_at is not None


def test_queued_while_refused_printed_when_back_then_duplicate(app, printer_emulator):
    printer_emulator.refuse()
    start = time.monotonic()
    assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=7) == "queued"
    assert time.monotonic() - start < 1.5  # the sale does not wait longer than the timeout
    [row] = jobs_in_db()
    assert row.status == "queued" and row.attempts == 1 and "imprimante" in row.last_error

    assert queue.retry_queued(db.session) == 0  # still off: stays queued
    assert jobs_in_db()[0].attempts == 2

    printer_emulator.resume()
    assert queue.retry_queued(db.session) == 1
    [first] = [decode(d) for d in printer_emulator.wait_for_jobs(1)]
    assert "DUPLICATA" not in first.text and "Sac à linge" in first.text
    assert jobs_in_db()[0].status == "printed"
    assert queue.retry_queued(db.session) == 0  # printed jobs are not printed again

    # printing the same receipt again says DUPLICATA, at the top and at the bottom
    assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=7) == "printed"
    second = decode(printer_emulator.wait_for_jobs(2)[1])
    lines = [line.strip() for line in second.lines if line.strip()]
    assert lines[0] == "DUPLICATA" and lines[-1] == "DUPLICATA"
    assert [j.duplicate for j in jobs_in_db()] == [False, True]
    # another receipt is an original
    assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=8) == "printed"
    assert "DUPLICATA" not in decode(printer_emulator.wait_for_jobs(3)[2]).text


def test_failed_after_max_attempts_until_a_human_retries(app, printer_emulator):
    app.config["PRINT_MAX_ATTEMPTS"] = 2
    printer_emulator.refuse()
    assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=1) == "queued"
    queue.retry_queued(db.session)
    [row] = jobs_in_db()
    assert (row.status, row.attempts) == ("failed", 2)
    printer_emulator.resume()
    assert queue.retry_queued(db.session) == 0  # a failed job waits for a human
    assert printer_emulator.jobs == []

    assert queue.requeue(db.session) == 1
    assert (jobs_in_db()[0].status, jobs_in_db()[0].attempts) == ("queued", 0)
    assert queue.retry_queued(db.session) == 1
    printer_emulator.wait_for_jobs(1)
    assert jobs_in_db()[0].status == "printed"


def test_a_builder_bug_never_breaks_the_caller(app, printer_emulator):
    assert queue.submit_and_attempt(db.session, "test_broken", ref_id=1) == "queued"
    [row] = jobs_in_db()
    assert "préparé" in row.last_error
    assert printer_emulator.jobs == []


def test_two_threads_print_a_job_once(app, printer_emulator):
    job = queue.submit(db.session, "test_receipt", ref_id=3)
    job_id = job.id
    results = []

    def worker():
        with app.app_context():
            results.append(queue.attempt(db.session, job_id))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["printed"] * 4
    printer_emulator.wait_for_jobs(1)
    time.sleep(0.2)
    assert len(printer_emulator.jobs) == 1
    assert jobs_in_db()[0].attempts == 1


def test_a_job_another_process_is_sending_is_left_alone(app, printer_emulator):
    """The server's worker and `flask print-queue` are two processes: the in-process lock
    cannot keep them apart, the lease in the database does. A process that died while
    sending lets its lease run out, and the job is printed then, once."""
    from datetime import timedelta

    from sqlalchemy import update

    from kiosk.database import utcnow, write_transaction

    job_id = queue.submit(db.session, "test_receipt", ref_id=11).id

    def lease(until):
        with write_transaction(db.session):  # as the other process's claim would
            db.session.execute(update(PrintJob).where(PrintJob.id == job_id)
                               .values(sending_until=until, attempts=1))

    lease(utcnow() + timedelta(seconds=30))
    assert queue.attempt(db.session, job_id) == "queued"
    assert queue.retry_queued(db.session) == 0
    time.sleep(0.2)
    assert printer_emulator.jobs == []
    assert jobs_in_db()[0].attempts == 1  # not claimed a second time

    lease(utcnow() - timedelta(seconds=1))  # that process died mid-send
    assert queue.attempt(db.session, job_id) == "printed"
    printer_emulator.wait_for_jobs(1)
    row = jobs_in_db()[0]
    assert (row.status, row.attempts, row.sending_until) == ("printed", 2, None)
    assert len(printer_emulator.jobs) == 1


def test_background_worker_prints_what_waits(app, printer_emulator):
    printer_emulator.refuse()
    assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=5) == "queued"
    printer_emulator.resume()
    worker = queue.start_print_worker(app, interval=0.1)
    try:
        printer_emulator.wait_for_jobs(1)
    finally:
        worker.stop()
        worker.join(5)
    assert jobs_in_db()[0].status == "printed"


def test_print_queue_command_retries_and_lists(app, printer_emulator):
    printer_emulator.refuse()
    queue.submit_and_attempt(db.session, "test_receipt", ref_id=9)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["print-queue"])
    assert result.exit_code == 0
    assert "0 impression(s) faite(s)" in result.output
    assert "test_receipt n°9" in result.output and "en attente" in result.output
    db.session.remove()

    printer_emulator.resume()
    result = runner.invoke(args=["print-queue"])
    assert result.exit_code == 0, result.output
    assert "1 impression(s) faite(s)" in result.output
    assert "Rien n'attend l'imprimante." in result.output
    printer_emulator.wait_for_jobs(1)


def test_without_printer_jobs_are_none_and_nothing_waits(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "PRINTER": "none"},
                     str(tmp_path / "i"))
    with app.app_context():
        assert queue.submit_and_attempt(db.session, "test") == "none"
        assert queue.retry_queued(db.session) == 0
        assert jobs_in_db() == []  # nothing written on the sale path without a printer
        assert queue.start_print_worker(app) is None
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("key, value", [("PRINTER", "tcp://printer"),
                                        ("LABEL_PRINTER", "usb://nope"),
                                        ("PRINTER_PROFILE", "no-such-profile")])
def test_bad_printer_settings_stop_the_app_at_start(database_url, tmp_path, key, value):
    with pytest.raises(ValueError, match="KIOSK_"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", key: value},
                   str(tmp_path / "i"))


# -- the admin page ----------------------------------------------------------------------

def test_admin_page_test_ticket_and_queue(demo, client, printer_emulator):
    assert web_login(client, "Admin", "1234").status_code == 302
    index = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/printer"' in index

    page = client.get("/admin/printer").get_data(as_text=True)
    assert printer_emulator.url in page and 'data-status="online"' in page
    assert "Rien n'attend l'imprimante." in page

    token = csrf_token(client, "/admin/printer")
    response = client.post("/admin/printer/test", data={"csrf_token": token})
    assert response.status_code == 303
    assert "TICKET DE TEST" in decode(printer_emulator.wait_for_jobs(1)[0]).text
    assert "Le ticket de test est imprimé." in client.get("/admin/printer").get_data(
        as_text=True)

    printer_emulator.refuse()
    client.post("/admin/printer/test", data={"csrf_token": token})
    page = client.get("/admin/printer").get_data(as_text=True)
    assert 'data-status="offline"' in page
    assert "Ticket de test" in page and "en attente" in page
    assert "L&#39;imprimante ne répond pas" in page

    printer_emulator.resume()
    client.post("/admin/printer/retry", data={"csrf_token": token})
    printer_emulator.wait_for_jobs(2)
    page = client.get("/admin/printer").get_data(as_text=True)
    assert "1 impression(s) faite(s), plus rien n&#39;attend." in page
    assert "Rien n'attend l'imprimante." in page


def test_admin_page_refuses_others_and_forged_posts(demo, client, printer_emulator):
    assert client.get("/admin/printer").status_code == 302  # not logged in: to the login
    web_login(client, "Vendeuse", "3456")
    assert client.get("/admin/printer").status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/admin/printer/test", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    web_login(client, "Admin", "1234")
    before = db.session.scalar(select(func.count()).select_from(PrintJob))
    assert client.post("/admin/printer/test", data={}).status_code in (303, 400)
    assert client.post("/admin/printer/retry", data={}).status_code in (303, 400)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PrintJob)) == before == 0
    assert printer_emulator.jobs == []


def test_unknown_document_is_a_programming_error(app):
    with pytest.raises(ValueError):
        queue.submit_and_attempt(db.session, "no_such_document")
    with pytest.raises(ValueError):
        queue.submit(db.session, "test", target="drawer")
    assert jobs_in_db() == []


def test_a_busy_printer_does_not_hold_the_sale_longer_than_the_timeout(app, printer_emulator):
    lock = queue._locks["receipt"]
    lock.acquire()  # another thread is printing (the worker, say)
    try:
        start = time.monotonic()
        assert queue.submit_and_attempt(db.session, "test_receipt", ref_id=4) == "queued"
        assert time.monotonic() - start < 1.5
    finally:
        lock.release()
    assert jobs_in_db()[0].attempts == 0  # not tried at all: it waits its turn
    assert queue.retry_queued(db.session) == 1
    printer_emulator.wait_for_jobs(1)


def test_the_app_registers_every_printed_document_in_one_place(app):
    from kiosk import documents

    assert set(documents.BUILDERS) == {"test", "receipt", "gift_receipt", "z_report", "slip",
                                       "label", "delivery_slip"}  # issue 19: a delivery slip
    for document, builder in documents.BUILDERS.items():
        assert queue._builders[document] is builder
