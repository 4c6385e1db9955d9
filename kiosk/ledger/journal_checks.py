"""The journal page without waiting for the whole history (issue 29).

`journal.verify` reads every entry and every guarded row: linear in the history, minutes
at a million sales. The page cannot wait for it, so:

- a small journal (up to INLINE_ENTRIES entries: a new kiosk, the tests) is still checked
  in full while the page is made, as before;
- a larger one is checked in the background, one check at a time, started by a visit to
  the page (or the treasurer's "check now") when none runs and the last one did not just
  end: a process of its own (a thread of the server would hold Python's lock and slow
  every page meanwhile), whose progress a thread of the server reads; the page answers
  at once from the last complete check (when, how many entries, what it found) with the
  running check's progress, and reloads itself until that check is done;
- `GET /api/v1/journal/verify` still does the whole check and answers with it (its
  contract), and that answer counts as the last check too.

The check in the background is journal.verify itself, with the server's settings (database,
journal key), in one read transaction (a snapshot: REPEATABLE READ on PostgreSQL, SQLite's
deferred BEGIN), so sales recorded meanwhile are
neither half seen nor taken for rows "added behind the app's back". Kept in the server's
memory, per app: a restart forgets it and the next visit checks again. Nothing of it is
stored in the database, where a forged "intact" could wait for the next reader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.ledger import journal
from kiosk.ledger.disk_map import DiskMap

INLINE_ENTRIES = 500  # checked while the page waits: well under 100 ms here
QUIET_SECONDS = 60.0  # a check that ended this recently is not started again by a visit
EXTENSION = "kiosk_journal_checks"
CHECK_COMMAND = (sys.executable, "-m", "kiosk.journal_check")


@dataclass
class Check:
    """One whole check of the journal: running, or done with its verdict."""

    started_at: datetime
    entries_at_start: int  # the chain's length when it started
    rows_estimate: int = 0  # the guarded rows it will read (their tables' highest ids)
    stage: str = "entries"
    entries_done: int = 0
    rows_done: int = 0
    finished_at: datetime | None = None
    finished_clock: float = 0.0
    verdict: journal.Verdict | None = None
    error: str | None = None  # the check itself failed (a bug): never shown as a verdict

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        total = self.entries_at_start + self.rows_estimate
        done = min(self.entries_done, self.entries_at_start) + min(self.rows_done,
                                                                   self.rows_estimate)
        return min(99, int(100 * done / total)) if total and self.running else 100

    def progress(self, stage: str, count: int) -> None:
        self.stage = stage
        if stage == "entries":
            self.entries_done = count
        else:
            self.entries_done = self.entries_at_start
            self.rows_done = count


@dataclass
class Checks:
    """The app's last complete check and the one running, behind one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last: Check | None = None
    running: Check | None = None
    failed: Check | None = None  # the last check that could not end (a bug, logged)
    thread: threading.Thread | None = None


def _checks(app: Flask) -> Checks:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, Checks())
    return found


def rows_estimate(session: Session) -> int:
    """The guarded rows a check reads, from each table's highest id (an index's end)."""
    total = 0
    for model in journal.JOURNALED_TABLES.values():
        total += session.scalar(select(func.max(model.__table__.c.id))) or 0
    return total


def check_now(session: Session, expect_head: tuple[int, str] | None = None,
              check: Check | None = None) -> journal.Verdict:
    """The whole check, here and now (the API, a small journal); kept as the last one."""
    app = current_app._get_current_object()
    check = check or Check(started_at=utcnow(), entries_at_start=journal.head(session)[0])
    # a long journal's maps on disk: the server's memory stays flat however long it is
    mapping = DiskMap if check.entries_at_start > INLINE_ENTRIES else dict
    verdict = journal.verify(session, expect_head, progress=check.progress, mapping=mapping)
    _finish(app, check, verdict)
    return verdict


def _finish(app: Flask, check: Check, verdict: journal.Verdict | None,
            error: str | None = None) -> None:
    checks = _checks(app)
    with checks.lock:
        check.verdict, check.error = verdict, error
        check.finished_at, check.finished_clock = utcnow(), time.monotonic()
        if verdict is not None and (checks.last is None
                                    or checks.last.started_at <= check.started_at):
            checks.last = check
        if checks.running is check:
            checks.running = None
        if error is not None:
            checks.failed = check


def start(app: Flask, session: Session) -> Check:
    """A check in a thread of the server, unless one runs already (that one, then)."""
    checks = _checks(app)
    with checks.lock:
        if checks.running is not None:
            return checks.running
        check = checks.running = Check(started_at=utcnow(),
                                       entries_at_start=journal.head(session)[0])
    thread = threading.Thread(target=_run, args=(app, check), name="journal-check",
                              daemon=True)
    checks.thread = thread
    thread.start()
    return check


def _run(app: Flask, check: Check) -> None:
    """The check in a process of its own (`python -m kiosk.journal_check`): a
    thread of the server would hold Python's lock for minutes, and every page served
    meanwhile would wait for it; a process leaves the server alone (and takes another
    core where there is one). This thread only reads its progress lines."""
    settings = {"database_url": app.config["SQLALCHEMY_DATABASE_URI"],
                "journal_key": app.config["JOURNAL_KEY"],
                "sealed_since": _iso(app.config.get("JOURNAL_SEALED_SINCE")),
                "instance_path": app.instance_path}
    try:
        # Its stderr goes to a file: a pipe left unread while stdout is read to its end
        # would block, for good, a child that says more than a pipe holds (64 KiB).
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(CHECK_COMMAND, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors, text=True)
            with process:
                process.stdin.write(json.dumps(settings))
                process.stdin.close()
                verdict = None
                for line in process.stdout:
                    kind, _, value = line.rstrip("\n").partition(" ")
                    if kind == "rows_estimate":
                        check.rows_estimate = int(value)
                    elif kind in ("entries", "rows"):
                        check.progress(kind, int(value))
                    elif kind == "verdict":
                        verdict = journal.Verdict(**json.loads(value))
            end = errors.seek(0, os.SEEK_END)
            errors.seek(max(0, end - 1600))  # its end is what tells (a traceback's)
            said = errors.read().decode("utf-8", errors="replace")
        if verdict is None:
            raise RuntimeError(f"the check stopped ({process.returncode}): {said[-400:]}")
    except (OSError, ValueError, RuntimeError) as exc:
        app.logger.error("journal check failed: %s", exc)
        _finish(app, check, None, error=str(exc)[:500])
    else:
        _finish(app, check, verdict)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if isinstance(moment, datetime) else None


@dataclass
class PageState:
    """What the journal page shows: the last complete check, and the one running."""

    last: Check | None
    running: Check | None
    entries: int  # the chain's length now
    failed: Check | None = None


def page_state(session: Session, fresh: bool = False) -> PageState:
    """The last check, a new one started if due. A small journal is checked at once;
    `fresh`: the treasurer asked for a new check (started unless one runs)."""
    app = current_app._get_current_object()
    checks = _checks(app)
    entries = journal.head(session)[0]
    if entries <= INLINE_ENTRIES:
        check_now(session)
        return PageState(checks.last, None, entries)
    with checks.lock:
        last, running, failed = checks.last, checks.running, checks.failed
    due = running is None and (
        fresh or last is None or time.monotonic() - last.finished_clock > QUIET_SECONDS)
    if due:
        running = start(app, session)
    if failed is not None and last is not None and failed.started_at < last.started_at:
        failed = None  # a later check ended well
    return PageState(last, running, entries, failed)


def wait(app: Flask, timeout: float | None = None) -> None:
    """Wait for the running check to end (tests, benchmarks)."""
    thread = _checks(app).thread
    if thread is not None:
        thread.join(timeout)
