"""After each closing, a dated copy of the day on the stick (KIOSK_REPLICA/copies): checked
like verify-journal, readable by the kiosk's user only, the newest KIOSK_REPLICA_COPIES
kept."""

from __future__ import annotations

import stat
import time
import uuid
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.services import replica
from tests.conftest import BACKEND


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "REPLICA": str(tmp_path / "stick"), "REPLICA_COPIES": 2}


def a_closed_day(client, seller_headers, treasurer_headers) -> None:
    opened = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 2, "10000": 2}})
    assert opened.status_code == 201, opened.get_json()
    session_id = opened.get_json()["id"]
    sold = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
        "lines": [{"sku": "SAC-IKEA", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 5000}]})
    assert sold.status_code == 201, sold.get_json()
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json={"counted": {"1000": 2}})
    assert closed.status_code == 200, closed.get_json()


def copies_in(stick: Path) -> list[Path]:
    return sorted((stick / "copies").glob("caisse-*"))


def wait_for_copies(stick: Path, n: int) -> list[Path]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = copies_in(stick)
        report = stick / "copies" / "derniere-verification.txt"
        if len(made) == n and report.exists() and not list(stick.rglob("*.partial")):
            return made
        time.sleep(0.1)
    raise AssertionError(f"copies: {copies_in(stick)}")


def test_each_closing_leaves_a_checked_dated_copy_and_the_oldest_go(
        app, client, seller_headers, treasurer_headers, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    a_closed_day(client, seller_headers, treasurer_headers)
    first = wait_for_copies(stick, 1)
    assert first[0].name.startswith("caisse-20")
    assert stat.S_IMODE(first[0].stat().st_mode) == 0o600  # not readable by others
    assert stat.S_IMODE((stick / "copies").stat().st_mode) == 0o700
    if BACKEND == "sqlite":
        assert "journal intact" in (stick / "copies" / "derniere-verification.txt").read_text()
    for _ in range(2):
        before = {p.name for p in copies_in(stick)}
        (stick / "copies" / "derniere-verification.txt").unlink()
        a_closed_day(client, seller_headers, treasurer_headers)
        deadline = time.monotonic() + 60
        while {p.name for p in copies_in(stick)} == before or not (
                stick / "copies" / "derniere-verification.txt").exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
    kept = wait_for_copies(stick, 2)  # KIOSK_REPLICA_COPIES = 2: the first one is gone
    assert first[0] not in kept


def test_a_copy_whose_journal_is_broken_says_so(app, demo, tmp_path):
    if BACKEND != "sqlite":
        pytest.skip("the copy is checked by opening it: SQLite")
    from sqlalchemy import text

    stick = tmp_path / "stick"
    stick.mkdir()
    made = replica.daily_copy(app)
    assert made.ok and made.entries > 0
    db.session.execute(text("UPDATE stock_moves SET qty = qty + 1 WHERE id = 1"))
    db.session.commit()  # a row changed behind the app's back, copied as it is
    made = replica.daily_copy(app)
    assert not made.ok and made.problems
    report = (stick / "copies" / "derniere-verification.txt").read_text()
    assert report.startswith(made.path.name) and "PROBLÈME" in report


def test_no_stick_no_copy_and_the_closing_goes_on(app, client, seller_headers,
                                                  treasurer_headers, tmp_path):
    a_closed_day(client, seller_headers, treasurer_headers)  # the stick is not plugged in
    assert not (tmp_path / "stick").exists()
