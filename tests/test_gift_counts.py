"""Issue 27, point 4: one count of sales. A gift-only ticket ("Un don", "Gardez la
monnaie") and its void are gifts everywhere: the Z, the reports (JSON and by drawer),
the drawer's list and the CSV files all count the same three sales."""

from __future__ import annotations

import csv
import uuid

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.services.closing import session_totals
from kiosk.vocabulary import PARIS
from tests.closing_helpers import open_session, sell
from tests.conftest import web_login


def gift(client, headers, session_id, cents):
    response = client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": [],
        "payments": [{"method": "cash", "amount_cents": cents}], "donation_cents": cents})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def day_with_gifts(client, seller_headers) -> int:
    session_id = open_session(client, seller_headers)

    def ok(response):
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    ok(sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
            [{"method": "cash", "amount_cents": 2000}]))
    kept = gift(client, seller_headers, session_id, 600)  # "Gardez la monnaie"
    ok(client.post(f"/api/v1/sales/{kept['id']}/void", headers=seller_headers,
                   json={"reason": "Don « Gardez la monnaie » annulé"}))  # its undo
    ok(sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
            [{"method": "card", "amount_cents": 400}]))
    gift(client, seller_headers, session_id, 500)  # "Un don"
    gift(client, seller_headers, session_id, 150)  # "Gardez la monnaie" of the next
    ok(sell(client, seller_headers, session_id, [{"sku": "SAC-IKEA", "qty": 1}],
            [{"method": "cash", "amount_cents": 1500}]))
    return session_id


def test_gift_only_tickets_are_not_sales_anywhere(client, seller_headers, treasurer_headers,
                                                   runner, tmp_path):
    session_id = day_with_gifts(client, seller_headers)
    totals = session_totals(db.session, session_id)
    assert (totals.sales_count, totals.voids_count, totals.gift_only_count) == (3, 0, 3)

    today = utcnow().astimezone(PARIS).date().isoformat()
    report = client.get("/api/v1/reports", headers=treasurer_headers,
                        query_string={"from": today, "to": today}).get_json()
    assert (report["sales_count"], report["voids_count"]) == (3, 0)
    [drawer] = [r for r in report["by_event"] if r["key"] == str(session_id)]
    assert (drawer["sales_count"], drawer["voids_count"]) == (3, 0)
    assert [(m["sales_count"], m["voids_count"]) for m in report["by_month"]] == [(3, 0)]
    assert [(p["sales_count"], p["voids_count"]) for p in report["by_place"]] == [(3, 0)]

    # the drawer's list: a gift reads "Don" and its amount, not "0,00 € Espèces Vente"
    web_login(client, "Vendeuse", "3456")
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    rows = [row for row in page.split("<tr data-sale=")[1:]]
    assert len(rows) == 7
    gift_rows = [row for row in rows
                 if any(w in row for w in ("Don\n", "Don annulé", "Annulation du don"))]
    assert len(gift_rows) == 4  # two gifts, the one undone, and its undoing
    assert not any("0,00" in row for row in gift_rows)
    assert sum(">Vente<" in row.replace("\n", "").replace(" ", "") for row in rows) <= 3

    out = tmp_path / "export"
    result = runner.invoke(args=["export", "--from", today, "--to", today, "--format", "csv",
                                 str(out)])
    assert result.exit_code == 0, result.output
    files = {p.name.split("_")[0]: p for p in out.iterdir()}
    with files["paiements"].open(encoding="utf-8-sig", newline="") as handle:
        kinds = [row["type"] for row in csv.DictReader(handle)]
    assert kinds.count("vente") == 3 and kinds.count("don") == 3
    assert kinds.count("annulation du don") == 1


def test_the_migration_takes_gifts_out_of_the_counts_kept_before(client, seller_headers):
    """An installation whose daily totals counted gift-only tickets as sales: the
    upgrade takes them out (the journal's check then agrees), the downgrade puts them
    back."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import select

    import kiosk
    from kiosk.ledger import journal
    from kiosk.models import DailyTotal

    day_with_gifts(client, seller_headers)
    path = next((Path(kiosk.__file__).parent / "migrations" / "versions").glob(
        "i27a00000001_*.py"))
    spec = importlib.util.spec_from_file_location("gift_counts_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def sales_counted() -> int:
        db.session.rollback()
        return sum(r.count for r in db.session.scalars(select(DailyTotal).where(
            DailyTotal.product_id == 0, DailyTotal.kind.in_(("sale", "void")))))

    assert sales_counted() == 3
    db.session.rollback()
    with db.engine.begin() as connection, \
            Operations.context(MigrationContext.configure(connection)):
        migration.downgrade()
    assert sales_counted() == 3 + 4  # as before this issue: 3 gifts and a gift's void
    assert not journal.verify(db.session).ok
    db.session.rollback()
    with db.engine.begin() as connection, \
            Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    assert sales_counted() == 3
    assert journal.verify(db.session).ok
