"""The server's clock at a stall with no internet: the tablet's time comes with every page
load and API write; a server clock that differs from it by more than two minutes, or is
earlier than the journal's last entry, is said on every screen, blocks opening a drawer
until the admin has chosen, and can be set from the tablet's (or the command is shown)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import CashSession, JournalEntry, Sale
from tests.closing_helpers import FLOAT, sell
from tests.conftest import api_login, csrf_token, web_login

THREE_DAYS = 3 * 24 * 3600


def tablet_now() -> dict[str, str]:
    """The tablet's clock (this machine's, which is right), as static/js sends it."""
    return {"X-Kiosk-Tablet-Time": str(int(time.time() * 1000))}


def open_drawer(client, headers):
    return client.post("/api/v1/cash-sessions", headers={**headers, **tablet_now()}, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": FLOAT})


def page(client, path: str) -> str:
    return unescape(client.get(path, headers=tablet_now()).get_data(as_text=True))


@pytest.fixture
def app_config(database_url):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "CLOCK_SET": "offset"}


def test_a_server_three_days_behind_is_said_blocks_opening_and_is_set_from_the_tablet(
        demo, client):
    demo.config["CLOCK_OFFSET_SECONDS"] = -THREE_DAYS  # the Pi woke up at last week's time
    seller = api_login(client, "Vendeuse", "3456")
    answer = client.get("/clock", headers=tablet_now()).get_json()
    assert answer["ok"] is False and answer["problem"] == "tablet_differs"
    assert abs(answer["difference_seconds"] - THREE_DAYS) < 60

    # Every screen says so, in words, the login page included.
    volunteer = demo.test_client()
    assert "l'horloge du serveur dit" in page(volunteer, "/login")
    web_login(volunteer, "Vendeuse", "3456")
    for path in ("/", "/sell", "/sessions", "/stock"):
        assert "Ouvrir une caisse est bloqué" in page(volunteer, path), path

    # Opening a drawer waits, by the API and by the form.
    refused = open_drawer(client, seller)
    assert refused.status_code == 409 and refused.get_json()["error"] == "clock_wrong"
    assert "La coordinatrice règle l'heure" in refused.get_json()["message"]
    form = volunteer.post("/sell/open", headers=tablet_now(), data={
        "csrf_token": csrf_token(volunteer, "/sell/open"), "location": "ikea",
        "name": "Vente IKEA"})
    assert "La coordinatrice règle l'heure" in unescape(form.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(CashSession)) == 0

    # The admin sets the server's clock from the tablet's.
    admin = demo.test_client()
    web_login(admin, "Admin", "1234")
    clock_page = page(admin, "/admin/clock")
    assert "Mettre le serveur à l'heure de la tablette" in clock_page
    done = admin.post("/admin/clock", headers=tablet_now(), data={
        "csrf_token": csrf_token(admin, "/admin/clock"), "action": "set",
        "tablet_time": tablet_now()["X-Kiosk-Tablet-Time"]})
    assert done.status_code == 302
    assert abs(demo.config["CLOCK_OFFSET_SECONDS"]) < 5
    assert client.get("/clock", headers=tablet_now()).get_json()["ok"] is True
    assert "Ouvrir une caisse est bloqué" not in page(volunteer, "/sell")

    # Nothing is dated wrong: the drawer, the sale, its number and its journal entry.
    opened = open_drawer(client, seller)
    assert opened.status_code == 201, opened.get_json()
    sold = sell(client, {**seller, **tablet_now()}, opened.get_json()["id"],
                [{"sku": "ETIQ-TGV", "qty": 1}], [{"method": "cash", "amount_cents": 400}])
    now = datetime.now(UTC)
    sale = db.session.get(Sale, sold.get_json()["id"])
    assert abs(sale.created_at - now) < timedelta(seconds=30)
    assert sale.number.startswith(f"{now.year}-")
    entry = db.session.scalar(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1))
    assert abs(entry.created_at - now) < timedelta(seconds=30)
    drawer = db.session.get(CashSession, opened.get_json()["id"])
    assert abs(drawer.opened_at - now) < timedelta(seconds=30)


def test_where_the_kiosk_may_not_set_the_clock_it_shows_the_command_or_keeps_its_time(
        demo, client):
    demo.config.update(CLOCK_SET="none", CLOCK_OFFSET_SECONDS=-600)  # ten minutes slow
    admin = demo.test_client()
    web_login(admin, "Admin", "1234")
    clock_page = page(admin, "/admin/clock")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f"sudo date -u -s '{today} " in clock_page
    assert "Mettre le serveur à l'heure de la tablette" not in clock_page
    token = csrf_token(admin, "/admin/clock")
    refused = admin.post("/admin/clock", headers=tablet_now(), data={
        "csrf_token": token, "action": "set",
        "tablet_time": tablet_now()["X-Kiosk-Tablet-Time"]})
    assert refused.status_code == 409 and demo.config["CLOCK_OFFSET_SECONDS"] == -600
    assert "tapez la commande" in unescape(refused.get_data(as_text=True))

    seller = api_login(client, "Vendeuse", "3456")
    assert open_drawer(client, seller).status_code == 409
    kept = admin.post("/admin/clock", headers=tablet_now(),
                      data={"csrf_token": token, "action": "keep"})
    assert kept.status_code == 302
    opened = open_drawer(client, seller)
    assert opened.status_code == 201, opened.get_json()
    # Another difference than the one she accepted: said and blocked again.
    demo.config["CLOCK_OFFSET_SECONDS"] = -THREE_DAYS
    assert client.get("/clock", headers=tablet_now()).get_json()["ok"] is False


def test_a_server_clock_earlier_than_the_last_entry_is_said_without_any_tablet(
        demo, client):
    seller = api_login(client, "Vendeuse", "3456")
    no_tablet = {**seller}
    opened = client.post("/api/v1/cash-sessions", headers=no_tablet, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": FLOAT})
    assert opened.status_code == 201
    demo.config["CLOCK_OFFSET_SECONDS"] = -24 * 3600  # restarted at yesterday's time
    answer = client.get("/clock").get_json()
    assert answer["ok"] is False and answer["problem"] == "before_last_event"
    assert "plus tôt que la dernière opération enregistrée" in answer["message"]
    closing = client.post(f"/api/v1/cash-sessions/{opened.get_json()['id']}/close",
                          headers=api_login(client, "Tresoriere", "2345"),
                          json={"counted": FLOAT, "cheques": [], "card_total_cents": 0})
    assert closing.status_code == 200  # closing is not blocked: the drawer must be counted
    refused = client.post("/api/v1/cash-sessions", headers=no_tablet, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": FLOAT})
    assert refused.status_code == 409 and refused.get_json()["error"] == "clock_wrong"
