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
