"""The tablet as witness, in Chromium on the stall's Wi-Fi (http://kiosk.lan): a tablet sells
10; the server's database is replaced by a copy missing the last 3 (a box rebuilt from a live
copy a little behind); the tablet sends those 3 again by itself, each recorded once with the
next numbers, and the Z report says which sales came back from a tablet."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import Sale
from kiosk.services.backup import backup_database, restore_database
from tests.browser.conftest import login_by_touch
from tests.browser.test_outbox import (
    outbox_store,
    sell_one,
    start_selling,
    wait_for_no_pending,
)
from tests.conftest import api_login

pytestmark = pytest.mark.browser

SKUS = ["SAC-IKEA", "ETIQ-TGV", "POCH-TGV", "TAB-IKEA", "SAC-IKEA", "ETIQ-TGV", "POCH-TGV",
        "TAB-IKEA", "SAC-IKEA", "ETIQ-TGV"]


def kept_on_the_tablet(page) -> list[dict]:
    return [{"client_id": e["client_id"], "number": e["number"]}
            for e in outbox_store(page, "kept")]


def recorded_in(session_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Sale)
                             .where(Sale.cash_session_id == session_id))


def eventually(page, check, seconds: float) -> bool:
    """Is check() true within `seconds`? Polled every 100 ms while the page runs."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def test_a_tablet_gives_back_the_sales_the_server_lost_and_the_z_says_so(
        page, client, browser, tmp_path):
    session_id = start_selling(page)
    copy = tmp_path / ("copy.sqlite3" if db.engine.dialect.name == "sqlite" else "copy.dump")
    for i, sku in enumerate(SKUS):
        sell_one(page, sku, kept=False)
        if i == 6:  # the live copy, 3 sales behind when the box dies
            db.session.rollback()
            backup_database(db.engine, str(copy))
    kept = kept_on_the_tablet(page)
    assert len(kept) == 10 and all(e["number"] for e in kept)  # each with its number
    with page.expect_response("**/api/v1/tablets/witness") as asked:
        page.reload()  # the tablet asks at each page (and every 20 s): all there
    assert asked.value.json()["missing"] == []  # it remembers the server's head now

    db.session.rollback()
    restore_database(db.engine, str(copy))  # the box rebuilt from that copy
    assert recorded_in(session_id) == 7

    def witness(r) -> bool:
        return r.url.endswith("/api/v1/tablets/witness")

    with (page.expect_response(lambda r: witness(r) and r.json()["seen_holds"] is False)
          as light,
          page.expect_response(lambda r: witness(r) and len(r.json()["missing"]) == 3)):
        page.reload()  # the head it heard is gone: it names all it keeps, 3 are lacking
    assert light.value.request.post_data_json["held"] == []  # until then, nothing named
    # The badge may still read 0 from before the tablet acted on that answer (it failed so
    # once: the three were given back just after): they reach the server, then it empties.
    assert eventually(page, lambda: recorded_in(session_id) == 10, 30), \
        "the three given back never reached the server"
    wait_for_no_pending(page)

    db.session.rollback()
    sales = db.session.scalars(select(Sale).where(Sale.cash_session_id == session_id)
                               .order_by(Sale.seq)).all()
    by_client = {e["client_id"]: e["number"] for e in kept}
    assert sorted(s.client_id for s in sales) == sorted(by_client)  # each once, none lost
    seqs = [s.seq for s in sales]
    assert seqs == list(range(seqs[0], seqs[0] + 10))  # numbers without gap
    assert all(s.number == by_client[s.client_id] for s in sales)  # nothing sold between
    assert journal.verify(db.session).ok
    resent = [s.number for s in sales[7:]]

    headers = api_login(client, "Tresoriere", "2345")
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=headers,
                         json={"counted": {"1000": 3}})
    assert closed.status_code == 200, closed.get_json()
    treasurer = browser.new_context(base_url=page.url.split("/sell")[0], locale="fr-FR",
                                    has_touch=True)
    try:
        phone = treasurer.new_page()
        login_by_touch(phone, "Tresoriere", "2345")
        phone.goto(f"/sessions/{session_id}/document/z_report")
        z = phone.locator("body").inner_text()
        assert "Ventes renvoyées par une tablette" in z
        came_back = z.split("Ventes renvoyées par une tablette", 1)[1]
        assert all(number in came_back for number in resent)
    finally:
        treasurer.close()

    page.reload()  # the drawer is closed: the tablet forgets what it kept of it
    assert eventually(page, lambda: outbox_store(page, "kept") == [], 15)
