"""A journaled row holding what the app never writes (SQLite keeps any value in any column:
a BLOB in an amount, written behind the app's back) is named by every page and answer that
reads it, as a 409, never a 500 (issue 15, point 9 and its cousins)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.vocabulary import PARIS
from tests.closing_helpers import close_body, sales_day
from tests.conftest import BACKEND, csrf_token, web_login

CHANGED = "modifiée hors de l'application"


def tamper(statement: str) -> bool:
    """Writes behind the app's back. True when the row now holds a value of another type
    than its column's (SQLite); PostgreSQL's typed columns refuse it or convert it (X'..'
    is a bit string there), so the row reads as its type."""
    try:
        db.session.execute(text(statement))
        db.session.commit()
    except DBAPIError:
        assert BACKEND != "sqlite"
        db.session.rollback()
    return BACKEND == "sqlite"


@pytest.fixture
def tampered_day(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    assert client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                       json=close_body()).status_code == 200
    return session_id


@pytest.mark.parametrize("statement, table", [
    ("UPDATE sales SET total_cents = X'00ff' WHERE id = 1", "sales n° 1"),
    ("UPDATE sales SET reason = X'1b40' WHERE id = 1", "sales n° 1"),
    ("UPDATE sale_lines SET qty = X'0001' WHERE sale_id = 1", "sale_lines n°"),
    ("UPDATE payments SET method = X'636173' WHERE sale_id = 1", "payments n°"),
])
def test_a_blob_in_a_sale_answers_409_naming_the_row(client, treasurer_headers, tampered_day,
                                                     statement, table):
    untyped = tamper(statement)
    for path in ("/api/v1/sales/1", f"/api/v1/sales?cash_session_id={tampered_day}"):
        answer = client.get(path, headers=treasurer_headers)
        if not untyped:
            assert answer.status_code == 200
            continue
        assert answer.status_code == 409, (path, answer.get_data(as_text=True))
        body = answer.get_json()
        assert body["error"] == "row_changed" and table in body["message"]
        assert CHANGED in body["message"] and "verify-journal" in body["message"]
    assert client.get("/api/v1/sales/2", headers=treasurer_headers).status_code == 200


def test_pages_and_exports_that_sum_a_blob_say_so(client, tampered_day):
    untyped = tamper("UPDATE sales SET total_cents = X'00ff' WHERE id = 2")
    web_login(client, "Tresoriere", "2345")
    # Only the drawer's own page adds up its sales; the list of drawers, the journal page
    # and the reports (the day's totals, never the sales) still open: verify-journal names
    # the row, and the totals it disagrees with.
    expected = {"/reports": 200, f"/sessions/{tampered_day}": 409 if untyped else 200,
                "/sessions": 200, "/journal": 200}
    for path, status in expected.items():
        page = client.get(path)
        assert page.status_code == status, path
        if status == 409:
            text = html.unescape(page.get_data(as_text=True))
            assert "sales n° 2" in text and CHANGED in text
    day = utcnow().astimezone(PARIS).date().isoformat()
    token = csrf_token(client, "/exports")
    # the CSV lists each sale's total; Paheko's journal books the drawer's payments
    for kind, status in (("csv", 409 if untyped else 200), ("paheko", 200)):
        export = client.post("/exports", data={"csrf_token": token, "date_from": day,
                                               "date_to": day, "format": kind})
        assert export.status_code == status, (kind, export.status_code)
        if status == 409:
            body = export.get_data(as_text=True)
            assert "sales n° 2" in body and "verify-journal" in body


def test_other_errors_stay_errors(app, tampered_day):
    """The 409 is only for a row that really holds a foreign value: a plain bug in a page
    is not disguised as one."""
    assert journal.untyped_row(db.session) is None
    with app.test_request_context("/reports"), pytest.raises(TypeError, match="a bug"):
        app.handle_user_exception(TypeError("a bug"))
    if tamper("UPDATE stock_moves SET qty = 'deux' WHERE id = 3"):
        assert journal.untyped_row(db.session) == ("stock_moves", 3)
        with app.test_request_context("/reports"):
            answer = app.handle_user_exception(TypeError("unsupported operand"))
        assert answer[1] == 409
