"""The treasurer's books in Paheko (issue 16): a month of the kiosk exported, read back as
Paheko's simplified import reads it, balances account by account and project by project
to the cent; nothing lost when a drawer is still open; nothing written when empty."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.models import CashSessionClosure, ConsignmentStatement, ExportRecord, Sale
from kiosk.services.closing import session_totals
from kiosk.vocabulary import PARIS
from tests.closing_helpers import close_body, open_session, sales_day, sell


def records() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ExportRecord))


def test_an_empty_period_writes_nothing_and_remembers_nothing(runner, demo, tmp_path):
    for fmt in ("paheko", "csv"):
        out = tmp_path / fmt
        result = runner.invoke(args=["export", "--from", "2026-02-01", "--to", "2026-02-28",
                                     "--format", fmt, str(out)])
        assert result.exit_code == 0, result.output
        assert "Rien à exporter" in result.output
        assert not out.exists()
    assert records() == 0


def test_the_page_says_there_is_nothing_to_export(client, demo):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    answer = client.post("/exports", data={"csrf_token": token, "date_from": "2026-02-01",
                                           "date_to": "2026-02-28", "format": "paheko"},
                         follow_redirects=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "Rien à exporter" in answer.get_data(as_text=True)
    assert records() == 0


def test_the_page_names_the_accounts_as_paheko_s_chart_does(client, demo):
    from tests.conftest import web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get("/exports").get_data(as_text=True).replace("&#39;", "'")
    for ours, chart in (("Charges diverses (manque en caisse)", "Pénalités et autres charges"),
                        ("Produits divers (excédent de caisse)",
                         "Indemnités et autres produits")):
        assert ours in page and f"« {chart} » dans le plan comptable de Paheko" in page


# -- a month of the kiosk, read back as Paheko's simplified import reads it ----------------



REQUIRED = ["Libellé", "Date", "Compte de débit", "Compte de crédit", "Montant"]
# The accounts of Paheko's PCA 2025 chart the export may use (and the spending's 6257);
# 7541 Dons manuels: the gifts (issue 17); 411 Usagers: a partner's invoices (issue 19);
# 864 Personnel bénévole and 875 Bénévolat: the volunteers' hours (issue 28).
CHART = {"530", "5112", "5115", "512", "701", "7541", "658", "758", "6222", "6068", "6257",
         "4718", "411", "864", "875"}
# Each envelope's project in Paheko by default: made from its name, as Paheko accepts a
# project code (capitals, digits, "_").
PROJECTS = {"solidarite": "SOLIDARITE", "loisirs": "LOISIRS"}
SURPLUS_HALF_EURO = {"2000": 2, "500": 1, "200": 1, "100": 1, "50": 1}  # 48,50 €


def today() -> date:
    return utcnow().astimezone(PARIS).date()


def paheko_import(path: Path, projects: set[str]) -> list[dict]:
    """What Paheko 1.3's simplified import checks, then the rows as it books them:
    amount in cents, debit and credit account, project, date."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert all(column in reader.fieldnames for column in REQUIRED)
        rows = list(reader)
    assert rows, "Le fichier ne comporte aucune ligne de données"
    booked = []
    for row in rows:
        assert row["Numéro d'écriture"] == ""  # a filled one overwrites Paheko's entry
        assert all(row[column] for column in REQUIRED), row
        assert re.fullmatch(r"(0|[1-9][0-9]*),[0-9]{2}", row["Montant"]), row
        cents = int(row["Montant"].replace(",", ""))
        assert cents > 0, row  # positive, never 0,00
        day = datetime.strptime(row["Date"], "%d/%m/%Y").date()
        assert row["Compte de débit"] in CHART and row["Compte de crédit"] in CHART, row
        assert row["Projet analytique"] in projects | {""}, row  # exact, case included
        assert row["Numéro pièce comptable"], row  # the stable reference
        booked.append({"cents": cents, "debit": row["Compte de débit"], "day": day,
                       "credit": row["Compte de crédit"], "project": row["Projet analytique"],
                       "piece": row["Numéro pièce comptable"]})
    return booked


def as_projects(envelopes: dict[str, int]) -> dict[str, int]:
    """The envelopes' balances keyed as Paheko's projects are (by default)."""
    return {PROJECTS[code]: cents for code, cents in envelopes.items()}


def balances(booked: list[dict]) -> tuple[dict[str, int], dict[str, int]]:
    """Account by account (debit − credit), and project by project as Paheko's project
    list shows it: revenue (7) minus charges (6) of the lines with that project."""
    accounts: dict[str, int] = defaultdict(int)
    projects: dict[str, int] = defaultdict(int)
    for row in booked:
        accounts[row["debit"]] += row["cents"]
        accounts[row["credit"]] -= row["cents"]
        if row["project"]:
            projects[row["project"]] += row["cents"] * (
                (row["credit"][0] in "67") - (row["debit"][0] in "67"))
    return dict(accounts), dict(projects)


def close(client, headers, session_id, **body):
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=headers,
                           json=close_body(**body))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def export(runner, out: Path, date_from: date, date_to: date, *extra: str):
    return runner.invoke(args=["export", "--from", date_from.isoformat(), "--to",
                               date_to.isoformat(), "--format", "paheko", *extra, str(out)])


def a_month(client, seller_headers, treasurer_headers) -> dict:
    """Two stall days (a void, a refund, a shortfall, then a surplus), the museum shop's
    statement, an envelope spending and a transfer. The second drawer is left open."""
    first = sales_day(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, first)  # 1 € short
    second = open_session(client, seller_headers, name="Vente IKEA samedi")
    assert sell(client, seller_headers, second, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 1800}]).status_code == 201
    assert sell(client, seller_headers, second, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).status_code == 201
    statement = client.post("/api/v1/consignment-statements", headers=treasurer_headers, json={
        "location": "musee", "period": "novembre 2026",
        "lines": [{"sku": "SAC-VILLE", "qty": 2, "unit_price_cents": 2500},
                  {"sku": "POCH-VILLE", "qty": 1, "unit_price_cents": 1950}],
        "commission_cents": 695, "paid_cents": 6255})
    assert statement.status_code == 201, statement.get_json()
    spent = client.post("/api/v1/envelopes/loisirs/spend", headers=treasurer_headers, json={
        "amount_cents": 1234, "label": "Goûter des bénévoles", "receipt_ref": "Ticket 88",
        "charge_account": "6257", "paid_from": "bank", "entry_date": today().isoformat()})
    assert spent.status_code == 201, spent.get_json()
    moved = client.post("/api/v1/envelopes/transfer", headers=treasurer_headers, json={
        "from": "solidarite", "to": "loisirs", "amount_cents": 500,
        "label": "Décidé en réunion", "entry_date": today().isoformat()})
    assert moved.status_code == 201, moved.get_json()
    return {"first": first, "second": second}


def kiosk_figures(client, treasurer_headers) -> tuple[dict[str, int], dict[str, int]]:
    """What the kiosk itself says: the Z reports (closures and their sales per method),
    the consignment statements, the envelopes' balances."""
    db.session.rollback()
    expected: dict[str, int] = defaultdict(int)
    for closure in db.session.scalars(select(CashSessionClosure)):
        totals = session_totals(db.session, closure.cash_session_id)
        expected["701"] -= closure.revenue_cents
        expected["530"] += closure.counted_cash_cents - totals.float_cents
        expected["5112"] += totals.by_method.get("cheque", 0)
        expected["5115"] += closure.card_total_cents
        if closure.difference_cents < 0:
            expected["658"] -= closure.difference_cents
        else:
            expected["758"] -= closure.difference_cents
    for statement in db.session.scalars(select(ConsignmentStatement)):
        goods = statement.paid_cents + statement.commission_cents
        expected["701"] -= goods
        expected["6222"] += statement.commission_cents
        expected["512"] += statement.paid_cents
    expected["6257"] += 1234
    expected["512"] -= 1234
    envelopes = {e["code"]: e["balance_cents"]
                 for e in client.get("/api/v1/envelopes", headers=treasurer_headers).get_json()}
    return {k: v for k, v in expected.items() if v}, envelopes


def test_a_month_balances_in_paheko_to_the_cent(client, runner, seller_headers,
                                                 treasurer_headers, tmp_path):
    drawers = a_month(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, drawers["second"], counted=SURPLUS_HALF_EURO,
          cheques=[], card=400)
    result = export(runner, tmp_path / "month", today().replace(day=1), today())
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "month").iterdir()
    booked = paheko_import(path, set(PROJECTS.values()))
    accounts, projects = balances(booked)
    expected, envelopes = kiosk_figures(client, treasurer_headers)
    assert {k: v for k, v in accounts.items() if v} == expected
    assert expected["701"] == -(4750 + 2200 + 6950)  # the goods at their price, commission
    assert expected["6222"] == 695 and expected["658"] == 100 and expected["758"] == -50
    assert projects == as_projects(envelopes)  # each envelope's ledger, to the cent
    assert sum(envelopes.values()) == 4650 + 2250 + 6255 - 1234
    pieces = {row["piece"] for row in booked}
    number = db.session.scalar(select(Sale.number).where(Sale.kind == "consignment"))
    assert {f"Caisse {drawers['first']}", f"Caisse {drawers['second']}",
            f"Relevé {number}"} <= pieces
    assert {p.split()[0] for p in pieces} == {"Caisse", "Relevé", "Dépense", "Virement"}
    assert len(pieces) == 5


def test_an_early_export_loses_nothing(client, runner, seller_headers, treasurer_headers,
                                       tmp_path):
    drawers = a_month(client, seller_headers, treasurer_headers)
    early = export(runner, tmp_path / "early", today().replace(day=1), today())
    assert early.exit_code == 0, early.output
    assert "Vente IKEA samedi" in early.output and "encore ouverte" in early.output.lower()
    [first_file] = (tmp_path / "early").iterdir()
    first = paheko_import(first_file, set(PROJECTS.values()))
    assert f"Caisse {drawers['second']}" not in {row["piece"] for row in first}

    close(client, treasurer_headers, drawers["second"], counted=SURPLUS_HALF_EURO,
          cheques=[], card=400)
    # the rest, later: a period starting after the drawer's day still brings it
    later = export(runner, tmp_path / "later", today() + timedelta(days=1),
                   today() + timedelta(days=30))
    assert later.exit_code == 0, later.output
    [second_file] = (tmp_path / "later").iterdir()
    second = paheko_import(second_file, set(PROJECTS.values()))
    assert {row["piece"] for row in second} == {f"Caisse {drawers['second']}"}
    accounts, projects = balances(first + second)
    expected, envelopes = kiosk_figures(client, treasurer_headers)
    assert {k: v for k, v in accounts.items() if v} == expected
    assert accounts["758"] == -50  # the drawer's surplus is in the second file
    assert projects == as_projects(envelopes)
    # the month again: everything is exported already, nothing is written twice
    again = export(runner, tmp_path / "again", today().replace(day=1), today())
    assert again.exit_code == 2 and "deux fois" in again.output
    assert not (tmp_path / "again").exists()


def test_projects_are_the_envelopes_codes_or_the_treasurer_s(client, runner, seller_headers,
                                                               treasurer_headers, tmp_path):
    from tests.conftest import csrf_token, web_login

    drawers = a_month(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, drawers["second"], counted=SURPLUS_HALF_EURO,
          cheques=[], card=400)
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    saved = client.post("/exports/projects", data={
        "csrf_token": token, "project-solidarite": " Solidarite_2026 "}, follow_redirects=True)
    assert "Projets enregistrés" in saved.get_data(as_text=True)
    page = client.get("/exports").get_data(as_text=True)
    assert 'value="SOLIDARITE_2026"' in page and 'value="LOISIRS"' in page
    form = {"csrf_token": token, "date_from": today().replace(day=1).isoformat(),
            "date_to": today().isoformat(), "format": "paheko"}
    answer = client.post("/exports", data=form)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    path = tmp_path / "paheko.csv"
    path.write_bytes(answer.data)
    booked = paheko_import(path, {"SOLIDARITE_2026", "LOISIRS"})
    _, projects = balances(booked)
    _, envelopes = kiosk_figures(client, treasurer_headers)
    assert projects == {"SOLIDARITE_2026": envelopes["solidarite"],
                        "LOISIRS": envelopes["loisirs"]}
    # the page lists what was exported, by the pieces to look for in Paheko
    history = client.get("/exports").get_data(as_text=True)
    assert f"Caisse {drawers['first']}" in history and "Dépense " in history
    # the spending's accounts are journaled with it: the journal is intact
    verdict = runner.invoke(args=["verify-journal"])
    assert verdict.exit_code == 0, verdict.output


def test_the_page_proposes_the_first_period_not_yet_exported(client, runner, seller_headers,
                                                             treasurer_headers, tmp_path):
    from tests.conftest import web_login

    first = sales_day(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, first)
    web_login(client, "Tresoriere", "2345")
    start = today().replace(day=1).isoformat()
    page = client.get("/exports").get_data(as_text=True)
    assert f'id="date_from" name="date_from" value="{start}"' in page
    assert f'id="date_to" name="date_to" value="{today().isoformat()}"' in page
    assert export(runner, tmp_path / "x", today(), today()).exit_code == 0
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()
    page = client.get("/exports").get_data(as_text=True)
    assert f'id="date_from" name="date_from" value="{last_month}"' in page


def test_the_spreadsheet_holds_the_csv_tables_in_euros(client, runner, seller_headers,
                                                       treasurer_headers, tmp_path):
    from decimal import Decimal

    from openpyxl import load_workbook

    drawers = a_month(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, drawers["second"], counted=SURPLUS_HALF_EURO,
          cheques=[], card=400)
    for fmt in ("csv", "xlsx"):
        result = runner.invoke(args=["export", "--from", today().isoformat(), "--to",
                                     today().isoformat(), "--format", fmt,
                                     str(tmp_path / fmt)])
        assert result.exit_code == 0, result.output
    [book_path] = (tmp_path / "xlsx").iterdir()
    assert book_path.suffix == ".xlsx"
    book = load_workbook(book_path)
    csv_files = {p.name.split("_")[0]: p for p in (tmp_path / "csv").iterdir()}
    assert set(book.sheetnames) == set(csv_files)
    for name, path in csv_files.items():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.DictReader(handle))
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, (c.value for c in r), strict=True))
                for r in sheet.iter_rows(min_row=2)]
        assert len(rows) == len(table), name
        for column in (c for c in table[0] if c.endswith("_centimes")) if table else ():
            in_csv = sum(int(r[column]) for r in table if r[column] != "")
            euros = column.replace("_centimes", "_euros")
            cells = [r[euros] for r in rows if r[euros] is not None]
            assert all(isinstance(v, (int, float, Decimal)) for v in cells)
            assert round(sum(Decimal(str(v)) for v in cells) * 100) == in_csv, (name, column)
        money_cells = [c for r in sheet.iter_rows(min_row=2) for c, h in zip(r, header,
                       strict=True) if h.endswith("_euros") and c.value is not None]
        assert all("€" in c.number_format for c in money_cells)
        for column in ("date", "ouverte_le"):
            if column in header:
                assert all(isinstance(r[column], (datetime, date)) for r in rows)


def test_the_cash_book_of_each_place_adds_up_to_the_cash_account(
        client, runner, seller_headers, treasurer_headers, tmp_path):
    import io

    import pypdfium2

    from kiosk.documents.cash_book import cash_books
    from tests.conftest import web_login

    drawers = a_month(client, seller_headers, treasurer_headers)
    close(client, treasurer_headers, drawers["second"], counted=SURPLUS_HALF_EURO,
          cheques=[], card=400)
    assert export(runner, tmp_path / "month", today(), today()).exit_code == 0
    [path] = (tmp_path / "month").iterdir()
    accounts, _ = balances(paheko_import(path, set(PROJECTS.values())))
    db.session.rollback()
    [book] = cash_books(db.session, today().year)
    assert book.location_code == "ikea"
    assert book.balance_cents == accounts["530"] == 3500 + 1850  # net cash ± differences
    assert book.lines[-1].balance_cents == book.balance_cents
    assert [line.out_cents for line in book.lines if "Manque" in line.label] == [100]
    web_login(client, "Tresoriere", "2345")
    answer = client.get(f"/exports/cash-book.pdf?year={today().year}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(io.BytesIO(answer.data))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    assert f"Livre de caisse {today().year}" in text and "53,50 €" in text
    assert "Excédent de caisse" in text and f"Caisse {drawers['second']}" in text
    assert client.get("/exports/cash-book.pdf?year=1900").status_code == 400


def test_a_drawer_is_split_by_envelope_to_the_cent_whatever_the_rounding():
    from kiosk.ledger.money import split_largest_remainder
    from kiosk.services.paheko import Item, split_by_envelope

    day = date(2026, 11, 21)
    weights = {"a": 1, "b": 1, "c": 1}
    for amounts, difference in (([3601, 751, 401], -101), ([1, 1, 1, 1], 50), ([-400, 1], 0),
                                ([9999], -9998)):
        items = [Item("Ventes", day, "", "530", "701", cents) for cents in amounts]
        items.append(Item("Écart", day, "", "530", "758", difference) if difference >= 0
                     else Item("Manque", day, "", "658", "530", -difference))
        targets = split_largest_remainder(sum(amounts) + difference, weights)
        cells = split_by_envelope(items, {k: v for k, v in targets.items() if v})
        for item, shares in zip(items, cells, strict=True):
            assert sum(shares.values()) == item.cents  # every row keeps its amount
        for code, cents in targets.items():  # every project gets its allocation
            assert sum(item.weight * shares.get(code, 0)
                       for item, shares in zip(items, cells, strict=True)) == cents


def test_a_spending_from_the_drawer_is_booked_to_the_account_chosen(client, runner, demo,
                                                                      tmp_path):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/envelopes")
    form = {"csrf_token": token, "envelope": "solidarite", "amount": "20,00",
            "label": "Colis de Noël", "entry_date": today().isoformat(), "confirm": "1",
            "charge_account": "6257", "paid_from": "cash"}
    bad = client.post("/envelopes/spend", data={**form, "charge_account": "six"})
    assert bad.status_code == 400 and "fait de chiffres" in bad.get_data(as_text=True)
    assert client.post("/envelopes/spend", data=form).status_code == 302
    assert client.post("/envelopes/spend", data={**form, "charge_account": "",
                                                 "paid_from": ""}).status_code == 302
    result = export(runner, tmp_path / "out", today(), today())
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "out").iterdir()
    booked = paheko_import(path, set(PROJECTS.values()))
    assert sorted((r["debit"], r["credit"], r["cents"], r["project"]) for r in booked) == [
        ("6068", "512", 2000, "SOLIDARITE"),  # none chosen: the settings' defaults
        ("6257", "530", 2000, "SOLIDARITE")]
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
