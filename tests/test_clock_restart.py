"""The box back from a power cut with its clock days behind, as the stall lives it: the
real server (`python -m kiosk.serve`, as `make run`) restarted with its clock three days
back while a drawer is open. The logged-in tablet keeps selling and nobody touches a
setting: every sale is dated by the tablet's time, the day's report counts them on the
right day, numbers run without gap, the journal verifies; and the same after another
restart, from the very first request."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import Sale
from tests.conftest import api_login
from tests.test_power_cut import ServerProcess

pytestmark = pytest.mark.slow

THREE_DAYS_BACK = -3 * 24 * 3600
PARIS = ZoneInfo("Europe/Paris")


def call(server: ServerProcess, method: str, path: str, body: dict | None = None,
         token: str | None = None, tablet: bool = True) -> tuple[int, dict]:
    """One request as the tablet sends it: with its own (right) clock in the header."""
    headers = {"Content-Type": "application/json"}
    if tablet:
        headers["X-Kiosk-Tablet-Time"] = str(int(time.time() * 1000))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        server.url + path, method=method, headers=headers,
        data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def sell(server: ServerProcess, token: str, drawer: int) -> None:
    status, body = call(server, "POST", "/api/v1/sales", {
        "client_id": str(uuid.uuid4()), "cash_session_id": drawer,
        "lines": [{"sku": "ETIQ-TGV", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 500}]}, token)
    assert status == 201, body


def test_a_server_restarted_three_days_behind_dates_every_sale_right(
        demo, database_url, tmp_path, client):
    db.session.rollback()  # the test's own session holds no lock while the server runs
    server = ServerProcess(database_url, tmp_path)
    server.start()
    try:
        status, body = call(server, "POST", "/api/v1/login",
                            {"user": "Vendeuse", "pin": "3456"}, tablet=False)
        token = body["token"]
        status, body = call(server, "POST", "/api/v1/cash-sessions", {
            "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 3}}, token)
        assert status == 201, body
        drawer = body["id"]
        for _ in range(3):
            sell(server, token, drawer)

        # The power cut: the board comes back with last week's time.
        server.stop()
        server.env["KIOSK_CLOCK_OFFSET_SECONDS"] = str(THREE_DAYS_BACK)
        server.start()
        for _ in range(3):
            sell(server, token, drawer)

        # Another restart, as wrong: the correction holds from the first request on, before
        # any tablet has spoken.
        server.stop()
        server.start()
        status, body = call(server, "GET", "/clock", tablet=False)
        assert status == 200 and body["ok"] is True, body
        for _ in range(3):
            sell(server, token, drawer)
    finally:
        server.stop()

    now = datetime.now(UTC)
    sales = list(db.session.scalars(select(Sale).order_by(Sale.id)))
    assert len(sales) == 9
    for sale in sales:
        assert abs(sale.created_at - now) < timedelta(minutes=5), sale.created_at
    numbers = [int(sale.number.split("-")[1]) for sale in sales]
    assert numbers == list(range(numbers[0], numbers[0] + 9))
    assert all(sale.number.startswith(f"{now.year}-") for sale in sales)
    assert journal.verify(db.session).ok

    today = now.astimezone(PARIS).date()
    treasurer = api_login(client, "Tresoriere", "2345")
    report = client.get(f"/api/v1/reports?from={today}&to={today}", headers=treasurer)
    assert report.status_code == 200 and report.get_json()["sales_count"] == 9
    back = today - timedelta(days=3)
    report = client.get(f"/api/v1/reports?from={back}&to={back}", headers=treasurer)
    assert report.get_json()["sales_count"] == 0
