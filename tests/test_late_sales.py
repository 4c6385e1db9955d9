"""Sales that waited on a tablet (its outbox): the tablet's time of the sale, a drawer closed
while they waited, and the tablets' reports of what waits on them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from kiosk.documents import closing as closing_documents
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    CashSessionClosure,
    EnvelopeEntry,
    JournalEntry,
    Location,
    Product,
    Sale,
    StockLevel,
)
from tests.closing_helpers import close_body, open_session, sales_day


def waiting_sale(session_id, sold_at, lines=None, payments=None, client_id=None) -> dict:
    """A sale as the tablet's outbox sends it: with the tablet's time of the sale."""
    return {"client_id": client_id or str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": lines or [{"sku": "SAC-IKEA", "qty": 1}],
            "payments": payments or [{"method": "cash", "amount_cents": 2000}],
            "sold_at": sold_at.isoformat()}


def now() -> datetime:
    return datetime.now(UTC)


def balances(client, headers) -> dict[str, int]:
    return {e["code"]: e["balance_cents"]
            for e in client.get("/api/v1/envelopes", headers=headers).get_json()}


def stock_of(sku: str, location: str = "ikea") -> int:
    db.session.rollback()
    return db.session.scalar(select(StockLevel.qty).join(Product).join(Location).where(
        Product.sku == sku, Location.code == location))


def z_rows(session_id) -> list[tuple[str, str]]:
    db.session.rollback()
    report = closing_documents.z_report(db.session, session_id)
    return [row for section in report.sections for row in section.rows]


def test_a_sale_that_waited_keeps_the_tablets_time(client, seller_headers):
    session_id = open_session(client, seller_headers)
    made = now() - timedelta(minutes=3)
    response = client.post("/api/v1/sales", headers=seller_headers,
                           json=waiting_sale(session_id, made))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert datetime.fromisoformat(body["sold_at"]) == made
    shown = client.get(f"/api/v1/sales/{body['id']}", headers=seller_headers).get_json()
    assert datetime.fromisoformat(shown["sold_at"]) == made
    assert db.session.get(Sale, body["id"]).sold_at == made
    assert journal.verify(db.session).ok
    # a sale recorded as it was made has none
    plain = client.post("/api/v1/sales", headers=seller_headers, json={
        **waiting_sale(session_id, made), "sold_at": None}).get_json()
    assert plain["sold_at"] is None


@pytest.mark.parametrize("sold_at, field", [
    (lambda: (now() + timedelta(minutes=30)).isoformat(), "futur"),
    (lambda: (now() - timedelta(days=2)).isoformat(), "avant l'ouverture"),
    (lambda: "2026-12-01T10:00:00", "fuseau"),
    (lambda: "hier", "date et une heure"),
])
def test_a_tablet_time_out_of_bounds_is_refused_and_changes_nothing(client, seller_headers,
                                                                    sold_at, field):
    session_id = open_session(client, seller_headers)
    body = {**waiting_sale(session_id, now()), "sold_at": sold_at()}
    response = client.post("/api/v1/sales", headers=seller_headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0


def test_a_drawer_closed_while_sales_waited_gets_them_and_the_z_says_so(
        client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    # two sales made on the tablet before the closing, while the Wi-Fi was down
    cash_sale = waiting_sale(session_id, now() - timedelta(minutes=2),
                             [{"sku": "SAC-IKEA", "qty": 1}],
                             [{"method": "cash", "amount_cents": 2000}])  # 15,00, change 5
    card_sale = waiting_sale(session_id, now() - timedelta(minutes=1),
                             [{"sku": "ETIQ-TGV", "qty": 2}],
                             [{"method": "card", "amount_cents": 800}])
    # the drawer held the cash sale's 15 € when it was counted: 65 + 15
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json=close_body(counted={"5000": 1, "2000": 1, "1000": 1}))
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["difference_cents"] == 1400  # 15 € too many, less 1 € short
    at_close = balances(client, treasurer_headers)
    last_number = db.session.scalar(select(func.max(Sale.number)))
    stock_before = stock_of("SAC-IKEA")

    late = [client.post("/api/v1/sales", headers=seller_headers, json=sale)
            for sale in (cash_sale, card_sale)]
    assert [r.status_code for r in late] == [201, 201], [r.get_json() for r in late]
    numbers = [r.get_json()["number"] for r in late]
    year, seq = last_number.split("-")
    assert numbers == [f"{year}-{int(seq) + 1:06d}", f"{year}-{int(seq) + 2:06d}"]
    assert [e.event for e in db.session.scalars(
        select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(2))] == [
            "late_sale", "late_sale"]
    # the same sale sent again (its answer lost on the way) is the same sale
    again = client.post("/api/v1/sales", headers=seller_headers, json=cash_sale)
    assert again.status_code == 200 and again.get_json()["number"] == numbers[0]

    # the card sale's 8 € reach the envelopes; the cash sale's 15 € were in the count already
    after = balances(client, treasurer_headers)
    assert sum(after.values()) - sum(at_close.values()) == 800
    entries = db.session.scalars(select(EnvelopeEntry).where(
        EnvelopeEntry.kind == "late_sale").order_by(EnvelopeEntry.id)).all()
    assert sum(e.amount_cents for e in entries) == 800
    assert {e.cash_session_id for e in entries} == {session_id}
    assert sum(e.amount_cents for e in entries if e.label.startswith("Vente")) == 1500 + 800
    assert stock_of("SAC-IKEA") == stock_before - 1
    assert journal.verify(db.session).ok

    rows = dict(z_rows(session_id))
    assert rows["2 ventes arrivées après la clôture"] == "23,00 €"
    assert rows["Dont 2 ventes arrivées après la clôture"] == "2"
    assert rows["Leurs espèces, déjà dans le compte"] == "15,00 €"
    assert rows["Écart corrigé"] == "-1,00 €"
    assert rows["Ajouté aux enveloppes"] == "8,00 €"
    assert any(label.startswith(f"{numbers[0]} faite le ") for label in rows)

    # tampering with a late sale's envelope entry is seen
    first = db.session.scalar(select(EnvelopeEntry).where(EnvelopeEntry.kind == "late_sale"))
    db.session.execute(update(EnvelopeEntry).where(EnvelopeEntry.id == first.id)
                       .values(amount_cents=first.amount_cents + 1))
    db.session.commit()
    assert not journal.verify(db.session).ok


def test_a_sale_made_after_the_closing_is_refused(client, seller_headers, treasurer_headers):
    session_id = open_session(client, seller_headers)
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json=close_body(counted={"1000": 3}, cheques=[], card=0))
    assert closed.status_code == 200, closed.get_json()
    # a sale the tablet made 10 minutes after the closing was not in the drawer counted
    db.session.execute(update(CashSessionClosure).values(
        closed_at=now() - timedelta(minutes=10)))
    db.session.commit()
    for body in (waiting_sale(session_id, now()),
                 {**waiting_sale(session_id, now()), "sold_at": None}):  # a live sale
        response = client.post("/api/v1/sales", headers=seller_headers, json=body)
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"] == "session_closed"
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0


def test_closing_is_refused_while_a_tablet_says_sales_wait(client, seller_headers,
                                                           treasurer_headers):
    session_id = open_session(client, seller_headers)
    tablet = str(uuid.uuid4())
    waiting = [waiting_sale(session_id, now() - timedelta(minutes=1)) for _ in range(2)]
    beat = client.post("/api/v1/tablets/heartbeat", headers=seller_headers, json={
        "tablet_id": tablet, "waiting": [{"client_id": s["client_id"],
                                          "cash_session_id": session_id} for s in waiting]})
    assert beat.status_code == 200 and beat.get_json() == {"waiting": 2}

    body = close_body(counted={"1000": 3}, cheques=[], card=0)
    preview = client.post(f"/api/v1/cash-sessions/{session_id}/close/preview",
                          headers=treasurer_headers, json=body)
    assert preview.get_json()["waiting_sales"] == 2
    refused = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                          headers=treasurer_headers, json=body)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "sales_waiting"
    assert refused.get_json()["message"].startswith("2 vente(s) attendent sur une tablette")

    # one arrives (its heartbeat not sent yet): one waits
    assert client.post("/api/v1/sales", headers=seller_headers,
                       json=waiting[0]).status_code == 201
    preview = client.post(f"/api/v1/cash-sessions/{session_id}/close/preview",
                          headers=treasurer_headers, json=body)
    assert preview.get_json()["waiting_sales"] == 1
    # the treasurer closes all the same; the other joins the drawer when it comes
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json={**body, "confirm_waiting": True})
    assert closed.status_code == 200, closed.get_json()
    late = client.post("/api/v1/sales", headers=seller_headers, json=waiting[1])
    assert late.status_code == 201, late.get_json()
    assert dict(z_rows(session_id))["1 vente arrivée après la clôture"] == "15,00 €"
    # the tablet's next heartbeat has nothing left
    beat = client.post("/api/v1/tablets/heartbeat", headers=seller_headers,
                       json={"tablet_id": tablet, "waiting": []})
    assert beat.get_json() == {"waiting": 0}


@pytest.mark.parametrize("body", [
    {"tablet_id": "not-a-uuid", "waiting": []},
    {"tablet_id": str(uuid.uuid4())},
    {"tablet_id": str(uuid.uuid4()), "waiting": [{"client_id": str(uuid.uuid4()),
                                                  "cash_session_id": "1"}]},
    {"tablet_id": str(uuid.uuid4()), "waiting": [{"client_id": str(uuid.uuid4()),
                                                  "cash_session_id": 1}] * 501},
])
def test_bad_heartbeats_are_refused(client, seller_headers, body):
    response = client.post("/api/v1/tablets/heartbeat", headers=seller_headers, json=body)
    assert response.status_code == 400, response.get_json()


def test_late_sales_balance_in_paheko_to_the_cent(client, runner, seller_headers,
                                                  treasurer_headers, tmp_path):
    from tests.test_paheko import PROJECTS, as_projects, export, paheko_import
    from tests.test_paheko import balances as paheko_balances

    session_id = open_session(client, seller_headers)  # a 30 € float
    late = [waiting_sale(session_id, now() - timedelta(minutes=1)),  # 15 € cash, change 5
            waiting_sale(session_id, now() - timedelta(minutes=1),
                         [{"sku": "ETIQ-TGV", "qty": 1}],
                         [{"method": "card", "amount_cents": 400}])]
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json={"counted": {"1000": 4, "500": 1}, "cheques": [],
                               "card_total_cents": 400})  # 45 €: the late 15 € are in it
    assert closed.status_code == 200 and closed.get_json()["difference_cents"] == 1500
    for sale in late:
        assert client.post("/api/v1/sales", headers=seller_headers, json=sale).status_code == 201
    day = now().date()
    result = export(runner, tmp_path / "out", day - timedelta(days=1), day + timedelta(days=1))
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "out").iterdir()
    accounts, projects = paheko_balances(paheko_import(path, set(PROJECTS.values())))
    assert accounts["530"] == 1500  # the cash handed over: 45 € counted less the float
    assert accounts["701"] == -1900  # both sales at their price
    assert "758" not in accounts or accounts["758"] == 0  # no surplus once they arrived
    assert projects == as_projects(balances(client, treasurer_headers))  # to the cent
    assert sum(projects.values()) == 1900


def test_the_closing_page_warns_and_closes_only_when_confirmed(client, seller_headers,
                                                               treasurer_headers):
    from tests.conftest import csrf_token, web_login
    from tests.test_closing_pages import close_form, closures, text

    session_id = sales_day(client, seller_headers, treasurer_headers)
    waiting = waiting_sale(session_id, now())
    assert client.post("/api/v1/tablets/heartbeat", headers=seller_headers, json={
        "tablet_id": str(uuid.uuid4()), "waiting": [
            {"client_id": waiting["client_id"], "cash_session_id": session_id}]}
    ).status_code == 200
    web_login(client, "Tresoriere", "2345")
    page = text(client.get(f"/sessions/{session_id}/close"))
    assert "1 vente(s) attendent sur une tablette" in page
    assert "Fermer quand même" in page
    token = csrf_token(client, f"/sessions/{session_id}/close")
    refused = client.post(f"/sessions/{session_id}/close", data=close_form(token, "confirm"))
    assert refused.status_code == 409
    assert "rapprochez la tablette du Wi-Fi" in text(refused)
    assert closures() == 0
    done = client.post(f"/sessions/{session_id}/close",
                       data=close_form(token, "confirm", confirm_waiting="1"))
    assert done.status_code == 302 and closures() == 1
    # the sale arrives, is in the drawer, and the Z shown on screen says so
    assert client.post("/api/v1/sales", headers=seller_headers, json=waiting).status_code == 201
    z_report = text(client.get(f"/sessions/{session_id}/document/z_report"))
    assert "1 vente arrivée après la clôture" in z_report


def test_the_drawer_page_after_a_late_sale_says_what_the_z_says(
        client, seller_headers, treasurer_headers):
    """Issue 27, point 5: one source for the Z and /sessions/<id>: a 15 € cash sale that
    reached the drawer after its closing (it was in the count) corrects both."""
    from tests.conftest import web_login

    session_id = sales_day(client, seller_headers, treasurer_headers)
    cash_sale = waiting_sale(session_id, now() - timedelta(minutes=2),
                             [{"sku": "SAC-IKEA", "qty": 1}],
                             [{"method": "cash", "amount_cents": 2000}])  # 15,00, change 5
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json=close_body(counted={"5000": 1, "2000": 1, "1000": 1}))
    assert closed.get_json()["difference_cents"] == 1400  # 15 € "too many", 1 € short
    assert client.post("/api/v1/sales", headers=seller_headers,
                       json=cash_sale).status_code == 201
    z = dict(z_rows(session_id))
    assert z["Écart corrigé"] == "-1,00 €"
    web_login(client, "Tresoriere", "2345")
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True).replace("\xa0", " ")
    assert "de trop" not in page
    assert "il manque 1,00 €" in page.lower()
    assert "1 vente est arrivée d'une tablette après la clôture (15,00 €)" in page
    # the net sales: the Z's figure, late sale included (47,50 + 15,00)
    assert z["Total net des ventes"] == "62,50 €"
    assert "62,50 €" in page
