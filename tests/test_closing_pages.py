"""The treasurer's pages: closing with a preview, the slip, envelopes, exports, journal."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import CashSessionClosure, EnvelopeEntry, ExportRecord, SplitRule
from tests.closing_helpers import sales_day
from tests.conftest import csrf_token, web_login


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True))
                  .replace("\u202f", " ").replace("\u00a0", " "))


def closures() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(CashSessionClosure))


def close_form(token: str, action: str, **extra) -> dict:
    form = {"csrf_token": token, "action": action, "count-5000": "1", "count-1000": "1",
            "count-200": "2", "count-100": "1", "cheque-0-amount": "7,50",
            "cheque-0-drawer": "Mme Dupré", "card_total": "4,00"}
    form.update(extra)
    return form


def test_treasurer_closes_with_a_preview_then_reads_the_slip(client, seller_headers,
                                                             treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    listing = text(client.get("/sessions"))
    assert "Fermer la caisse" in listing and "Stand IKEA Dijon" in listing
    page = client.get(f"/sessions/{session_id}/close")
    assert page.status_code == 200 and "Billets de 50 €" in text(page)
    token = csrf_token(client, f"/sessions/{session_id}/close")

    preview = client.post(f"/sessions/{session_id}/close", data=close_form(token, "preview"))
    assert preview.status_code == 200
    shown = text(preview)
    assert "il manque 1,00 €" in shown and "66,00 €" in shown and "65,00 €" in shown
    assert "Fermer la caisse et imprimer" in shown
    assert closures() == 0  # a preview saves nothing

    done = client.post(f"/sessions/{session_id}/close", data=close_form(token, "confirm"))
    assert done.status_code == 302 and done.location.endswith(f"/sessions/{session_id}")
    assert closures() == 1
    session_page = text(client.get(f"/sessions/{session_id}"))
    assert "La caisse est fermée" in session_page and "il manque 1,00 €" in session_page

    slip = text(client.get(f"/sessions/{session_id}/document/slip"))
    assert "BORDEREAU DE REMISE" in slip and "Mme Dupré" in slip and "Reçu par" in slip
    assert "DUPLICATA" not in slip
    z_report = text(client.get(f"/sessions/{session_id}/document/z_report"))
    assert "TICKET Z" in z_report and "Couture défaite" in z_report
    pdf = client.get(f"/sessions/{session_id}/pdf/slip")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/sessions/{session_id}/document/other").status_code == 404
    printed = client.post(f"/sessions/{session_id}/print/slip",
                          data={"csrf_token": token}, follow_redirects=True)
    assert "Pas d'imprimante" in text(printed)

    again = client.post(f"/sessions/{session_id}/close", data=close_form(token, "confirm"))
    assert again.status_code == 302 and closures() == 1


def test_bad_counts_are_refused_and_nothing_is_saved(client, seller_headers,
                                                      treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, f"/sessions/{session_id}/close")
    for extra in ({"count-100": "abc"}, {"cheque-1-amount": "douze"},
                  {"card_total": "-3"}):
        response = client.post(f"/sessions/{session_id}/close",
                               data=close_form(token, "confirm", **extra))
        assert response.status_code == 400
        assert 'role="alert"' in response.get_data(as_text=True)
    no_csrf = client.post(f"/sessions/{session_id}/close", data=close_form("", "confirm"))
    assert no_csrf.status_code == 400
    assert closures() == 0


def test_a_seller_cannot_close(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    web_login(client, "Vendeuse", "3456")
    assert client.get(f"/sessions/{session_id}/close").status_code == 403
    assert client.get("/envelopes").status_code == 403
    assert client.get("/journal").status_code == 403
    assert client.get("/exports").status_code == 403


def test_envelope_pages(client, demo):
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/envelopes")
    spend = {"csrf_token": token, "envelope": "solidarite", "amount": "12,00",
             "label": "Repas de Noël", "entry_date": "2026-12-20", "receipt_ref": "F-12"}
    asked = client.post("/envelopes/spend", data=spend)
    assert asked.status_code == 409
    assert "-12,00 €" in text(asked) and "Oui, dépenser quand même" in text(asked)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EnvelopeEntry)) == 0
    done = client.post("/envelopes/spend", data={**spend, "confirm": "1"},
                       follow_redirects=True)
    assert "Repas de Noël" in text(done) and "F-12" in text(done)
    moved = client.post("/envelopes/transfer", data={
        "csrf_token": token, "from": "loisirs", "to": "solidarite", "amount": "3",
        "label": "Décidé en réunion", "confirm": "1"}, follow_redirects=True)
    assert "Virement de 3,00 € enregistré" in text(moved)
    rule = client.post("/envelopes/rules", data={
        "csrf_token": token, "weight-solidarite": "3", "weight-loisirs": "1",
        "effective_from": "2026-05-13", "decision": "Décidé en réunion du 12 mai",
        "confirm": "1"},  # a date in the past: confirmed (issue 27)
        follow_redirects=True)
    assert "Décidé en réunion du 12 mai" in text(rule)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SplitRule)) == 2
    bad = client.post("/envelopes/rules", data={
        "csrf_token": token, "weight-solidarite": "x", "effective_from": "2026-05-13",
        "decision": "y"})
    assert bad.status_code == 400
    added = client.post("/envelopes/new", data={"csrf_token": token, "code": "sorties",
                                                "name": "Sorties d'été"},
                        follow_redirects=True)
    assert "Sorties d'été" in text(added)


def test_export_page_and_journal_page(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    # Issue 16: Paheko exports only closed drawers (an open one is left for later).
    from tests.closing_helpers import close_body

    assert client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                       json=close_body()).status_code == 200
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    from kiosk.database import utcnow
    from kiosk.vocabulary import PARIS

    day = utcnow().astimezone(PARIS).date().isoformat()
    form = {"csrf_token": token, "date_from": day, "date_to": day, "format": "paheko"}
    first = client.post("/exports", data=form)
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert "Compte de débit" in first.get_data(as_text=True)
    second = client.post("/exports", data=form)
    assert second.status_code == 409 and "deux fois" in text(second)
    forced = client.post("/exports", data={**form, "again": "1"})
    assert forced.status_code == 200
    zipped = client.post("/exports", data={**form, "format": "csv"})
    assert zipped.mimetype == "application/zip" and zipped.data.startswith(b"PK")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExportRecord)) == 3
    changed = client.post("/exports/accounts", data={
        "csrf_token": token, "paheko_account_sales": "707"}, follow_redirects=True)
    assert "Comptes enregistrés" in text(changed)
    bad = client.post("/exports/accounts", data={
        "csrf_token": token, "paheko_account_cash": "caisse"}, follow_redirects=True)
    assert "fait de chiffres" in text(bad)
    from kiosk.services.paheko_accounts import accounts

    db.session.rollback()
    assert accounts(db.session)["paheko_account_sales"] == "707"
    assert accounts(db.session)["paheko_account_cash"] == "530"
    journal_page = text(client.get("/journal"))
    assert "Journal intact" in journal_page


def test_the_journal_page_names_each_event_in_words(client, seller_headers, treasurer_headers):
    from kiosk.models import JournalEntry
    from kiosk.vocabulary import EVENT_WORDS

    sales_day(client, seller_headers, treasurer_headers)
    web_login(client, "Tresoriere", "2345")
    db.session.rollback()
    events = set(db.session.scalars(select(JournalEntry.event)))
    assert events >= {"sale", "void", "refund", "cash_open", "production", "split_rule"}
    assert events <= set(EVENT_WORDS)  # every event the kiosk writes has its words
    page = text(client.get("/journal"))
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert {"Vente", "Annulation", "Remboursement", "Ouverture de caisse",
            "Pièces cousues", "Répartition décidée"} <= set(cells)
    assert not events & set(cells)  # no code such as "cash_open" is shown
    english = text(client.get("/journal?lang=en"))
    assert "Till opened" in english
