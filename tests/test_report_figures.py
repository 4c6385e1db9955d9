"""The reports' figures come from the day's totals: they must equal the ledgers (sales,
voids, refunds, consignment, envelopes), the totals must be checked by verify-journal,
and the impact report's PDF must say what its page says."""

from __future__ import annotations

import re
from datetime import timedelta

import pypdfium2
from sqlalchemy import func, select, text

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    DailyTotal,
    Envelope,
    EnvelopeEntry,
    Sale,
    SaleLine,
    Shift,
    StockMove,
    User,
)
from kiosk.vocabulary import PARIS
from tests.closing_helpers import close_body, open_session, sales_day, sell
from tests.conftest import csrf_token, web_login

YEAR = {"from": "2020-01-01", "to": "2100-12-31"}


def close(client, headers, session_id, **body):
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=headers,
                           json=close_body(**body))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def today():
    return utcnow().astimezone(PARIS).date()


def a_busy_year(app, client, seller_headers, treasurer_headers) -> None:
    """Past sales written in bulk, then a day with a void and a refund (closed), a
    consignment statement and spending from both envelopes."""
    from kiosk.demo.bulk import seed_sales

    with app.app_context():
        seed_sales(db.session, 300)
    first = sales_day(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, first)
    statement = client.post("/api/v1/consignment-statements", headers=treasurer_headers, json={
        "location": "musee", "period": "novembre 2026",
        "lines": [{"sku": "SAC-VILLE", "qty": 2, "unit_price_cents": 2500}],
        "commission_cents": 500})
    assert statement.status_code == 201, statement.get_json()
    for code, label, cents in (("solidarite", "Repas de Noël des personnes seules", 4000),
                               ("loisirs", "Sortie au lac Kir", 1500)):
        spent = client.post(f"/api/v1/envelopes/{code}/spend", headers=treasurer_headers,
                            json={"amount_cents": cents, "label": label})
        assert spent.status_code == 201, spent.get_json()


def test_report_totals_equal_the_sales_and_envelope_ledgers(
        app, client, seller_headers, treasurer_headers):
    a_busy_year(app, client, seller_headers, treasurer_headers)
    answer = client.get("/api/v1/reports", query_string=YEAR, headers=treasurer_headers)
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    with app.app_context():
        by_kind = dict(db.session.execute(
            select(Sale.kind, func.count(Sale.id)).group_by(Sale.kind)).all())
        assert by_kind["void"] == 1 and by_kind["refund"] == 1 and by_kind["consignment"] == 1
        net = db.session.scalar(select(func.sum(Sale.total_cents)))
        pieces = db.session.scalar(select(func.sum(SaleLine.qty)))
        per_product = dict(db.session.execute(
            select(SaleLine.product_id, func.sum(SaleLine.qty)).group_by(SaleLine.product_id)
        ).all())
        made = db.session.scalar(select(func.sum(StockMove.qty)).where(
            StockMove.reason == "production"))
        balances = dict(db.session.execute(
            select(Envelope.code, func.sum(EnvelopeEntry.amount_cents))
            .join(EnvelopeEntry, EnvelopeEntry.envelope_id == Envelope.id)
            .group_by(Envelope.code)).all())
        skus = {sku: pid for pid, sku in db.session.execute(
            text("SELECT id, sku FROM products")).all()}
    assert report["sales_cents"] == net  # a sale counts once, voids and refunds subtracted
    assert report["sales_count"] == by_kind["sale"] + by_kind["consignment"] - by_kind["void"]
    assert (report["voids_count"], report["refunds_count"]) == (1, 1)
    assert report["donations_cents"] == 0  # no gift column on sales yet
    assert sum(e["cents"] for e in report["by_event"]) == net
    assert sum(m["cents"] for m in report["by_month"]) == net
    assert sum(p["cents"] for p in report["by_product"]) == net
    assert sum(p["cents"] for p in report["by_place"]) == net
    assert {p["sku"]: p["qty"] for p in report["by_product"]} == {
        sku: per_product[pid] for sku, pid in skus.items() if pid in per_product}
    museum = next(p for p in report["by_place"] if p["location"] == "musee")
    assert (museum["sales_count"], museum["qty"], museum["cents"]) == (1, 2, 5000)
    impact = report["impact"]
    assert impact["items_sold"] == pieces
    assert impact["items_made"] == made
    assert impact["raised_cents"] == net
    assert impact["solidarity_spent_cents"] == 4000
    assert {a["label"] for a in impact["actions"]} == {"Repas de Noël des personnes seules",
                                                      "Sortie au lac Kir"}
    assert sum(p["items_made"] for p in impact["partners"]) == made
    assert {e["code"]: e["closing_cents"] for e in report["envelopes"]} == balances
    with app.app_context():
        verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


def test_a_period_counts_only_its_days(client, seller_headers, treasurer_headers):
    sales_day(client, seller_headers, treasurer_headers)
    yesterday = (today() - timedelta(days=1)).isoformat()
    report = client.get("/api/v1/reports", headers=treasurer_headers,
                        query_string={"from": "2020-01-01", "to": yesterday}).get_json()
    assert report["sales_cents"] == 0 and report["by_event"] == []
    report = client.get("/api/v1/reports", headers=treasurer_headers,
                        query_string={"from": today().isoformat()}).get_json()
    assert (report["sales_cents"], report["sales_count"]) == (4750, 4)


def test_the_report_api_refuses_a_bad_period_plainly(client, treasurer_headers, seller_headers):
    bad = client.get("/api/v1/reports?from=2026-02-30", headers=treasurer_headers)
    assert bad.status_code == 400 and "AAAA-MM-JJ" in bad.get_json()["message"]
    backwards = client.get("/api/v1/reports?from=2026-05-01&to=2026-04-01",
                           headers=treasurer_headers)
    assert backwards.status_code == 400
    assert "avant son début" in backwards.get_json()["message"]
    assert client.get("/api/v1/reports", headers=seller_headers).status_code == 403


def test_tampering_with_a_total_makes_verify_journal_say_so(app, client, seller_headers,
                                                             treasurer_headers, runner):
    sales_day(client, seller_headers, treasurer_headers)
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    db.session.rollback()
    db.session.execute(text("UPDATE daily_totals SET cents = cents + 1000 "
                            "WHERE kind = 'sale' AND product_id = 0"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1
    assert "totaux des bilans" in result.output and "8750" in result.output
    db.session.rollback()  # a total the sales have, gone
    db.session.execute(text("DELETE FROM daily_totals WHERE kind = 'void'"))
    db.session.commit()
    problems = journal.verify(db.session).problems
    assert any("aucun total gardé" in p for p in problems), problems


def _figures(page: str) -> dict[str, str]:
    return {name: re.sub(r"\s+", " ", value).replace("\xa0", " ").replace("\u202f", " ")
            for name, value in re.findall(r'data-figure="(\w+)">([^<]+)<', page)}


def test_the_impact_pdf_is_one_file_whose_figures_match_the_page(
        app, client, seller_headers, treasurer_headers):
    a_busy_year(app, client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    page = client.get("/reports/impact", query_string=YEAR)
    assert page.status_code == 200
    figures = _figures(page.get_data(as_text=True))
    assert set(figures) >= {"items_made", "items_sold", "banner_m2", "banner_kg",
                            "raised_cents", "solidarity_spent_cents", "volunteer_hours"}
    answer = client.get("/reports/impact.pdf", query_string=YEAR)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    document = pypdfium2.PdfDocument(answer.data)
    words = " ".join(document[i].get_textpage().get_text_range()
                     for i in range(len(document)))
    words = re.sub(r"\s+", " ", words.replace("\xa0", " ").replace("\u202f", " "))
    for name, value in figures.items():
        assert value.replace("€", "EUR").replace(" EUR", " €") in words or value in words, (
            name, value, words[:600])
    assert "Repas de Noël des personnes seules" in words
    assert "Ville de Dijon" in words and "SNCF" in words and "IKEA" in words


def test_every_chart_has_its_table_and_its_csv(app, client, seller_headers, treasurer_headers):
    a_busy_year(app, client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    page = client.get("/reports", query_string=YEAR).get_data(as_text=True)
    assert page.count('<svg class="chart"') >= 6
    for section in re.findall(r'<section class="panel report-section" id="(\w+)"', page):
        block = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
        assert f'data-table="{section}"' in block
        csv = client.get(f"/reports/{section}.csv", query_string=YEAR)
        assert csv.status_code == 200 and csv.mimetype == "text/csv", section
    months = client.get("/reports/months.csv", query_string=YEAR).get_data(as_text=True)
    rows = [line.split(",") for line in months.lstrip("\ufeff").splitlines()]
    assert rows[0][-1] == "Montant (centimes)"
    with app.app_context():
        net = db.session.scalar(select(func.sum(Sale.total_cents)))
    assert sum(int(row[-1]) for row in rows[1:]) == net
    # the months in words, in French: "décembre 2026"
    from babel.dates import format_date
    assert format_date(today(), "LLLL yyyy", locale="fr") in page
    assert client.get("/reports/nothing.csv").status_code == 404


def test_opening_a_drawer_asks_who_holds_the_stall_and_closing_ends_their_time(
        app, client, seller_headers, treasurer_headers):
    web_login(client, "Vendeuse", "3456")
    form = client.get("/sell/open").get_data(as_text=True)
    assert 'name="team"' in form
    with app.app_context():
        ids = dict(db.session.execute(select(User.name, User.id)).all())
    opened = client.post("/sell/open", data={
        "csrf_token": csrf_token(client, "/sell/open"), "location": "ikea",
        "name": "Vente IKEA de Noël", "d1000": "2",
        "team": [str(ids["Vendeuse"]), str(ids["Admin"])]})
    assert opened.status_code == 302, opened.get_data(as_text=True)
    session_id = int(opened.headers["Location"].rsplit("=", 1)[1])
    team_page = client.get(f"/sell/team/{session_id}").get_data(as_text=True)
    assert f'data-here="{ids["Vendeuse"]}"' in team_page
    assert f'data-away="{ids["Tresoriere"]}"' in team_page
    token = csrf_token(client, f"/sell/team/{session_id}")
    assert client.post(f"/sell/team/{session_id}", data={
        "csrf_token": token, "team": str(ids["Tresoriere"]), "action": "join"}
    ).status_code == 302
    assert client.post(f"/sell/team/{session_id}", data={
        "csrf_token": token, "team": str(ids["Admin"]), "action": "leave"}).status_code == 302
    bad = client.post(f"/sell/team/{session_id}", data={
        "csrf_token": token, "team": "999999", "action": "join"})
    assert bad.status_code == 400 and "dans la liste" in bad.get_data(as_text=True)
    with app.app_context():
        shifts = db.session.scalars(select(Shift).where(Shift.cash_session_id == session_id)
                                    .order_by(Shift.id)).all()
        assert [(s.user_id, s.ended_at is None) for s in shifts] == [
            (ids["Admin"], False), (ids["Vendeuse"], True), (ids["Tresoriere"], True)]
        # the stall was held for two hours (moved back in time: tests do not wait)
        db.session.execute(text("UPDATE shifts SET started_at = :t WHERE ended_at IS NULL"),
                           {"t": (utcnow() - timedelta(hours=2)).replace(tzinfo=None)})
        db.session.commit()
    assert sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).status_code == 201
    web_login(client, "Tresoriere", "2345")  # (the page's cookie speaks before a token)
    close(client, treasurer_headers, session_id, counted={"1000": 2}, cheques=[], card=400)
    with app.app_context():
        assert db.session.scalar(select(func.count(Shift.id)).where(
            Shift.cash_session_id == session_id, Shift.ended_at.is_(None))) == 0
    report = client.get("/api/v1/reports", headers=treasurer_headers).get_json()
    assert report["impact"]["volunteer_hours"] == 4.0  # two volunteers, two hours each
    [event] = report["impact"]["hours_by_event"]
    assert event["people"] == 3 and event["hours"] == 4.0
    # names: the admin only
    web_login(client, "Tresoriere", "2345")
    assert 'data-table="hours-people"' not in client.get("/reports/impact").get_data(
        as_text=True)
    web_login(client, "Admin", "1234")
    admin_page = client.get("/reports/impact").get_data(as_text=True)
    assert 'data-table="hours-people"' in admin_page and "Tresoriere" in admin_page
    assert client.post(f"/sell/team/{session_id}", data={
        "csrf_token": csrf_token(client, f"/sell/team/{session_id}"),
        "team": str(ids["Admin"]), "action": "join"}).status_code == 409


def test_the_paheko_export_values_the_volunteers_time_only_when_asked(
        app, client, seller_headers, treasurer_headers):
    from kiosk.services import paheko

    session_id = open_session(client, seller_headers)
    with app.app_context():
        seller = db.session.scalar(select(User.id).where(User.name == "Vendeuse"))
        db.session.add(Shift(cash_session_id=session_id, user_id=seller,
                             started_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
    assert sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).status_code == 201
    close(client, treasurer_headers, session_id, cheques=[], card=400)
    with app.app_context():
        rows = paheko.paheko_rows(db.session, today(), today())
        assert not any(row[6] == "864" for row in rows)  # off by default
        app.config["PAHEKO_VOLUNTEER_HOUR_CENTS"] = 1200
        rows = paheko.paheko_rows(db.session, today(), today())
    [volunteering] = [row for row in rows if row[6] == "864"]
    assert volunteering[7] == "875" and volunteering[8] == "36,00"  # Bénévolat; 3 h at 12 €
    assert volunteering[1].startswith("Bénévolat : 3,0 h")


def test_the_totals_are_kept_by_the_bulk_history_as_by_the_sales(app):
    from kiosk.database import write_transaction
    from kiosk.demo.bulk import seed_sales
    from kiosk.demo.seed import seed_demo

    with app.app_context():
        with write_transaction(db.session):
            seed_demo(db.session)
        seed_sales(db.session, 250)
        kept = {(r.day, r.kind, r.location_id, r.cash_session_id, r.product_id,
                 r.banner_lot_id): [r.count, r.qty, r.cents, r.donation_cents]
                for r in db.session.scalars(select(DailyTotal))}
        assert kept == {k: v for k, v in journal.ledger_totals(db.session).items() if any(v)}
        assert sum(v[0] for k, v in kept.items() if k[1] == "sale" and k[4] == 0) == 250


def test_the_migration_fills_the_totals_of_what_was_sold_before_it(
        app, client, seller_headers, treasurer_headers):
    """An installation upgraded with its history: the new table starts with the totals of
    the sales, lines and production already written, and downgrades cleanly."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    import kiosk

    sales_day(client, seller_headers, treasurer_headers)
    path = next((Path(kiosk.__file__).parent / "migrations" / "versions").glob(
        "r18a00000001_*.py"))
    spec = importlib.util.spec_from_file_location("daily_totals_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    before = journal.ledger_totals(db.session)
    db.session.rollback()
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            migration.downgrade()
        assert "daily_totals" not in db.inspect(connection).get_table_names()
        with Operations.context(MigrationContext.configure(connection)):
            migration.upgrade()
    kept = {(r.day, r.kind, r.location_id, r.cash_session_id, r.product_id,
             r.banner_lot_id): [r.count, r.qty, r.cents, r.donation_cents]
            for r in db.session.scalars(select(DailyTotal))}
    assert kept == before and len(kept) > 10
    assert journal.verify(db.session).ok


def test_the_reports_never_read_the_sales_themselves(app, client, seller_headers,
                                                     treasurer_headers):
    """Their cost follows the days and products, not the sales: no statement of a report
    page, the JSON, a CSV or the impact PDF reads sales, lines, payments, moves or the
    journal (bench/bench_reports.py times them up to 1,000,000 sales)."""
    from sqlalchemy import event

    a_busy_year(app, client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for path in ("/reports", "/reports/impact", "/reports/impact.pdf",
                     "/reports/events.csv"):
            assert client.get(path, query_string=YEAR).status_code == 200, path
        assert client.get("/api/v1/reports", query_string=YEAR,
                          headers=treasurer_headers).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    big = re.compile(r"\b(sales|sale_lines|payments|stock_moves|journal_entries)\b")
    # (every page's clock check reads the journal's last entries by its key: not a scan)
    clock = re.compile(r"FROM journal_entries ORDER BY journal_entries.seq DESC\s+LIMIT")
    scans = [s for s in statements if big.search(s) and not clock.search(s)]
    assert statements and not scans, scans
    assert any("daily_totals" in s for s in statements)
