"""The treasurer's and the partners' papers (issue 28): Paheko's projects as Paheko accepts
them, a month exported at each awkward moment and balanced after every export, distinct
file names, and the papers read back."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Envelope
from kiosk.services.paheko_accounts import code_from_name, project_codes

PAHEKO_CODE = re.compile(r"^[A-Z0-9_]+$")


# -- 1. project codes Paheko accepts ---------------------------------------------------------

def test_default_project_codes_are_codes_paheko_accepts(demo):
    codes = project_codes(db.session)
    assert sorted(codes.values()) == ["LOISIRS", "SOLIDARITE"]
    assert all(PAHEKO_CODE.match(code) for code in codes.values())
    for name, code in (("Solidarité", "SOLIDARITE"), ("Sorties & loisirs", "SORTIES_LOISIRS"),
                       ("  Fête de l'été 2027 ", "FETE_DE_L_ETE_2027"), ("Œuvres", "OEUVRES")):
        got = code_from_name(name)
        assert PAHEKO_CODE.match(got) and got == code, (name, got)


def test_a_setting_paheko_would_refuse_is_refused_and_changes_nothing(client, demo):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    for bad in ("Solidarité 2026", "SOLI-DARITE", "solidarite 2", "X" * 65):
        answer = client.post("/exports/projects", data={
            "csrf_token": token, "project-solidarite": bad, "project-loisirs": "SORTIES"},
            follow_redirects=True)
        page = answer.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
        assert "lettres sans accent, des chiffres et « _ »" in page, bad
        db.session.rollback()
        assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE"]
    # what is typed is upper-cased, as Paheko does
    client.post("/exports/projects", data={"csrf_token": token,
                                           "project-solidarite": " solidarite_2026 "})
    db.session.rollback()
    assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE_2026"]
    # empty: back to the default made from the name
    client.post("/exports/projects", data={"csrf_token": token, "project-solidarite": ""})
    db.session.rollback()
    assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE"]


def test_the_exports_page_tells_what_paheko_accepts(client, demo):
    from tests.conftest import web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get("/exports").get_data(as_text=True).replace("&#39;", "'")
    assert "majuscules comprises" not in page  # the instruction that could not be followed
    assert "lettres sans accent, des chiffres et « _ »" in page
    assert 'value="SOLIDARITE"' in page and 'value="LOISIRS"' in page
    assert "par défaut SOLIDARITE" in page
    assert "« Usagers » dans le plan comptable de Paheko" in page  # 411, the 2025 chart


def test_the_migration_makes_the_stored_codes_paheko_s(tmp_path):
    """Its own SQLite file: an installation of before, a code set as Paheko refused it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from kiosk import create_app, paths

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
                      "SECRET_KEY": "t"}, str(tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=str(paths.MIGRATIONS_DIR), revision="r18a00000001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO envelopes (code, name, active, project_code) VALUES "
                "('solidarite', 'Solidarité', 1, 'solidarite'), "
                "('loisirs', 'Loisirs', 1, NULL), "
                "('fete', 'Fête', 1, 'Fête de l''été 2026'), "
                "('atelier', 'Atelier', 1, 'ATELIER_2')"))
            # two invoices exported at noon: the first was paid at 10:00 (the kiosk of before
            # put its shares on its own rows), the second at 14:00 (its rows had none)
            at = {h: f"2026-11-30 {h:02d}:00:00.000000" for h in (9, 10, 12, 14)}
            for statement in (
                    "INSERT INTO users (id, name, role, pin_hash, active, failed_pins, "
                    f"created_at) VALUES (1, 'T', 'treasurer', 'x', 1, 0, '{at[9]}')",
                    "INSERT INTO partners (id, name, address, contact, created_at) VALUES "
                    f"(1, 'SNCF', '', '', '{at[9]}')",
                    "INSERT INTO orders (id, number, year, seq, partner_id, note, total_cents, "
                    f"user_id, created_at) VALUES (1, 'DEV-2026-0001', 2026, 1, 1, '', 2000, 1, "
                    f"'{at[9]}')",
                    *(f"INSERT INTO invoices (id, number, year, seq, order_id, partner_name, "
                      f"partner_address, issued_on, due_on, total_cents, user_id, created_at) "
                      f"VALUES ({n}, 'FAC-2026-000{n}', 2026, {n}, 1, 'SNCF', '', "
                      f"'2026-11-30', '2026-12-30', 1000, 1, '{at[9]}')" for n in (1, 2)),
                    *(f"INSERT INTO envelope_entries (envelope_id, amount_cents, kind, label, "
                      f"entry_date, receipt_ref, created_at) VALUES (1, 1000, 'order', 'x', "
                      f"'2026-11-30', 'FAC-2026-000{n}', '{at[h]}')" for n, h in ((1, 10),
                                                                                  (2, 14))),
                    "INSERT INTO export_records (id, format, date_from, date_to, filename, "
                    f"created_at) VALUES (1, 'paheko', '2026-11-01', '2026-11-30', 'f.csv', "
                    f"'{at[12]}')",
                    *(f"INSERT INTO export_entries (export_id, ref, piece, state, created_at) "
                      f"VALUES (1, 'facture-{n}', 'Facture FAC-2026-000{n}', 'exported', "
                      f"'{at[12]}')" for n in (1, 2))):
                connection.execute(text(statement))
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        from kiosk.models import ExportEntry

        remembered = db.session.execute(select(ExportEntry.ref, ExportEntry.export_id).where(
            ExportEntry.ref.like("repartition-%"))).all()
        assert remembered == [("repartition-facture-1", 1)]  # the second's shares are due
        stored = dict(db.session.execute(select(Envelope.code, Envelope.project_code)).all())
        assert stored == {"solidarite": "SOLIDARITE", "loisirs": None,
                          "fete": "FETE_DE_L_ETE_2026", "atelier": "ATELIER_2"}
        assert project_codes(db.session) == {1: "SOLIDARITE", 2: "LOISIRS",
                                             3: "FETE_DE_L_ETE_2026", 4: "ATELIER_2"}
        db.session.remove()
        downgrade(directory=str(paths.MIGRATIONS_DIR), revision="r18a00000001")
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        db.engine.dispose()


# -- 3, 4, 5. a month exported at each awkward moment ----------------------------------------

METHOD_ACCOUNT = {"cash": "530", "cheque": "5112", "card": "5115", "transfer": "512"}


def kiosk_books(client, headers, hour_cents: int) -> tuple[dict[str, int], dict[str, int]]:
    """What the kiosk's own records say the books hold, account by account (debit −
    credit), and its envelopes' balances as Paheko's projects: the closed drawers (their
    sales and gifts by the payments received, the cash difference as the Z corrects it
    for sales that came after the closing), the consignment statements, the spending, the
    partners' invoices, credit notes and payments, the volunteers' hours."""
    from kiosk.models import (
        CashSessionClosure,
        ConsignmentStatement,
        CreditNote,
        EnvelopeEntry,
        EnvelopeSpendAccount,
        Invoice,
        OrderPayment,
        Payment,
        Sale,
        Shift,
    )
    from kiosk.services.closing import late_sales
    from kiosk.services.report_figures import hours_tenths
    from tests.test_paheko import as_projects

    db.session.rollback()
    books: dict[str, int] = {}

    def book(debit: str, credit: str, cents: int) -> None:
        books[debit] = books.get(debit, 0) + cents
        books[credit] = books.get(credit, 0) - cents

    closed = {c.cash_session_id: c for c in db.session.scalars(select(CashSessionClosure))}
    for sale in db.session.scalars(select(Sale).where(Sale.cash_session_id.in_(list(closed)))):
        book("0", "701", sale.total_cents)
        book("0", "7541", sale.donation_cents)
    for method, cents in db.session.execute(
            select(Payment.method, Payment.amount_cents).join(Sale)
            .where(Sale.cash_session_id.in_(list(closed)))):
        book(METHOD_ACCOUNT[method], "0", cents)
    for drawer_id, closure in closed.items():
        difference = closure.difference_cents - late_sales(db.session, drawer_id).cash_cents
        if difference > 0:
            book("530", "758", difference)
        elif difference < 0:
            book("658", "530", -difference)
        minutes = sum(int((s.ended_at - s.started_at).total_seconds() // 60)
                      for s in db.session.scalars(select(Shift).where(
                          Shift.cash_session_id == drawer_id, Shift.ended_at.is_not(None))))
        if hours_tenths(minutes) * hour_cents // 10:  # the reports' hours, valued
            book("864", "875", hours_tenths(minutes) * hour_cents // 10)
    for statement in db.session.scalars(select(ConsignmentStatement)):
        book("512", "701", statement.paid_cents)
        book("6222", "701", statement.commission_cents)
    for entry, how in db.session.execute(
            select(EnvelopeEntry, EnvelopeSpendAccount).join(EnvelopeSpendAccount)
            .where(EnvelopeEntry.kind == "spend")):
        book(how.charge_account, "530" if how.paid_from == "cash" else "512",
             -entry.amount_cents)
    for invoice in db.session.scalars(select(Invoice)):
        book("411", "701", invoice.total_cents)
    for note in db.session.scalars(select(CreditNote)):
        book("701", "411", note.amount_cents)
    for payment in db.session.scalars(select(OrderPayment)):
        book(METHOD_ACCOUNT[payment.method], "411", payment.amount_cents)
    books.pop("0", None)
    envelopes = {e["code"]: e["balance_cents"]
                 for e in client.get("/api/v1/envelopes", headers=headers).get_json()}
    return ({k: v for k, v in books.items() if v},
            {k: v for k, v in as_projects(envelopes).items() if v})


def test_a_month_exported_at_each_awkward_moment_balances_after_every_export(
        app, client, runner, seller_headers, treasurer_headers, tmp_path):
    from datetime import UTC, datetime, time, timedelta

    from sqlalchemy import update

    from kiosk.models import CreditNote, Invoice, Shift, User
    from kiosk.vocabulary import PARIS
    from tests.closing_helpers import open_session, sales_day, sell
    from tests.test_late_sales import waiting_sale
    from tests.test_orders import TOTAL, delivered_and_invoiced
    from tests.test_paheko import PROJECTS, balances, export, paheko_import, today

    h = treasurer_headers
    hour = 1200
    app.config["PAHEKO_VOLUNTEER_HOUR_CENTS"] = hour
    files: list = []
    imported: list[dict] = []  # every row Paheko was given, all files together

    def export_and_check(name: str, date_from, date_to) -> list[dict]:
        result = export(runner, tmp_path / name, date_from, date_to)
        assert result.exit_code == 0, result.output
        [path] = (tmp_path / name).iterdir()
        files.append(path.name)
        booked = paheko_import(path, set(PROJECTS.values()))
        imported.extend(booked)
        accounts, projects = balances(imported)
        expected, envelopes = kiosk_books(client, h, hour)
        assert {k: v for k, v in accounts.items() if v} == expected, name
        assert {k: v for k, v in projects.items() if v} == envelopes, name
        return booked

    # November: a partner's order invoiced, a part of it credited (paid in December)
    order_id, invoice = delivered_and_invoiced(client, h)
    credited = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h,
                           json={"reason": "Une pochette abîmée", "amount_cents": 749})
    assert credited.status_code == 201, credited.get_json()
    last_month_end = today().replace(day=1) - timedelta(days=1)
    noon = datetime.combine(last_month_end, time(12), PARIS).astimezone(UTC)
    db.session.execute(update(Invoice).values(created_at=noon, issued_on=last_month_end))
    db.session.execute(update(CreditNote).values(created_at=noon))
    db.session.commit()
    november = export_and_check("november", last_month_end.replace(day=1), last_month_end)
    assert {r["piece"].split()[0] for r in november} == {"Facture", "Avoir"}
    assert {r["project"] for r in november} == {""}  # not paid: no envelope has it yet

    # December: two stall days, gifts of both kinds, a void and a refund, a consignment
    # statement with its commission, a spending and a transfer
    first = sales_day(client, seller_headers, h)
    for lines, payments, gift in (
            ([{"sku": "TAB-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": 2000}], 600),
            ([], [{"method": "cash", "amount_cents": 500}], 500)):
        sold = client.post("/api/v1/sales", headers=seller_headers, json={
            "client_id": str(uuid.uuid4()), "cash_session_id": first, "lines": lines,
            "payments": payments, "donation_cents": gift})
        assert sold.status_code == 201, sold.get_json()
    # two sales the tablet made before the closing and could not send yet
    card_late = waiting_sale(first, datetime.now(UTC), [{"sku": "ETIQ-TGV", "qty": 1}],
                             [{"method": "card", "amount_cents": 400}])
    cash_late = waiting_sale(first, datetime.now(UTC), [{"sku": "SAC-IKEA", "qty": 1}],
                             [{"method": "cash", "amount_cents": 1500}])
    statement = client.post("/api/v1/consignment-statements", headers=h, json={
        "location": "musee", "period": "novembre 2026",
        "lines": [{"sku": "SAC-VILLE", "qty": 2, "unit_price_cents": 2500}],
        "commission_cents": 695, "paid_cents": 4305})
    assert statement.status_code == 201, statement.get_json()
    assert client.post("/api/v1/envelopes/loisirs/spend", headers=h, json={
        "amount_cents": 1234, "label": "Goûter des bénévoles", "charge_account": "6257",
        "paid_from": "bank", "entry_date": today().isoformat()}).status_code == 201
    assert client.post("/api/v1/envelopes/transfer", headers=h, json={
        "from": "solidarite", "to": "loisirs", "amount_cents": 500,
        "label": "Décidé en réunion", "entry_date": today().isoformat()}).status_code == 201
    # the first drawer's count holds the late cash sale's 15 €, and is 1 € short:
    # 30 float + 36 + 20 (apron, 6 kept) + 5 (gift alone) + 15 − 1 = 105 €
    closed = client.post(f"/api/v1/cash-sessions/{first}/close", headers=h, json={
        "counted": {"5000": 2, "500": 1}, "cheques": [{"amount_cents": 750}],
        "card_total_cents": 800})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["difference_cents"] == 1400
    assert client.post("/api/v1/sales", headers=seller_headers,
                       json=card_late).status_code == 201  # arrives before the export
    second = open_session(client, seller_headers, name="Vente IKEA samedi")
    assert sell(client, seller_headers, second, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 1800}]).status_code == 201

    start = today().replace(day=1)
    december = export_and_check("december", start, today())
    pieces = {r["piece"] for r in december}
    assert f"Caisse {first}" in pieces and f"Caisse {second}" not in pieces  # still open
    assert f"Caisse {first}" not in {r["piece"] for r in november}

    # the cash sale arrives after the month's export: the next plain export carries it
    late = client.post("/api/v1/sales", headers=seller_headers, json=cash_late)
    assert late.status_code == 201, late.get_json()
    carried = export_and_check("late-sale", start, today())
    assert {r["piece"] for r in carried} == {
        f"Caisse {first} vente {late.get_json()['number']}"}
    assert balances(carried)[0].get("758") == 1400  # the surplus was the late sale's cash

    # the November invoice is paid in December: its shares reach the projects now
    paid = client.post(f"/api/v1/orders/{order_id}/payments", headers=h,
                       json={"method": "transfer", "amount_cents": TOTAL - 749})
    assert paid.status_code == 201, paid.get_json()
    shares = export_and_check("paid", start, today())
    assert {r["piece"].split()[0] for r in shares} == {"Paiement", "Répartition"}
    assert {r["project"] for r in shares} == {"", "SOLIDARITE", "LOISIRS"}

    # the second drawer closes, with three hours of a volunteer's time
    seller = db.session.scalar(select(User.id).where(User.name == "Vendeuse"))
    db.session.add(Shift(cash_session_id=second, user_id=seller,
                         started_at=datetime.now(UTC) - timedelta(hours=3)))
    db.session.commit()
    assert client.post(f"/api/v1/cash-sessions/{second}/close", headers=h, json={
        "counted": {"2000": 2, "500": 1, "200": 1, "100": 1}, "cheques": [],
        "card_total_cents": 0}).status_code == 200
    last = export_and_check("second-drawer", start, today())
    assert {r["piece"] for r in last} == {f"Caisse {second}", f"Bénévolat {second}"}
    assert [(r["debit"], r["credit"], r["cents"]) for r in last
            if r["piece"].startswith("Bénévolat")] == [("864", "875", 3600)]

    # nothing new: refused, nothing written; every file had a name of its own
    again = export(runner, tmp_path / "again", start, today())
    assert again.exit_code == 2 and "deux fois" in again.output
    assert not (tmp_path / "again").exists()
    assert len(set(files)) == len(files) == 5, files  # (issue 28, point 5)


def test_two_exports_of_a_period_get_names_of_their_own(client, seller_headers,
                                                         treasurer_headers):
    """Through the page, as the treasurer downloads them: the second does not overwrite
    the first (Paheko, the spreadsheet, the CSV zip)."""
    from tests.closing_helpers import open_session, sell
    from tests.conftest import csrf_token, web_login
    from tests.test_paheko import close, today

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    names: dict[str, list[str]] = {"paheko": [], "xlsx": [], "csv": []}
    for _day in range(2):
        drawer = open_session(client, seller_headers)
        assert sell(client, seller_headers, drawer, [{"sku": "ETIQ-TGV", "qty": 1}],
                    [{"method": "card", "amount_cents": 400}]).status_code == 201
        close(client, treasurer_headers, drawer, counted={"1000": 2, "200": 5}, cheques=[],
              card=400)
        for fmt in names:
            answer = client.post("/exports", data={
                "csrf_token": token, "date_from": today().replace(day=1).isoformat(),
                "date_to": today().isoformat(), "format": fmt})
            assert answer.status_code == 200, answer.get_data(as_text=True)
            names[fmt].append(answer.headers["Content-Disposition"].split("filename=")[1])
    month = f"{today().replace(day=1).isoformat()}_au_{today().isoformat()}"
    assert names["paheko"] == [f"paheko-journal_{month}.csv",
                               f"paheko-journal_{month}_export2.csv"]
    assert names["xlsx"] == [f"export-caisse_{month}.xlsx",
                             f"export-caisse_{month}_export2.xlsx"]
    assert names["csv"] == [f"export-caisse_{month}.zip", f"export-caisse_{month}_export2.zip"]


# -- 7. the Z's by-method lines: sales and gifts apart ---------------------------------------

def test_the_z_says_sales_and_gifts_apart_by_method(client, seller_headers, treasurer_headers):
    from kiosk.documents import closing as closing_documents
    from tests.test_gifts import CASH_COUNTED, gift_day
    from tests.test_paheko import close

    session_id = gift_day(client, seller_headers)
    close(client, treasurer_headers, session_id, counted=CASH_COUNTED, cheques=[], card=500)
    db.session.rollback()

    def section(report, title: str) -> dict[str, str]:
        [found] = [s for s in report.sections if s.title == title]
        return {label: value.replace("\u202f", " ").replace("\xa0", " ")
                for label, value in found.rows}

    z = section(closing_documents.z_report(db.session, session_id), "Par moyen de paiement")
    # 20 € for a 14 € apron (6 kept), 5 € given alone, 5 € by card for a 4 € tag (1 given),
    # a 2 € gift voided: 18 € of sales and 12 € of gifts, never added together
    assert z == {"Espèces : ventes": "14,00 €", "Espèces : dons": "11,00 €",
                 "Chèque : ventes": "0,00 €", "Carte bancaire : ventes": "4,00 €",
                 "Carte bancaire : dons": "1,00 €", "Encaissé, ventes et dons": "30,00 €"}, z
    slip = section(closing_documents.slip(db.session, session_id), "Remise")
    assert slip["Dons reçus, tous moyens (à part des ventes)"] == "12,00 €"
    assert (slip["dont espèces"], slip["dont carte bancaire"]) == ("11,00 €", "1,00 €")


# -- 8. the reports' takings by channel, as the books have them ------------------------------

def test_the_reports_take_the_orders_in_as_the_books_do(client, runner, seller_headers,
                                                        treasurer_headers, tmp_path):
    from kiosk.services import report_figures
    from tests.closing_helpers import sell
    from tests.test_orders import TOTAL, delivered_and_invoiced
    from tests.test_paheko import (
        PROJECTS,
        SURPLUS_HALF_EURO,
        a_month,
        balances,
        close,
        export,
        paheko_import,
        today,
    )

    h = treasurer_headers
    drawers = a_month(client, seller_headers, h)
    gift = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": drawers["second"], "lines": [],
        "payments": [{"method": "cash", "amount_cents": 500}], "donation_cents": 500})
    assert gift.status_code == 201, gift.get_json()
    assert sell(client, seller_headers, drawers["second"], [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).status_code == 201
    close(client, h, drawers["second"], counted={**SURPLUS_HALF_EURO, "500": 2, "200": 3},
          cheques=[], card=400)
    _order, invoice = delivered_and_invoiced(client, h)
    assert client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h, json={
        "reason": "Une étiquette en moins", "amount_cents": 333}).status_code == 201
    assert export(runner, tmp_path / "books", today().replace(day=1), today()).exit_code == 0
    [path] = (tmp_path / "books").iterdir()
    accounts, _projects = balances(paheko_import(path, set(PROJECTS.values())))

    db.session.rollback()
    report = report_figures.build(db.session, today().replace(day=1), today())
    channels = {r.key: r.cents for r in report.by_channel}
    assert channels == {"stall": 4750 + 2200 + 400, "consignment": 6950,
                        "orders": TOTAL - 333}
    assert report.takings_cents == -accounts["701"] == sum(channels.values())
    assert report.donations_cents == -accounts["7541"] == 500
    assert report.impact.raised_cents == -(accounts["701"] + accounts["7541"])
    assert report.as_json()["impact"]["raised_cents"] == report.impact.raised_cents

    from tests.conftest import web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get(f"/reports?from={today().replace(day=1)}&to={today()}")
    text = page.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert page.status_code == 200 and 'data-table="channels"' in text
    assert "Commandes des partenaires (factures, avoirs déduits)" in text
    euros = f"{report.takings_cents // 100:,}".replace(",", " ")
    assert f'data-figure="takings_cents">{euros},{report.takings_cents % 100:02d} €' in text


# -- 9. the volunteers' hours rounded one way everywhere --------------------------------------

def test_hours_are_rounded_one_way_everywhere(app, client, runner, seller_headers,
                                              treasurer_headers, tmp_path):
    from datetime import timedelta

    from kiosk.database import utcnow
    from kiosk.models import Shift, User
    from kiosk.services import report_figures
    from tests.closing_helpers import open_session
    from tests.test_paheko import PROJECTS, close, export, paheko_import, today

    app.config["PAHEKO_VOLUNTEER_HOUR_CENTS"] = 1000
    seller = db.session.scalar(select(User.id).where(User.name == "Vendeuse"))
    drawers = []
    for minutes in (12 * 60 + 27, 12 * 60 + 57):  # 12,45 h and 12,95 h: 25,4 h together
        drawer = open_session(client, seller_headers)
        close(client, treasurer_headers, drawer, counted={"1000": 2, "200": 5}, cheques=[],
              card=0)
        start = utcnow() - timedelta(hours=14)
        db.session.add(Shift(cash_session_id=drawer, user_id=seller, started_at=start,
                             ended_at=start + timedelta(minutes=minutes)))
        db.session.commit()
        drawers.append(drawer)
    report = report_figures.build(db.session, today().replace(day=1), today())
    by_event = sorted(h.hours for h in report.impact.hours_by_event)
    assert by_event == [12.5, 13.0]
    assert [h.hours for h in report.impact.hours_by_month] == [25.5]  # not 25,4
    assert report.impact.volunteer_hours == 25.5
    assert report.as_json()["impact"]["volunteer_hours"] == 25.5
    result = export(runner, tmp_path / "books", today().replace(day=1), today())
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "books").iterdir()
    hours = sorted((r["cents"], r["piece"]) for r in paheko_import(path, set(PROJECTS.values()))
                   if r["debit"] == "864")
    assert [cents for cents, _piece in hours] == [12500, 13000]  # 12,5 h and 13 h at 10 €
    with path.open(encoding="utf-8") as handle:
        text = handle.read()
    assert "Bénévolat : 12,5 h" in text and "Bénévolat : 13,0 h" in text


# -- 6. the spreadsheet and the CSV: orders, invoices, payments, hours, the gifts' kinds -------

def test_the_spreadsheet_holds_the_orders_the_hours_and_the_gifts_kinds(
        client, runner, seller_headers, treasurer_headers, tmp_path):
    import csv
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from openpyxl import load_workbook

    from kiosk.database import utcnow
    from kiosk.models import Shift, User
    from tests.test_gifts import CASH_COUNTED, gift_day
    from tests.test_orders import TOTAL, delivered_and_invoiced
    from tests.test_paheko import close, today

    h = treasurer_headers
    drawer = gift_day(client, seller_headers)
    close(client, h, drawer, counted=CASH_COUNTED, cheques=[], card=500)
    seller = db.session.scalar(select(User.id).where(User.name == "Vendeuse"))
    start = utcnow() - timedelta(hours=4)
    db.session.add(Shift(cash_session_id=drawer, user_id=seller, started_at=start,
                         ended_at=start + timedelta(minutes=151)))  # 2 h 31: 2,5 h
    db.session.commit()
    order_id, invoice = delivered_and_invoiced(client, h)
    assert client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h, json={
        "reason": "Une étiquette en moins", "amount_cents": 333}).status_code == 201
    assert client.post(f"/api/v1/orders/{order_id}/payments", headers=h, json={
        "method": "transfer", "amount_cents": TOTAL - 333,
        "reference": "VIR SNCF 0042"}).status_code == 201
    for fmt in ("xlsx", "csv"):
        result = runner.invoke(args=["export", "--from", today().isoformat(), "--to",
                                     today().isoformat(), "--format", fmt, str(tmp_path / fmt)])
        assert result.exit_code == 0, result.output
    [book_path] = (tmp_path / "xlsx").iterdir()
    book = load_workbook(book_path)

    def sheet(name: str) -> list[dict]:
        """The rows, each amount in cents (the sheet holds euros, typed as numbers)."""
        rows = list(book[name].iter_rows(values_only=True))
        return [{k: round(Decimal(str(v)) * 100) if k.endswith("_euros") else v
                 for k, v in zip(rows[0], row, strict=True)} for row in rows[1:]]

    assert {"commandes", "factures", "avoirs", "paiements-commandes", "heures-benevoles",
            "dons", "ventes-lignes", "paiements", "enveloppes"} <= set(book.sheetnames)
    [order] = sheet("commandes")
    assert order["numero"].startswith("DEV-") and order["partenaire"] == "SNCF Voyageurs"
    assert order["total_euros"] == 4749 and isinstance(order["date"], datetime)
    [bill] = sheet("factures")
    assert bill["numero"] == invoice["number"] and bill["total_euros"] == 4749
    assert isinstance(bill["emise_le"], datetime) and isinstance(bill["echeance"], datetime)
    [note] = sheet("avoirs")
    assert note["facture"] == invoice["number"] and note["montant_euros"] == 333
    [paid] = sheet("paiements-commandes")
    assert (paid["moyen"], paid["reference"], paid["montant_euros"]) == (
        "virement", "VIR SNCF 0042", 4416)
    assert isinstance(paid["date"], (datetime, date))
    [hours] = sheet("heures-benevoles")
    assert (hours["caisse"], hours["personnes"], hours["minutes"], hours["heures"]) == (
        drawer, 1, 151, 2.5)
    kinds = sorted((g["don_euros"], g["genre"]) for g in sheet("dons"))
    assert kinds == [(-200, "don sans achat"), (100, "gardez la monnaie "
                     "(don en plus d'un achat)"), (200, "don sans achat"),
                     (500, "don sans achat"),
                     (600, "gardez la monnaie (don en plus d'un achat)")]
    # the CSV files are the same tables
    names = {p.name.split("_")[0] for p in (tmp_path / "csv").iterdir()}
    assert names == set(book.sheetnames)
    [invoices_csv] = (tmp_path / "csv").glob("factures_*.csv")
    with invoices_csv.open(encoding="utf-8-sig", newline="") as handle:
        assert [row["total_centimes"] for row in csv.DictReader(handle)] == [str(TOTAL)]


# -- 10. the invoice to a business carries what the Code de commerce asks ---------------------

def test_the_invoice_to_a_business_carries_what_it_must(client, treasurer_headers):
    from kiosk.models import Invoice
    from tests.test_orders import ORDER, SNCF, journal_ok, pdf_text, take_order

    h = treasurer_headers
    order = take_order(client, h, {**ORDER, "lines": [
        *ORDER["lines"], {"description": "Trousses de toilette", "qty": 10,
                          "unit_price_cents": 1200}]})
    delivered = client.post(f"/api/v1/orders/{order['id']}/deliveries", headers=h, json={
        "lines": [{"sku": "POCH-TGV", "qty": 5}, {"sku": "ETIQ-TGV", "qty": 3}]})
    assert delivered.status_code == 201, delivered.get_json()
    slip = delivered.get_json()["number"]
    for bad in ("X" * 65, "PO\n12", 12):
        refused = client.post(f"/api/v1/orders/{order['id']}/invoice", headers=h,
                              json={"purchase_order": bad})
        assert refused.status_code == 400, (bad, refused.get_json())
        assert refused.get_json()["error"] == "purchase_order"
        db.session.rollback()
        assert db.session.scalar(select(Invoice.id)) is None  # nothing written
    answer = client.post(f"/api/v1/orders/{order['id']}/invoice", headers=h,
                         json={"purchase_order": "SNCF-BC-2026-4471"})
    assert answer.status_code == 201, answer.get_json()
    paper = pdf_text(client.get(f"/api/v1/orders/{order['id']}/invoice.pdf", headers=h).data)
    for needed in ("Votre bon de commande n° SNCF-BC-2026-4471", f"Livraison : {slip} du",
                   "Échéance :", "TVA non applicable, art. 293 B du CGI",
                   "Pénalités de retard : taux de la Banque centrale européenne",
                   "majoré de 10 points", "Indemnité forfaitaire pour frais de recouvrement",
                   "40 €", "Trousses de toilette (sans bon de livraison)",
                   "Facturé sans bon de livraison", "Trousses de toilette x 10",
                   SNCF["name"]):
        assert needed in paper, needed
    assert "Pochette TGV Rhin-Rhône (sans bon de livraison)" not in paper
    assert journal_ok(client, h)["ok"]  # the number is journaled with the invoice


def test_an_invoice_without_a_purchase_order_says_none_and_the_page_takes_one(client, demo,
                                                                            treasurer_headers):
    from tests.conftest import csrf_token, web_login
    from tests.test_orders import ORDER, pdf_text, take_order

    h = treasurer_headers
    order = take_order(client, h, {**ORDER, "lines": [
        {"description": "Marquage du logo", "qty": 10, "unit_price_cents": 150}]})
    web_login(client, "Tresoriere", "2345")
    page = client.get(f"/orders/{order['id']}").get_data(as_text=True)
    assert 'name="purchase_order"' in page
    token = csrf_token(client, f"/orders/{order['id']}")
    answer = client.post(f"/orders/{order['id']}/invoice", data={
        "csrf_token": token, "purchase_order": "BC 88"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    paper = pdf_text(client.get(f"/api/v1/orders/{order['id']}/invoice.pdf", headers=h).data)
    assert "Votre bon de commande n° BC 88" in paper
    assert "Livraison : aucune à la date de la facture" in paper
    assert "Indemnité forfaitaire pour frais de recouvrement" in paper


# -- 11. the impact PDF says whose report it is ----------------------------------------------

def test_the_impact_pdf_says_whose_report_it_is_and_when(client, seller_headers,
                                                         treasurer_headers):
    from kiosk.documents.receipts import setting
    from tests.closing_helpers import open_session, sell
    from tests.conftest import web_login
    from tests.test_orders import pdf_text
    from tests.test_paheko import close, today

    drawer = open_session(client, seller_headers)
    assert sell(client, seller_headers, drawer, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).status_code == 201
    close(client, treasurer_headers, drawer, counted={"1000": 2, "200": 5}, cheques=[],
          card=400)
    db.session.rollback()
    name = setting(db.session, "receipt_name")
    address = setting(db.session, "receipt_address")
    assert name and address
    web_login(client, "Tresoriere", "2345")
    period = {"from": today().replace(day=1).isoformat(), "to": today().isoformat()}
    answer = client.get("/reports/impact.pdf", query_string=period)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    assert name in text
    assert address.splitlines()[0].strip() in text
    assert f"Rapport établi le {today():%d/%m/%Y}" in text
    assert "1 jour de vente" in text and "1 jours" not in text
    assert "1 bénévoles" not in text
    page = client.get("/reports/impact", query_string=period).get_data(as_text=True)
    assert name in page.replace("&#39;", "'") and "jours de vente" not in page


def test_the_exports_page_proposes_the_month_a_late_sale_waits_in(
        client, runner, seller_headers, treasurer_headers, tmp_path):
    from datetime import UTC, datetime

    from tests.closing_helpers import open_session
    from tests.conftest import web_login
    from tests.test_late_sales import waiting_sale
    from tests.test_paheko import close, export, today

    drawer = open_session(client, seller_headers)
    late = waiting_sale(drawer, datetime.now(UTC), [{"sku": "ETIQ-TGV", "qty": 1}],
                        [{"method": "card", "amount_cents": 400}])
    close(client, treasurer_headers, drawer, counted={"1000": 2, "200": 5}, cheques=[],
          card=400)
    assert export(runner, tmp_path / "one", today(), today()).exit_code == 0
    web_login(client, "Tresoriere", "2345")
    assert client.post("/api/v1/sales", headers=seller_headers, json=late).status_code == 201
    page = client.get("/exports").get_data(as_text=True)
    start = today().replace(day=1).isoformat()
    assert f'id="date_from" name="date_from" value="{start}"' in page  # not last month
    assert export(runner, tmp_path / "two", today(), today()).exit_code == 0
    page = client.get("/exports").get_data(as_text=True)
    assert f'id="date_from" name="date_from" value="{start}"' not in page
