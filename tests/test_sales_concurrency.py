"""Tablets selling at once through a real HTTP server: every sale acknowledged, numbers
gapless and unique, stock exact, journal intact; and bad sales refused with nothing
changed, over the same wire."""

from __future__ import annotations

import json
import random
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    CashSessionClosure,
    JournalEntry,
    Location,
    Payment,
    Product,
    Sale,
    StockMove,
)
from kiosk.services.stock import level
from tests.conftest import LiveServer

pytestmark = pytest.mark.slow

THREADS, SALES_EACH = 8, 40
SKUS = ("SAC-VILLE", "POCH-TGV", "ETIQ-TGV", "TAB-IKEA", "TROU-IKEA", "ETIQ-IKEA")


class Server(LiveServer):
    """A real HTTP server, as the tablets reach it, with a small JSON client."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self.url += "/api/v1"

    def call(self, path: str, body: dict | None = None, token: str | None = None
             ) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})},
            method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


@pytest.fixture
def server(demo):
    with Server(demo) as running:
        yield running


def login(server: Server, name: str = "Vendeuse", pin: str = "3456") -> str:
    status, body = server.call("/login", {"user": name, "pin": pin})
    assert status == 200, body
    return body["token"]


def open_session(server: Server, token: str) -> int:
    status, body = server.call("/cash-sessions", {
        "name": "Vente IKEA du 14 décembre", "location": "ikea",
        "opening_float": {"10000": 5}}, token)
    assert status == 201, body
    return body["id"]


def stock_at_ikea() -> dict[str, int]:
    db.session.rollback()
    ikea = db.session.scalar(select(Location.id).where(Location.code == "ikea"))
    return {p.sku: level(db.session, p.id, ikea) for p in db.session.scalars(select(Product))}


def test_eight_tablets_sell_at_once(server):
    token = login(server)
    session_id = open_session(server, token)
    before = stock_at_ikea()
    sold: Counter[str] = Counter()
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def tablet(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for _ in range(SALES_EACH):
            lines = [{"sku": sku, "qty": rng.randint(1, 3)} for sku in rng.sample(SKUS, 3)]
            answer = server.call("/sales", {
                "client_id": str(uuid.uuid4()), "cash_session_id": session_id,
                "lines": lines, "payments": [{"method": "cash", "amount_cents": 20000}]},
                token)
            with lock:
                answers.append(answer)
                if answer[0] == 201:
                    sold.update({line["sku"]: line["qty"] for line in lines})

    threads = [threading.Thread(target=tablet, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert len(answers) == THREADS * SALES_EACH
    refused = [body for status, body in answers if status != 201]
    assert not refused, refused[:3]
    numbers = [body["number"] for _status, body in answers]
    assert len(set(numbers)) == len(numbers)
    year = numbers[0][:4]
    assert sorted(int(n[5:]) for n in numbers) == list(range(1, len(numbers) + 1))
    assert all(n.startswith(year) for n in numbers)

    db.session.rollback()
    assert db.session.scalar(select(func.count(Sale.id))) == THREADS * SALES_EACH
    after = stock_at_ikea()
    for sku in SKUS:
        assert after[sku] == before[sku] - sold[sku], sku
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems[:5]
    status, listed = server.call(f"/sales?cash_session_id={session_id}", token=token)
    assert status == 200 and [s["number"] for s in listed] == sorted(numbers)


def test_the_same_sale_posted_twice_at_once_is_sold_once(server):
    token = login(server)
    session_id = open_session(server, token)
    body = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": "SAC-IKEA", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 2000}]}
    answers = []
    start = threading.Barrier(4)

    def tap() -> None:
        start.wait()
        answers.append(server.call("/sales", body, token))

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({answer["id"] for _, answer in answers}) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(Sale.id))) == 1


def snapshot() -> tuple:
    db.session.rollback()
    return (db.session.scalar(select(func.count(Sale.id))),
            db.session.scalar(select(func.count(Payment.id))),
            db.session.scalar(select(func.count(StockMove.id))),
            db.session.scalar(select(func.count(JournalEntry.seq))),
            journal.head(db.session), tuple(sorted(stock_at_ikea().items())))


def test_retries_and_bad_sales_over_the_wire(server):
    token = login(server)
    session_id = open_session(server, token)
    client_id = str(uuid.uuid4())
    sale = {"client_id": client_id, "cash_session_id": session_id,
            "lines": [{"sku": "ETIQ-TGV", "qty": 2}],
            "payments": [{"method": "cash", "amount_cents": 1000}]}
    status, first = server.call("/sales", sale, token)
    assert status == 201 and first["change_cents"] == 200
    unchanged = snapshot()

    status, again = server.call("/sales", sale, token)  # a retry after a Wi-Fi drop
    assert status == 200 and again["id"] == first["id"] and again["number"] == first["number"]
    status, other = server.call("/sales", {**sale, "lines": [{"sku": "ETIQ-TGV", "qty": 3}]},
                                token)
    assert status == 409 and other["error"] == "client_id_reused", other
    assert snapshot() == unchanged

    def attempt(**changes) -> tuple[int, dict]:
        return server.call("/sales", {**sale, "client_id": str(uuid.uuid4()), **changes},
                           token)

    cases = {
        "short": attempt(payments=[{"method": "cash", "amount_cents": 700}]),
        "overpaid cheque": attempt(payments=[{"method": "cheque", "amount_cents": 900}]),
        "overpaid card": attempt(payments=[{"method": "cash", "amount_cents": 200},
                                           {"method": "card", "amount_cents": 900}]),
        "unknown product": attempt(lines=[{"sku": "NOPE", "qty": 1}]),
        "negative quantity": attempt(lines=[{"sku": "ETIQ-TGV", "qty": -1}]),
        "zero quantity": attempt(lines=[{"sku": "ETIQ-TGV", "qty": 0}]),
        "quantity as text": attempt(lines=[{"sku": "ETIQ-TGV", "qty": "1"}]),
        "empty cart": attempt(lines=[]),
        "unknown session": attempt(cash_session_id=999999),
        "bad client_id": attempt(client_id="not-a-uuid"),
        "unknown method": attempt(payments=[{"method": "bitcoin", "amount_cents": 800}]),
    }
    expected = {"short": 400, "overpaid cheque": 400, "overpaid card": 400,
                "unknown product": 400, "negative quantity": 400, "zero quantity": 400,
                "quantity as text": 400, "empty cart": 400, "unknown session": 404,
                "bad client_id": 400, "unknown method": 400}
    for name, (status, body) in cases.items():
        assert status == expected[name], (name, body)
        assert body["error"] and body["message"], (name, body)
    assert "Il manque" in cases["short"][1]["message"]
    assert "NOPE" in cases["unknown product"][1]["message"]
    assert snapshot() == unchanged

    with write_transaction(db.session):
        db.session.add(CashSessionClosure(
            cash_session_id=session_id, closed_by=1, expected_cash_cents=0,
            counted_cash_cents=0, difference_cents=0, revenue_cents=0, cheque_total_cents=0,
            card_total_cents=0))
    closed = snapshot()
    status, body = attempt()
    assert status == 409 and "fermée" in body["message"], body
    assert snapshot() == closed
