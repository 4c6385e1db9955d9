"""The smaller stumbles of a stall day (issue 13, point 15): a drawer's default name, the
public page's sentences, the overspend confirmation's way back, the luggage tags' name."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import CashSession
from tests.closing_helpers import open_session
from tests.conftest import csrf_token, web_login

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


def test_a_drawers_default_name_is_french_whoever_opens_it(demo, client):
    web_login(client, "Vendeuse", "3456")
    page = client.get("/sell/open?lang=en").get_data(as_text=True)
    assert "Open" in page or "open" in page  # the page itself is in English
    name = unescape(re.search(r'id="name"[^>]*value="([^"]*)"', page).group(1))
    assert re.fullmatch(rf"Vente IKEA du \d{{1,2}} ({'|'.join(MONTHS)})", name), name
    token = csrf_token(client, "/sell/open")
    client.post("/sell/open?lang=en", data={"csrf_token": token, "location": "ikea",
                                            "name": name})
    assert db.session.scalar(select(CashSession.name)) == name


def test_the_public_page_needs_no_gender_for_the_product(demo, client):
    for sku in ("POCH-TGV", "SAC-IKEA"):  # une pochette, un sac
        page = unescape(client.get(f"/p/{sku}").get_data(as_text=True))
        assert "Cette pièce est taillée dans une bâche" in page
        assert "Il est taillé" not in page and "vient-il" not in page and "l'a fait" not in page


def test_the_overspend_confirmation_offers_a_way_back(demo, client):
    web_login(client, "Tresoriere", "2345")
    data = {"csrf_token": csrf_token(client, "/envelopes"), "amount": "5000",
            "label": "Voyage", "envelope": "loisirs", "from": "loisirs", "to": "solidarite"}
    for form, yes in (("spend", "Oui, dépenser quand même"), ("transfer", "Oui, virer quand même")):
        asked = unescape(client.post(f"/envelopes/{form}", data=data).get_data(as_text=True))
        assert yes in asked
        cancel = re.search(r'<a class="button" href="([^"]+)" data-cancel>Annuler</a>', asked)
        assert cancel and cancel.group(1) == "/envelopes"
        back = unescape(client.get(cancel.group(1)).get_data(as_text=True))
        assert yes not in back


def test_luggage_tags_have_one_name_on_every_english_screen(demo, client, seller_headers):
    session_id = open_session(client, seller_headers)
    web_login(client, "Vendeuse", "3456")
    sale_screen = unescape(client.get(f"/sell?session={session_id}&lang=en").get_data(
        as_text=True))
    assert re.search(r'data-category="luggage_tag"[^>]*>Luggage tags<', sale_screen)
    assert ">Labels<" not in sale_screen


def test_paper_and_stored_notes_are_french_whatever_the_volunteers_language(
        demo, client, seller_headers, treasurer_headers):
    """A cousin of the drawer's name: the Z and the slip's count in words, and a count's
    note, are French though the treasurer reads the kiosk in English."""
    from kiosk.documents import closing as closing_documents
    from kiosk.models import StockMove
    from tests.closing_helpers import close_body

    session_id = open_session(client, seller_headers)
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close?lang=en",
                         headers=treasurer_headers, json=close_body(
                             counted={"1000": 2, "200": 4}, cheques=[], card=0))
    assert closed.status_code == 200, closed.get_json()
    with demo.test_request_context("/?lang=en"):
        from flask_babel import get_locale

        assert str(get_locale()) == "en"
        for document in ("z_report", "slip"):
            report = closing_documents.build(db.session, document, session_id)
            rows = [label for section in report.sections for label, _ in section.rows]
            assert "Il manque 2,00 €" in rows, (document, rows)
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock/count?location=ikea")
    saved = client.post("/stock/count?lang=en", data={
        "csrf_token": token, "location": "ikea", "step": "save", "qty-SAC-IKEA": "1"})
    assert saved.status_code == 302
    notes = db.session.scalars(select(StockMove.note).where(StockMove.reason == "count")).all()
    assert notes and all(note.startswith("compté : ") for note in notes), notes
