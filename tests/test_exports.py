"""Exports for the accounts: CSV totals equal the database's; Paheko's journal import
rules; the period remembered; backup then restore gives the same journal head."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import CashCountLine, Cheque, EnvelopeEntry, ExportRecord, Payment, Sale
from kiosk.vocabulary import PARIS
from tests.closing_helpers import close_body, open_session, sales_day, sell
from tests.conftest import BACKEND, api_login


def today() -> str:
    return utcnow().astimezone(PARIS).date().isoformat()


def read(path: Path, encoding="utf-8-sig") -> list[dict]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def closed_day(client, seller_headers, treasurer_headers) -> int:
    session_id = sales_day(client, seller_headers, treasurer_headers)
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                           headers=treasurer_headers, json=close_body())
    assert response.status_code == 200
    return session_id


def total(model_column) -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.coalesce(func.sum(model_column), 0))))


def test_csv_export_round_trip(client, runner, seller_headers, treasurer_headers, tmp_path):
    closed_day(client, seller_headers, treasurer_headers)
    out = tmp_path / "export"
    result = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "csv", str(out)])
    assert result.exit_code == 0, result.output
    files = {p.name.split("_")[0]: p for p in out.iterdir()}
    assert set(files) == {"ventes-lignes", "paiements", "caisses", "comptages-caisse",
                          "cheques", "enveloppes", "dons",
                          # issue 28: the partners' orders and the volunteers' hours
                          "commandes", "factures", "avoirs", "paiements-commandes",
                          "heures-benevoles"}

    lines = read(files["ventes-lignes"])
    assert sum(int(r["total_centimes"]) for r in lines) == total(Sale.total_cents) == 4750
    assert {r["motif"] for r in lines} >= {"Mauvais article touché", "Couture défaite"}
    assert any(r["annule_vente"] for r in lines)
    payments = read(files["paiements"])
    assert sum(int(r["montant_centimes"]) for r in payments) == total(Payment.amount_cents)
    assert sum(int(r["rendu_centimes"]) for r in payments) == total(Payment.change_cents)
    counts = read(files["comptages-caisse"])
    assert sum(int(r["total_centimes"]) for r in counts) == total(
        CashCountLine.denomination_cents * CashCountLine.count) == 3000 + 6500
    cheques = read(files["cheques"])
    assert [(r["montant_centimes"], r["tireur"]) for r in cheques] == [("750", "Mme Dupré")]
    assert sum(int(r["montant_centimes"]) for r in cheques) == total(Cheque.amount_cents)
    envelopes = read(files["enveloppes"])
    assert sum(int(r["montant_centimes"]) for r in envelopes) == total(
        EnvelopeEntry.amount_cents) == 4650
    [drawer] = read(files["caisses"])
    assert (drawer["ecart_centimes"], drawer["ventes_nettes_centimes"]) == ("-100", "4750")
    assert db.session.scalar(select(func.count()).select_from(ExportRecord)) == 1


def test_paheko_journal_follows_its_import_rules(client, runner, seller_headers,
                                                  treasurer_headers, tmp_path):
    session_id = closed_day(client, seller_headers, treasurer_headers)
    out = tmp_path / "paheko"
    result = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "paheko", str(out)])
    assert result.exit_code == 0, result.output
    [path] = list(out.iterdir())
    assert path.name == f"paheko-journal_{today()}_au_{today()}.csv"
    raw = path.read_bytes()
    raw.decode("utf-8")  # UTF-8, never Windows-1252
    rows = read(path, "utf-8")
    assert list(rows[0]) == ["Numéro d'écriture", "Libellé", "Date", "Remarques",
                             "Numéro pièce comptable", "Référence paiement",
                             "Compte de débit", "Compte de crédit", "Montant",
                             "Projet analytique"]
    for row in rows:
        assert row["Numéro d'écriture"] == ""  # a filled one would overwrite an entry
        assert re.fullmatch(r"[1-9][0-9]*,[0-9]{2}|0,[0-9]{2}", row["Montant"])
        assert row["Montant"] != "0,00"
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", row["Date"])
        assert row["Libellé"] and row["Compte de débit"] and row["Compte de crédit"]
        assert row["Numéro pièce comptable"] == f"Caisse {session_id}"

    def net(account: str) -> int:
        cents = 0
        for row in rows:
            amount = int(row["Montant"].replace(",", ""))
            cents += amount if row["Compte de débit"] == account else 0
            cents -= amount if row["Compte de crédit"] == account else 0
        return cents

    assert net("701") == -4750  # the revenue, credited
    assert net("530") == 3600 - 100  # net cash in, less the 1 € shortfall
    assert net("5112") == 750 and net("5115") == 400
    assert net("658") == 100  # the shortfall is a charge
    shortfall = [r for r in rows if r["Compte de débit"] == "658"]
    assert shortfall and shortfall[0]["Compte de crédit"] == "530"

    again = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                "paheko", str(tmp_path / "twice")])
    assert again.exit_code == 2 and "deux fois" in again.output
    assert not (tmp_path / "twice").exists()
    forced = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "paheko", "--again", str(tmp_path / "twice")])
    assert forced.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(ExportRecord)) == 2


def test_refunds_alone_swap_the_accounts(client, runner, seller_headers, treasurer_headers,
                                         tmp_path):
    from tests.closing_helpers import open_session

    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "card", "amount_cents": 400}]).get_json()
    client.post(f"/api/v1/sales/{sale['id']}/refund", headers=treasurer_headers,
                json={"reason": "cassée"})
    sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
         [{"method": "cash", "amount_cents": 400}])
    from kiosk.services.paheko import paheko_rows

    day = utcnow().astimezone(PARIS).date()
    rows = paheko_rows(db.session, day, day)
    # card: +4 −4 = 0, nothing written; cash: +4 → 530 debit
    assert [(r[6], r[7], r[8]) for r in rows] == [("530", "701", "4,00")]


def test_bad_export_requests(runner, demo, tmp_path):
    for args in (["--from", "2026-05-02", "--to", "2026-05-01", "--format", "csv"],
                 ["--from", "2026-13-01", "--to", "2026-05-01", "--format", "csv"],
                 ["--from", "2026-05-01", "--to", "2026-05-01", "--format", "xls"]):
        result = runner.invoke(args=["export", *args, str(tmp_path / "x")])
        assert result.exit_code == 2, result.output
    assert db.session.scalar(select(func.count()).select_from(ExportRecord)) == 0


def test_backup_then_restore_gives_the_same_head(client, runner, seller_headers,
                                                 treasurer_headers, tmp_path):
    closed_day(client, seller_headers, treasurer_headers)
    db.session.rollback()
    head_at_backup = journal.head(db.session)
    copy = tmp_path / "copie.backup"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    from tests.closing_helpers import open_session

    later = open_session(client, seller_headers, name="Après la copie")  # the journal moves on
    given = [sell(client, seller_headers, later, [{"sku": "ETIQ-TGV", "qty": 1}],
                  [{"method": "card", "amount_cents": 400}]).get_json()["number"]
             for _ in range(2)]
    db.session.rollback()
    assert journal.head(db.session) != head_at_backup
    db.session.remove()

    refused = runner.invoke(args=["restore", str(copy)])
    assert refused.exit_code == 1  # CONTRACT.md: 1 when refused
    # an older copy over a newer database: said, with the numbers that will come again,
    # and refused even with --yes unless --force says it is meant
    older = runner.invoke(args=["restore", "--yes", str(copy)])
    assert older.exit_code == 1, older.output
    assert "plus ancienne" in older.output and "--force" in older.output
    assert f"tickets n° {given[0]} à {given[1]} (2)" in older.output
    assert "seront donnés à nouveau" in older.output
    db.session.remove()
    assert journal.head(db.session) != head_at_backup  # nothing was restored
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", "--force", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"reprendront au ticket n° {given[0]}" in result.output
    db.session.remove()
    verdict = runner.invoke(args=["verify-journal"])
    assert verdict.exit_code == 0, verdict.output
    assert head_at_backup[1] in verdict.output
    assert journal.head(db.session) == head_at_backup
    # the same copy again is not older: --yes is enough, and no number is given twice
    db.session.remove()
    again = runner.invoke(args=["restore", "--yes", str(copy)])
    assert again.exit_code == 0, again.output
    assert "donnés à nouveau" not in again.output


def test_a_copy_of_another_database_is_refused_unless_forced(demo, runner, tmp_path):
    copy = tmp_path / "copie.backup"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    db.session.remove()
    if BACKEND == "sqlite":  # the copy's head says another story than this chain
        import sqlite3

        with sqlite3.connect(copy) as other:
            other.execute("UPDATE journal_head SET hash = 'abc'")
        other.close()
        refused = runner.invoke(args=["restore", "--yes", str(copy)])
        assert refused.exit_code == 1 and "ne vient pas de cette base" in refused.output
    not_a_copy = tmp_path / "notes.txt"
    not_a_copy.write_text("liste de courses")
    result = runner.invoke(args=["restore", "--yes", str(not_a_copy)])
    assert result.exit_code == 1 and "n'est pas une copie de la caisse" in result.output


def test_a_restore_sets_the_old_live_copy_aside(demo, app, runner, tmp_path):
    """With KIOSK_REPLICA, the live copy went on from the database a restore replaces: it is
    kept apart (as `restore --from-replica` does) and Litestream's local state dropped, so
    the copy starts again from the restored database instead of mixing two histories."""
    copy = tmp_path / ("copie.sqlite3" if BACKEND == "sqlite" else "copie.dump")
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    stick = tmp_path / "stick"
    (stick / "caisse").mkdir(parents=True)
    (stick / "caisse" / "0000000000000001-0000000000000001.ltx").write_bytes(b"old")
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    local_state = database.parent / f".{database.name}-litestream"
    if BACKEND == "sqlite":
        local_state.mkdir()
    app.config["REPLICA"] = str(stick)
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(copy)])
    db.session.remove()
    assert result.exit_code == 0, result.output
    if BACKEND != "sqlite":  # PostgreSQL keeps its own replicas (README): nothing moves
        assert (stick / "caisse").is_dir() and "mise de côté" not in result.output
        return
    assert "mise de côté" in result.output
    assert not (stick / "caisse").exists() and not local_state.exists()
    [aside] = stick.glob("caisse-avant-restauration-*")
    assert (aside / "0000000000000001-0000000000000001.ltx").read_bytes() == b"old"


def test_csv_cells_that_a_spreadsheet_would_run_stay_text(client, runner, seller_headers,
                                                          treasurer_headers, tmp_path):
    admin = api_login(client, "Admin", "1234")
    trap = '=HYPERLINK("http://example.invalid","Cliquez")'
    response = client.post("/api/v1/products", headers=admin, json={
        "sku": "PIEGE", "name": trap, "category": "bag", "price_cents": 500})
    assert response.status_code == 201, response.get_json()
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "PIEGE", "qty": 1}],
                [{"method": "cash", "amount_cents": 500}]).get_json()
    for reason in ("+33 6 12 34 56 78", "@SUM(A1:A9)", "-1+1"):
        voided = sell(client, seller_headers, session_id, [{"sku": "PIEGE", "qty": 1}],
                      [{"method": "cash", "amount_cents": 500}]).get_json()
        assert client.post(f"/api/v1/sales/{voided['id']}/void", headers=seller_headers,
                           json={"reason": reason}).status_code == 201
    out = tmp_path / "export"
    result = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "csv", str(out)])
    assert result.exit_code == 0, result.output
    [path] = out.glob("ventes-lignes_*.csv")
    lines = read(path)
    assert {r["nom_article"] for r in lines} == {"'" + trap}
    assert {r["motif"] for r in lines} == {"", "'+33 6 12 34 56 78", "'@SUM(A1:A9)", "'-1+1"}
    # amounts stay numbers, negative ones included
    assert sorted(int(r["total_centimes"]) for r in lines) == [-500, -500, -500,
                                                               500, 500, 500, 500]
    assert sold["total_cents"] == 500
    for cell in (c for p in out.iterdir() for row in csv.reader(p.open(encoding="utf-8-sig"))
                 for c in row):
        assert not cell.startswith(("=", "+", "@")) and not re.match(r"-\D", cell), cell


# The codes the kiosk keeps in its tables: none is a word a French treasurer reads.
ENGLISH_CODES = {"sale", "refund", "void", "consignment", "gift", "gift_void", "cash", "cheque",
                 "card", "transfer", "takings", "donation", "spend", "late_sale"}


def test_csv_and_spreadsheet_say_kinds_and_methods_in_french(
        client, runner, seller_headers, treasurer_headers, tmp_path):
    """Issue 27, point 12: the treasurer reads "vente", "espèces", "don", never "sale" or
    "cash", in the CSV the command writes, in the one the exports page gives (even to a
    screen in English) and in the spreadsheet; the Paheko journal is left as Paheko reads it."""
    import io
    import uuid
    import zipfile

    from openpyxl import load_workbook

    from tests.conftest import csrf_token, web_login

    session_id = sales_day(client, seller_headers, treasurer_headers)
    gift = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": [],
        "payments": [{"method": "cash", "amount_cents": 500}], "donation_cents": 500})
    assert gift.status_code == 201, gift.get_json()
    assert client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                       json=close_body()).status_code == 200
    out = tmp_path / "csv"
    result = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "csv", str(out)])
    assert result.exit_code == 0, result.output
    tables = {p.name.split("_")[0]: read(p) for p in out.iterdir()}

    web_login(client, "Tresoriere", "2345")
    client.get("/exports?lang=en")
    form = {"csrf_token": csrf_token(client, "/exports"), "date_from": today(),
            "date_to": today(), "format": "csv"}
    zipped = client.post("/exports", data=form)
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        downloaded = {name.split("_")[0]: list(csv.DictReader(io.StringIO(
            archive.read(name).decode("utf-8-sig")))) for name in archive.namelist()}

    result = runner.invoke(args=["export", "--from", today(), "--to", today(), "--format",
                                 "xlsx", str(tmp_path / "xlsx")])
    assert result.exit_code == 0, result.output
    [book_path] = (tmp_path / "xlsx").iterdir()
    book = load_workbook(book_path)
    sheets = {}
    for name in book.sheetnames:
        header = [c.value for c in book[name][1]]
        sheets[name] = [dict(zip(header, (c.value for c in r), strict=True))
                        for r in book[name].iter_rows(min_row=2)]

    def words(found: dict[str, list[dict]], name: str, column: str) -> list[str]:
        return [row[column] for row in found[name]]

    for found in (tables, downloaded, sheets):
        cells = [row[column] for rows in found.values() for row in rows
                 for column in ("type", "moyen") if column in row]
        assert cells and not ENGLISH_CODES & set(cells), cells
        assert set(words(found, "ventes-lignes", "type")) == {
            "vente", "annulation", "remboursement"}
        assert set(words(found, "paiements", "type")) == {
            "vente", "annulation", "remboursement", "don"}
        assert set(words(found, "paiements", "moyen")) == {"espèces", "chèque",
                                                           "carte bancaire"}
        assert set(words(found, "dons", "type")) == {"don"}
        assert set(words(found, "enveloppes", "type")) <= {
            "recette partagée dans les enveloppes", "don"}
    assert words(tables, "paiements", "moyen") == words(downloaded, "paiements", "moyen") \
        == words(sheets, "paiements", "moyen")
    # Paheko's journal keeps its own columns and values (what Paheko imports)
    paheko = client.post("/exports", data={**form, "format": "paheko"})
    assert paheko.status_code == 200 and "Compte de débit" in paheko.get_data(as_text=True)


def test_a_restore_gives_up_while_another_program_writes(demo, runner, tmp_path, monkeypatch):
    """SQLite's backup API would wait for ever while a kiosk still running holds the write
    lock: the restore gives up after its wait with a plain sentence, and changes nothing."""
    if BACKEND != "sqlite":
        pytest.skip("pg_restore --single-transaction waits for PostgreSQL's own locks")
    import sqlite3
    import time

    from kiosk.services import backup

    copy = tmp_path / "copie.sqlite3"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    head = journal.head(db.session)
    db.session.remove()
    monkeypatch.setattr(backup, "RESTORE_WAIT_SECONDS", 2.0)
    database = db.engine.url.database
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the running kiosk, mid-write
        started = time.monotonic()
        result = runner.invoke(args=["restore", "--yes", str(copy)])
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1, result.output
    assert "Refusé : la base est occupée depuis 2 s" in result.output
    assert "arrêtez la caisse" in result.output and "Rien n'a été changé" in result.output
    assert 2 <= waited < 10
    db.session.remove()
    assert journal.head(db.session) == head
    # the lock gone, the same restore goes through
    assert runner.invoke(args=["restore", "--yes", str(copy)]).exit_code == 0
