"""The server's clock at a stall with no internet: the tablet's time comes with every page
load and API write; a server clock that differs from it by more than two minutes, or is
earlier than the journal's last entry, is said on every screen, blocks opening a drawer
until the admin has chosen, and can be set from the tablet's (or the command is shown)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import CashSession, ClockCorrection, JournalEntry, Sale
from tests.closing_helpers import FLOAT, sell
from tests.conftest import api_login, csrf_token, web_login

THREE_DAYS = 3 * 24 * 3600


def tablet_now() -> dict[str, str]:
    """The tablet's clock (this machine's, which is right), as static/js sends it."""
    return {"X-Kiosk-Tablet-Time": str(int(time.time() * 1000))}


def open_drawer(client, headers, tablet: dict | None = None):
    return client.post("/api/v1/cash-sessions", headers={**headers, **(tablet or tablet_now())},
                       json={"name": "Vente IKEA", "location": "ikea", "opening_float": FLOAT})


def page(client, path: str) -> str:
    return unescape(client.get(path, headers=tablet_now()).get_data(as_text=True))


@pytest.fixture
def app_config(database_url):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "CLOCK_SET": "offset"}


def later(days: float) -> dict[str, str]:
    """A tablet whose clock says `days` from now."""
    return {"X-Kiosk-Tablet-Time": str(int((time.time() + days * 86400) * 1000))}


def corrections() -> list[ClockCorrection]:
    return list(db.session.scalars(select(ClockCorrection).order_by(ClockCorrection.id)))


def test_a_server_three_days_behind_is_corrected_by_a_logged_in_tablet_at_once(demo, client):
    demo.config["CLOCK_OFFSET_SECONDS"] = -THREE_DAYS  # the Pi woke up at last week's time
    # Anybody's header moves nothing: the journal alone says the clock went back.
    anonymous = client.get("/clock", headers=tablet_now()).get_json()
    assert anonymous["ok"] is False and anonymous["problem"] == "before_last_event"
    assert corrections() == []

    # The first request of a logged-in tablet puts the kiosk's clock right, by itself.
    seller = api_login(client, "Vendeuse", "3456")
    answer = client.get("/clock", headers={**seller, **tablet_now()}).get_json()
    assert answer["ok"] is True and answer["problem"] is None, answer
    assert abs(answer["difference_seconds"]) < 60
    [made] = corrections()
    assert made.source == "tablet" and abs(made.offset_ms / 1000 - THREE_DAYS) < 60

    # No screen warns, the drawer opens, nothing is dated wrong: the drawer, the sale, its
    # number and its journal entry.
    volunteer = demo.test_client()
    web_login(volunteer, "Vendeuse", "3456")
    for path in ("/", "/sell", "/sessions", "/stock"):
        assert "l'horloge du serveur dit" not in page(volunteer, path), path
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

    # The admin's page says the machine's clock is wrong and corrected; she may still set
    # the machine's own clock from the tablet, which ends the correction.
    admin = demo.test_client()
    web_login(admin, "Admin", "1234")
    clock_page = page(admin, "/admin/clock")
    assert "la caisse l'a corrigée d'elle-même" in clock_page
    assert "Mettre le serveur à l'heure de la tablette" in clock_page
    done = admin.post("/admin/clock", headers=tablet_now(), data={
        "csrf_token": csrf_token(admin, "/admin/clock"), "action": "set",
        "tablet_time": tablet_now()["X-Kiosk-Tablet-Time"]})
    assert done.status_code == 302
    assert abs(demo.config["CLOCK_OFFSET_SECONDS"]) < 5
    assert corrections()[-1].offset_ms == 0 and corrections()[-1].source == "admin"
    assert client.get("/clock", headers={**seller, **tablet_now()}).get_json()["ok"] is True
    assert "Ouvrir une caisse est bloqué" not in page(volunteer, "/sell")


@pytest.mark.parametrize("header", [
    "30 days ahead", "\u00b2", "１７６４９６３２００００００", "12\u0663", "-1", "1e12",
    " 1764963200000"])
def test_an_anonymous_tablet_time_moves_and_blocks_nothing(demo, client, header):
    if header == "30 days ahead":
        header = later(30)["X-Kiosk-Tablet-Time"]
    for path in ("/aide", "/login", "/clock", "/api/v1/openapi.json", "/ca.pem"):
        answer = client.get(path, headers={"X-Kiosk-Tablet-Time": header})
        assert answer.status_code in (200, 302), (path, answer.status_code)
    assert client.get("/clock").get_json()["ok"] is True
    assert corrections() == []
    seller = api_login(client, "Vendeuse", "3456")
    opened = open_drawer(client, seller)
    assert opened.status_code == 201, opened.get_json()


def test_a_logged_in_tablet_with_an_unlikely_time_is_not_followed_and_the_admin_chooses(
        demo, client):
    demo.config.update(CLOCK_SET="none")
    seller = api_login(client, "Vendeuse", "3456")
    # A tablet a hundred days ahead: further than a box is ever left in a cupboard.
    answer = client.get("/clock", headers={**seller, **later(100)}).get_json()
    assert answer["ok"] is False and answer["problem"] == "tablet_differs"
    assert corrections() == []
    assert open_drawer(client, seller, later(100)).status_code == 409

    admin = demo.test_client()
    web_login(admin, "Admin", "1234")
    clock_page = unescape(admin.get("/admin/clock", headers=later(100)).get_data(as_text=True))
    assert "sudo date -u -s '" in clock_page
    assert "Mettre le serveur à l'heure de la tablette" not in clock_page
    assert "Dater les ventes à l'heure de la tablette" in clock_page
    token = csrf_token(admin, "/admin/clock")
    refused = admin.post("/admin/clock", headers=later(100), data={
        "csrf_token": token, "action": "set", "tablet_time": later(100)["X-Kiosk-Tablet-Time"]})
    assert refused.status_code == 409 and not corrections()
    assert "tapez la commande" in unescape(refused.get_data(as_text=True))

    kept = admin.post("/admin/clock", headers=later(100),
                      data={"csrf_token": token, "action": "keep"})
    assert kept.status_code == 302
    assert client.get("/clock", headers={**seller, **later(100)}).get_json()["ok"] is True
    opened = open_drawer(client, seller, later(100))
    assert opened.status_code == 201, opened.get_json()
    # Another difference than the one she accepted: said and blocked again.
    assert client.get("/clock", headers={**seller, **later(200)}).get_json()["ok"] is False
    # A tablet earlier than the journal's last entry is not followed either.
    assert client.get("/clock", headers={**seller, **later(-1)}).get_json()["ok"] is False
    assert corrections() == []

    # The admin may choose to date by the tablet's time all the same.
    followed = admin.post("/admin/clock", headers=later(100), data={
        "csrf_token": token, "action": "follow",
        "tablet_time": later(100)["X-Kiosk-Tablet-Time"]})
    assert followed.status_code == 302
    [made] = corrections()
    assert made.source == "admin" and abs(made.offset_ms / 1000 - 100 * 86400) < 60


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


def test_a_login_made_by_the_wrong_clock_outlives_the_correction(demo, client):
    demo.config["CLOCK_OFFSET_SECONDS"] = -THREE_DAYS
    volunteer = demo.test_client()
    web_login(volunteer, "Vendeuse", "3456")  # her login expires 16 h after last week's time
    seller = api_login(client, "Vendeuse", "3456")
    assert volunteer.get("/sell").status_code == 200
    assert volunteer.get("/sell", headers=tablet_now()).status_code == 200  # corrected here
    assert len(corrections()) == 1
    assert volunteer.get("/sell").status_code == 200
    assert client.get("/api/v1/locations", headers=seller).status_code == 200
