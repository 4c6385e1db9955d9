"""`seed-demo --sales N`: past sales in bulk, with a journal and stock ledger that verify."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from kiosk.demo.bulk import seed_sales
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import CashSession, Sale


def test_seed_demo_with_sales_keeps_the_journal_intact(app, runner):
    result = runner.invoke(args=["seed-demo", "--sales", "300"])
    assert result.exit_code == 0, result.output
    assert "300 ventes passées ajoutées" in result.output
    assert db.session.scalar(select(func.count(Sale.id))) == 300
    verified = runner.invoke(args=["verify-journal"])
    assert verified.exit_code == 0, verified.output
    sessions = db.session.scalars(select(CashSession)).all()
    assert len(sessions) == 8 and all(not s.is_open for s in sessions)
    # numbers run per year without gap, and match the seq they are made of
    years = db.session.scalars(select(Sale.year).distinct()).all()
    assert years
    for year in years:
        sales = db.session.execute(select(Sale.seq, Sale.number).where(Sale.year == year)
                                   .order_by(Sale.seq)).all()
        assert [seq for seq, _ in sales] == list(range(1, len(sales) + 1))
        assert all(number == f"{year}-{seq:06d}" for seq, number in sales)


def test_live_sales_follow_the_bulk_ones(demo, client, seller_headers):
    seed_sales(db.session, 50)
    before = journal.verify(db.session)
    assert before.ok, before.problems
    opened = client.post("/api/v1/cash-sessions", headers=seller_headers, json={
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"1000": 1}})
    assert opened.status_code == 201, opened.get_json()
    sold = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": opened.get_json()["id"],
        "lines": [{"sku": "ETIQ-TGV", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 400}]})
    assert sold.status_code == 201, sold.get_json()  # ids and sequences moved past the bulk
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Sale.id))) == 51
    after = journal.verify(db.session)
    assert after.ok, after.problems


def test_a_changed_bulk_row_is_found(demo):
    seed_sales(db.session, 20)
    from sqlalchemy import update

    from kiosk.database import write_transaction

    with write_transaction(db.session):
        db.session.execute(update(Sale).where(Sale.id == 5).values(total_cents=1))
    verdict = journal.verify(db.session)
    assert not verdict.ok and any("sales n° 5" in p for p in verdict.problems)
