"""Issue 27, point 9: a split decision dated in the past (01/11 while later drawers were
already closed) says what it changes — the closed days keep their split — and is recorded
only once confirmed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.models import SplitRule
from kiosk.vocabulary import PARIS
from tests.closing_helpers import close_body, sales_day
from tests.conftest import csrf_token, web_login


def rules() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SplitRule))


def test_a_split_dated_in_the_past_asks_first(client, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    assert client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                       json=close_body()).status_code == 200
    before = rules()
    web_login(client, "Tresoriere", "2345")
    past = (utcnow().astimezone(PARIS).date() - timedelta(days=30))
    form = {"csrf_token": csrf_token(client, "/envelopes"), "weight-solidarite": "3",
            "weight-loisirs": "1", "effective_from": past.isoformat(),
            "decision": "Décidé en réunion du 1er novembre"}
    asked = client.post("/envelopes/rules", data=form)
    assert asked.status_code == 400
    page = asked.get_data(as_text=True)
    assert f"part du {past:%d/%m/%Y}, une date passée" in page
    assert "1 caisse a été fermée depuis : elle garde sa répartition" in page
    assert "Oui, enregistrer cette décision datée du passé" in page
    assert rules() == before
    done = client.post("/envelopes/rules", data={**form, "confirm": "1"})
    assert done.status_code == 302 and rules() == before + 1
    # from today on: no question
    today = {**form, "effective_from": utcnow().astimezone(PARIS).date().isoformat()}
    assert client.post("/envelopes/rules", data=today).status_code == 302
    assert rules() == before + 2
