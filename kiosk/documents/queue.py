"""The print queue: receipts, reports, slips and labels on their way to a printer.

A business transaction commits first; only then is a PrintJob added (its own short
transaction) and tried, for at most PRINTER_TIMEOUT seconds. A sale never waits longer
for the printer and never rolls back because of it: a job the printer did not take
stays "queued" and is retried by the background worker (start_print_worker), the admin
page or `flask --app kiosk print-queue`; after PRINT_MAX_ATTEMPTS it is "failed" until a
human retries it. Any print after the first successful one of the same document says
DUPLICATA.

What each document is built from is registered in one place, kiosk/documents/__init__.py
(`init_app`, called by create_app): `register_builder("receipt", build_receipt)`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import printer
from kiosk.database import SQLITE_BUSY_TIMEOUT_MS, utcnow, write_transaction
from kiosk.documents.receipts import setting
from kiosk.documents.usb import chosen_printer
from kiosk.extensions import db
from kiosk.models import PrintJob
from kiosk.vocabulary import PARIS

log = logging.getLogger(__name__)

PRINTED, QUEUED, FAILED, NONE = "printed", "queued", "failed", "none"
TARGETS = ("receipt", "label")
DEFAULT_MAX_ATTEMPTS = 20
MIN_SEND_SECONDS = 0.2  # less time than this left: leave the job queued, do not start
# A claimed job is left alone by other processes for the send's budget plus this much
# (building the document, the commits); a process that died mid-send lets it run out.
# The margin covers the busy timeout the final status update may wait on SQLite too.
LEASE_MARGIN = timedelta(milliseconds=SQLITE_BUSY_TIMEOUT_MS) + timedelta(seconds=5)

Builder = Callable[[Session, PrintJob], "printer.Document"]
_builders: dict[str, Builder] = {}
# One job at a time per printer in this process: two tickets must not interleave, and
# two threads must not print the same job twice.
_locks: dict[str, threading.Lock] = {target: threading.Lock() for target in TARGETS}


def register_builder(document: str, builder: Builder) -> None:
    """`builder(session, job)` returns the printer document for that job (job.ref_id,
    job.payload_data); the queue sets its `duplicate` flag itself."""
    if len(document) > 16:
        raise ValueError("document names have 16 characters at most")
    _builders[document] = builder


# -- printers built from the configuration ---------------------------------------------

def get_printer(target: str = "receipt", app: Flask | None = None) -> printer.Printer:
    app = app or current_app
    config = app.config
    key = "LABEL_PRINTER" if target == "label" else "PRINTER"
    url = config.get(key) or config.get("PRINTER") or "none"
    profile = str(config.get("PRINTER_PROFILE", "default"))
    if url == "none":  # none typed: the USB printer chosen on the printer page, if any

        url, profile = chosen_printer(app) or (url, profile)
    settings = (str(url), profile,
                int(config.get("PAPER_WIDTH", 80)), str(config.get("PRINTER_CODEPAGE", "CP858")),
                float(config.get("PRINTER_TIMEOUT", 3.0)))
    cache = app.extensions.setdefault("kiosk_printers", {})
    cached = cache.get(target)
    if cached is None or cached[0] != settings:
        try:
            built = printer.Printer(settings[0], profile=settings[1], paper_width=settings[2],
                                    codepage=settings[3], timeout=settings[4])
        except ValueError as exc:
            raise ValueError(f"KIOSK_{key} / printer settings: {exc}") from None
        cached = cache[target] = (settings, built)
    return cached[1]


# -- the paper: asked before each job where the printer answers --------------------------

PAPER_UNKNOWN_FOR = 60.0  # seconds a printer that did not answer is not asked again
PAPER_FRESH_FOR = 10.0  # seconds a status shown on a screen is taken as still true


def _paper_states(app: Flask | None = None) -> dict[str, tuple[str, float]]:
    return (app or current_app).extensions.setdefault("kiosk_paper", {})


def ask_paper(device: printer.Printer, timeout: float) -> str:
    """The paper's state ("ok", "low", "out", "unknown"), asked with DLE EOT 4. A printer
    that did not answer is not asked again for a while (each question would cost the
    sale its timeout); call it with the target's lock held (one connection at a time)."""
    states = _paper_states()
    known = states.get(device.url)
    if known and known[0] == "unknown" and time.monotonic() - known[1] < PAPER_UNKNOWN_FOR:
        return "unknown"
    state = printer.paper_status(device.url, timeout=max(timeout, 0.05))
    states[device.url] = (state, time.monotonic())
    return state


def paper(target: str = "receipt") -> str:
    """What a screen shows: the last state if fresh, else asked now if the printer is
    free (never waiting behind a job being printed)."""
    device = get_printer(target)
    if not device.enabled:
        return "unknown"
    known = _paper_states().get(device.url)
    if known and time.monotonic() - known[1] < PAPER_FRESH_FOR:
        return known[0]
    lock = _locks[target]
    if not lock.acquire(blocking=False):
        return known[0] if known else "unknown"
    try:
        return ask_paper(device, min(device.timeout, 1.0))
    finally:
        lock.release()


def job_payload(job: PrintJob) -> dict:
    return json.loads(job.payload) if job.payload else {}


# -- the queue ---------------------------------------------------------------------------

def submit(session: Session, document: str, ref_id: int | None = None,
           payload: dict | None = None, target: str = "receipt") -> PrintJob:
    """Adds a job ("none" without a printer, else "queued") in its own transaction.
    Call it after the business transaction committed."""
    if target not in TARGETS:
        raise ValueError(f"unknown print target {target!r}")
    if document not in _builders:
        raise ValueError(f"no builder registered for {document!r}")
    status = QUEUED if get_printer(target).enabled else NONE
    job = PrintJob(document=document, ref_id=ref_id, target=target, status=status,
                   payload=json.dumps(payload, ensure_ascii=False) if payload else "",
                   duplicate=False, attempts=0, last_error="", created_at=utcnow())
    with write_transaction(session):
        session.add(job)
    return job


def attempt(session: Session, job_id: int, timeout: float | None = None) -> str:
    """Tries to print the job once, within `timeout` (PRINTER_TIMEOUT) seconds in all;
    returns its status afterwards. Printer trouble never raises."""
    budget = float(current_app.config.get("PRINTER_TIMEOUT", 3.0) if timeout is None
                   else timeout)
    deadline = time.monotonic() + budget
    job = session.get(PrintJob, job_id)
    if job is None:
        raise LookupError(f"print job {job_id} does not exist")
    if job.status in (PRINTED, NONE):
        return job.status
    device = get_printer(job.target)
    if not device.enabled:
        return _finish(session, job_id, NONE, "")
    lock = _locks[job.target]
    if not lock.acquire(timeout=max(deadline - time.monotonic(), 0.01)):
        return _status(session, job_id)  # the printer is busy: the worker will retry
    try:
        if deadline - time.monotonic() < MIN_SEND_SECONDS:
            return _status(session, job_id)  # no time left to print it now
        seen = job.attempts
        # Claim this attempt: the server's worker and `flask print-queue` are two
        # processes, and the one that holds the lease is the only one to send the job.
        with write_transaction(session):
            now = utcnow()  # once the write lock is held: the wait for it does not count
            claimed = session.execute(
                update(PrintJob)
                .where(PrintJob.id == job_id, PrintJob.attempts == seen,
                       PrintJob.status.in_((QUEUED, FAILED)),
                       or_(PrintJob.sending_until.is_(None), PrintJob.sending_until < now))
                .values(attempts=seen + 1,
                        sending_until=now + timedelta(seconds=budget) + LEASE_MARGIN)).rowcount
        if not claimed:
            return _status(session, job_id)
        job = session.get(PrintJob, job_id)
        sent_before = job.last_error == printer.UNCONFIRMED
        try:
            duplicate = _already_printed(session, job)
            document = _build(session, job, duplicate)
            data = device.render(document)
        except Exception:  # a builder bug must not break the sale; say so and keep it
            log.exception("print job %s (%s) could not be built", job_id, job.document)
            session.rollback()
            return _failed(session, job_id,
                           "Le document n'a pas pu être préparé : prévenez la coordinatrice.")
        session.rollback()  # no transaction stays open while the printer is busy
        # Out of paper, a printer still takes the bytes and prints nothing: ask first. The
        # job stays queued, this try not counted, and prints once the roll is changed.
        left = deadline - time.monotonic()
        paper_state = ask_paper(device, min(1.0, left / 3))
        if paper_state == "out":
            return _paper_out(session, job_id, seen)
        # A job sent before with no answer after it may have printed all the same (a
        # printer that prints but never answers): it goes again only to a printer that
        # answers now, never round after round to one that stays silent (a pile of
        # duplicates at the stall). A volunteer can still ask for it again by hand.
        if sent_before and paper_state == "unknown":
            return _status_unclaimed(session, job_id, seen)
        try:
            printer.send(device.url, data,
                         max(deadline - time.monotonic(), MIN_SEND_SECONDS))
        except printer.PrinterError as exc:
            return _failed(session, job_id, exc.reason)
        return _finish(session, job_id, PRINTED, "", duplicate=duplicate)
    finally:
        lock.release()


def submit_and_attempt(session: Session, document: str, ref_id: int | None = None,
                       payload: dict | None = None, target: str = "receipt") -> str:
    """What POST /sales calls once the sale committed: printed, queued, failed or none.
    Never raises for printer trouble (nor for a print job that cannot be written)."""
    if not get_printer(target).enabled:
        return NONE  # nothing to queue: no write on the sale path without a printer
    # An unknown document or target is a programming error: that one is raised.
    try:
        job = submit(session, document, ref_id, payload, target)
    except SQLAlchemyError:  # the job could not even be written down
        log.exception("print job for %s %s not recorded", document, ref_id)
        session.rollback()
        return FAILED if get_printer(target).enabled else NONE
    if job.status == NONE:
        return NONE
    job_id = job.id
    try:
        return attempt(session, job_id)
    except Exception:  # the job is recorded: the worker will try again
        log.exception("print job %s: attempt failed", job_id)
        session.rollback()
        return QUEUED


def latest_status(session: Session, document: str, ref_id: int) -> str:
    """The status of the newest job for that document: what a sale's page shows."""
    status = session.scalar(
        select(PrintJob.status).where(PrintJob.document == document, PrintJob.ref_id == ref_id)
        .order_by(PrintJob.id.desc()).limit(1))
    return status or NONE


def unconfirmed(session: Session, document: str, ref_id: int | None) -> bool:
    """The newest job for that document went to the printer, which never answered after
    it (jammed, frozen): sent, not printed, and still queued to print again."""
    row = session.execute(
        select(PrintJob.status, PrintJob.last_error)
        .where(PrintJob.document == document, PrintJob.ref_id == ref_id)
        .order_by(PrintJob.id.desc()).limit(1)).first()
    return row is not None and row.status == QUEUED and row.last_error == printer.UNCONFIRMED


def answer(session: Session, status: str, document: str, ref_id: int | None) -> dict:
    """The API's `{status}` for a print: `sent: true` with a queued one the printer took
    without confirming it (CONTRACT: still `queued`, it will be printed again)."""
    body: dict = {"status": status}
    if status == QUEUED and unconfirmed(session, document, ref_id):
        body["sent"] = True
    return body


def retry_queued(session: Session) -> int:
    """Tries every queued job, oldest first; stops for a printer at its first failure
    (it is down: no use waiting on each job). Returns how many printed."""
    printed = 0
    for target in TARGETS:
        ids = session.scalars(select(PrintJob.id).where(
            PrintJob.status == QUEUED, PrintJob.target == target).order_by(PrintJob.id)).all()
        session.rollback()
        for job_id in ids:
            if attempt(session, job_id) != PRINTED:
                break
            printed += 1
    return printed


def requeue(session: Session, job_id: int | None = None) -> int:
    """A human asks again: failed jobs (or that one) go back to the queue, with a fresh
    round of attempts. Returns how many were requeued."""
    condition = PrintJob.status == FAILED
    if job_id is not None:
        condition = condition & (PrintJob.id == job_id)
    with write_transaction(session):
        count = session.execute(update(PrintJob).where(condition).values(
            status=QUEUED, attempts=0)).rowcount
    return count


def waiting_jobs(session: Session) -> list[PrintJob]:
    return list(session.scalars(select(PrintJob).where(
        PrintJob.status.in_((QUEUED, FAILED))).order_by(PrintJob.id)))


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(PrintJob.status, func.count()).group_by(PrintJob.status))
    return {status: count for status, count in rows}


# -- internals ---------------------------------------------------------------------------

def _already_printed(session: Session, job: PrintJob) -> bool:
    if job.ref_id is None:
        return False
    return session.scalar(select(func.count()).select_from(PrintJob).where(
        PrintJob.document == job.document, PrintJob.ref_id == job.ref_id,
        PrintJob.id != job.id, PrintJob.status == PRINTED)) > 0


def _build(session: Session, job: PrintJob, duplicate: bool):
    job.duplicate = duplicate
    builder = _builders.get(job.document)
    if builder is None:
        raise LookupError(f"no builder registered for {job.document!r}")
    document = builder(session, job)
    for item in document if isinstance(document, list) else [document]:
        if hasattr(item, "duplicate"):
            item.duplicate = duplicate
    return document


def _status(session: Session, job_id: int) -> str:
    session.rollback()
    return session.scalar(select(PrintJob.status).where(PrintJob.id == job_id))


def _max_attempts() -> int:
    return int(current_app.config.get("PRINT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def _failed(session: Session, job_id: int, reason: str) -> str:
    session.rollback()
    attempts = session.scalar(select(PrintJob.attempts).where(PrintJob.id == job_id)) or 0
    status = FAILED if attempts >= _max_attempts() else QUEUED
    return _finish(session, job_id, status, reason)


def _paper_out(session: Session, job_id: int, seen: int) -> str:
    with write_transaction(session):
        session.execute(update(PrintJob).where(PrintJob.id == job_id).values(
            status=QUEUED, attempts=seen, last_error=printer.PAPER_OUT, sending_until=None))
    return QUEUED


def _status_unclaimed(session: Session, job_id: int, seen: int) -> str:
    """Give the attempt back: the job stays as it was (queued, not confirmed)."""
    with write_transaction(session):
        session.execute(update(PrintJob).where(PrintJob.id == job_id).values(
            attempts=seen, sending_until=None))
    return _status(session, job_id)


def _finish(session: Session, job_id: int, status: str, error: str,
            duplicate: bool | None = None) -> str:
    values: dict = {"status": status, "last_error": error[:500], "sending_until": None}
    if status == PRINTED:
        values["printed_at"] = utcnow()
    if duplicate is not None:
        values["duplicate"] = duplicate
    with write_transaction(session):
        session.execute(update(PrintJob).where(PrintJob.id == job_id).values(**values))
    return status


# -- the test ticket -----------------------------------------------------------------------

def _group_name(session: Session) -> str:

    return setting(session, "receipt_name")


def test_ticket(session: Session, job: PrintJob) -> printer.Report:
    """What the admin's printer page prints to check the paper, the accents and the €."""
    config = current_app.config
    data = job_payload(job)
    device = get_printer(job.target)
    when = data.get("when") or ""
    return printer.Report(
        title="TICKET DE TEST",
        header=[_group_name(session), "Caisse du stand"],
        sections=[
            printer.Section("Imprimante", [
                ("Adresse", device.url),
                ("Papier", f"{device.paper_width} mm"),
                ("Profil", device.profile),
                ("Page de code", str(config.get("PRINTER_CODEPAGE", "CP858")))]),
            printer.Section("Accents et montants", [
                ("é è à ç ô ù î ë", printer.format_cents(1250)),
                ("Étiquette de valise TGV", printer.format_cents(123456)),
                ("Remboursement", printer.format_cents(-300))]),
        ],
        footer=[f"Demandé par {data['by']}" if data.get("by") else "", when,
                "Si vous lisez bien « é è à ç ô € », tout va bien."],
    )



# -- background worker and command ---------------------------------------------------------

class PrintWorker(threading.Thread):
    """Retries queued jobs every `interval` seconds while the server runs."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="print-queue", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            with self.app.app_context():
                try:
                    retry_queued(db.session)
                except Exception:  # the worker must outlive a bad moment (database restart…)
                    log.exception("print queue: retry failed")
                finally:
                    db.session.remove()

    def stop(self) -> None:
        self.stopped.set()


def start_print_worker(app: Flask, interval: float = 15) -> PrintWorker | None:
    """Started by kiosk/serve.py; nothing to do without any printer."""
    with app.app_context():
        if not any(get_printer(t, app).enabled for t in TARGETS):
            return None
    worker = PrintWorker(app, interval)
    worker.start()
    return worker


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


@click.command("print-queue")
@click.option("--requeue-failed", is_flag=True, help="Put failed jobs back in the queue first.")
def print_queue_command(requeue_failed: bool) -> None:
    """Retry the waiting prints now and list what still waits."""
    session = db.session
    if requeue_failed:
        requeue(session)
    printed = retry_queued(session)
    click.echo(f"{printed} impression(s) faite(s).")
    jobs = waiting_jobs(session)
    if not jobs:
        click.echo("Rien n'attend l'imprimante.")
        return
    for job in jobs:
        ref = f" n°{job.ref_id}" if job.ref_id is not None else ""
        state = "abandonnée (relancer avec --requeue-failed)" if job.status == FAILED \
            else "en attente"
        click.echo(f"#{job.id} {job.document}{ref} [{job.target}] {state}, "
                   f"{job.attempts} essai(s), créé le {_when(job.created_at)}"
                   + (f" : {job.last_error}" if job.last_error else ""))
