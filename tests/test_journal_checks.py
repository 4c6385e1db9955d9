"""The journal page answers from the last check while the whole check runs in the
background (issue 29); verify-journal shows its progress on a terminal only."""

from __future__ import annotations

import html
import os
import pty
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.extensions import db
from kiosk.ledger import journal_checks
from tests.conftest import csrf_token, web_login

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def long_journal(monkeypatch):
    """Any journal counts as long: the page never checks it while it waits."""
    monkeypatch.setattr(journal_checks, "INLINE_ENTRIES", 0)


def page(client) -> str:
    answer = client.get("/journal")
    assert answer.status_code == 200
    return html.unescape(answer.get_data(as_text=True))


def test_a_long_journal_is_checked_in_the_background(demo, client, long_journal):
    web_login(client, "Tresoriere", "2345")
    first = page(client)
    # Nothing checked yet since the start: the page says so and shows the check running.
    assert "pas encore été vérifié" in first and "data-journal-progress" in first
    assert 'http-equiv="refresh"' in first
    journal_checks.wait(demo, 60)
    done = page(client)
    assert "Journal intact" in done and "data-journal-checked" in done
    assert "data-journal-progress" not in done and 'http-equiv="refresh"' not in done
    assert "Vérifier maintenant" in done


def test_check_now_finds_a_row_changed_since(demo, client, long_journal):
    web_login(client, "Tresoriere", "2345")
    page(client)
    journal_checks.wait(demo, 60)
    assert "Journal intact" in page(client)
    db.session.execute(text("UPDATE stock_moves SET qty = 21 WHERE id = 1"))
    db.session.commit()
    # The last check stands (it says when it ran) until a new one ends.
    assert "Journal intact" in page(client)
    answer = client.post("/journal/check", data={"csrf_token": csrf_token(client, "/journal")})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/journal")
    journal_checks.wait(demo, 60)
    after = page(client)
    assert "Journal ABÎMÉ" in after and "stock_moves n° 1" in after


def test_check_now_needs_its_csrf_token(demo, client, long_journal):
    web_login(client, "Tresoriere", "2345")
    assert client.post("/journal/check").status_code == 400


def test_the_api_check_is_whole_and_becomes_the_pages_last(demo, client, long_journal,
                                                           treasurer_headers):
    db.session.execute(text("UPDATE stock_moves SET qty = 21 WHERE id = 1"))
    db.session.commit()
    body = client.get("/api/v1/journal/verify", headers=treasurer_headers).get_json()
    assert body["ok"] is False and body["entries"] > 0
    assert any("stock_moves n° 1" in p for p in body["problems"])
    web_login(client, "Tresoriere", "2345")
    shown = page(client)  # answered from the API's check, a new one running meanwhile
    assert "stock_moves n° 1" in shown and "pas encore été vérifié" not in shown
    journal_checks.wait(demo, 60)


def test_sales_during_a_check_are_no_false_alarm(demo, client, long_journal,
                                                 seller_headers, treasurer_headers):
    opened = client.post("/api/v1/cash-sessions", headers=treasurer_headers, json={
        "name": "Stand", "location": "ikea", "opening_float": {"1000": 2, "10000": 2}})
    session_id = opened.get_json()["id"]
    web_login(client, "Tresoriere", "2345")
    page(client)  # starts the check
    for _ in range(15):
        sale = client.post("/api/v1/sales", headers=seller_headers, json={
            "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": "SAC-IKEA", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 10_000}]})
        assert sale.status_code == 201
    journal_checks.wait(demo, 60)
    state = demo.extensions[journal_checks.EXTENSION]
    assert state.last is not None and state.last.verdict.ok, state.last.verdict.problems


def test_a_short_journal_is_still_checked_at_once(demo, client):
    web_login(client, "Tresoriere", "2345")
    db.session.execute(text("UPDATE stock_moves SET qty = 21 WHERE id = 1"))
    db.session.commit()
    shown = page(client)
    assert "stock_moves n° 1" in shown and "Vérifier maintenant" not in shown


def _verify_journal(app, database_url: str, tty: bool) -> tuple[int, str, str]:
    env = {**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_SECRET_KEY": "t",
           "KIOSK_JOURNAL_KEY": app.config["JOURNAL_KEY"], "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "flask", "--app", "kiosk", "verify-journal"]
    if not tty:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        return done.returncode, done.stdout, done.stderr
    main, secondary = pty.openpty()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=secondary, text=True)
    os.close(secondary)
    out = process.communicate(timeout=300)[0]
    said = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        said += chunk
    os.close(main)
    return process.returncode, out, said.decode(errors="replace")


def test_verify_journal_shows_progress_on_a_terminal_only(demo, database_url):
    db.session.commit()
    status, out, err = _verify_journal(demo, database_url, tty=True)
    assert status == 0 and "Journal intact" in out
    assert "Vérification : 0 / " in err and "entrées" in err
    status, out, err = _verify_journal(demo, database_url, tty=False)
    assert status == 0 and "Journal intact" in out and "Vérification" not in err


def test_a_check_that_says_much_on_stderr_still_ends(demo, client, long_journal, monkeypatch):
    """The child's stderr is not a pipe read last: 200 KB of warnings (more than a pipe
    holds) while the server reads its progress must not hold the check for good."""
    noisy = ("import sys; sys.stdin.read(); sys.stderr.write('avertissement\\n' * 15000); "
             "sys.stderr.flush(); print('entries 1', flush=True); sys.exit(3)")
    monkeypatch.setattr(journal_checks, "CHECK_COMMAND", (sys.executable, "-c", noisy))
    web_login(client, "Tresoriere", "2345")
    page(client)  # starts the check
    journal_checks.wait(demo, 30)
    checks = journal_checks._checks(demo)
    assert checks.thread is not None and not checks.thread.is_alive(), "the check hangs"
    # the error keeps the end of what it said (a traceback's last lines), within its 500
    error = checks.failed.error if checks.failed is not None else ""
    assert error.startswith("the check stopped (3): ") and error.endswith("avertissement\n")
    assert checks.running is None
