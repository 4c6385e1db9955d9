"""The stock pages as a volunteer uses them, and the consignment statement."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    ConsignmentStatement,
    EnvelopeEntry,
    Location,
    Payment,
    Product,
    Sale,
    StockMove,
)
from kiosk.services import stock
from tests.conftest import csrf_token, web_login


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def level(sku: str, code: str) -> int:
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    location = db.session.scalar(select(Location).where(Location.code == code))
    return stock.level(db.session, product.id, location.id)


def moves() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(StockMove.id)))


def test_a_seller_records_what_she_sewed_and_is_offered_labels(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock/made")
    response = client.post("/stock/made", data={"csrf_token": token, "sku": "POCH-TGV",
                                                "qty": "5", "lot": "SNCF-2011"})
    assert response.status_code == 302
    done = text(client.get(response.headers["Location"]))
    assert "Imprimer les étiquettes ?" in done
    pdf = re.search(r'href="(/api/v1/labels\.pdf\?[^"]+)"', done).group(1)
    assert "sku=POCH-TGV" in pdf and "copies=5" in pdf
    assert client.get(pdf.replace("&amp;", "&")).mimetype == "application/pdf"
    assert level("POCH-TGV", "atelier") == 13


def test_made_without_a_product_or_with_a_bad_quantity_changes_nothing(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock/made")
    before = moves()
    no_product = client.post("/stock/made", data={"csrf_token": token, "qty": "5"})
    assert no_product.status_code == 400
    assert "Touchez d'abord ce que vous avez cousu." in text(no_product)
    for qty in ("0", "1000", "2,5", ""):
        bad = client.post("/stock/made", data={"csrf_token": token, "sku": "POCH-TGV",
                                               "qty": qty})
        assert bad.status_code == 400
    no_csrf = client.post("/stock/made", data={"sku": "POCH-TGV", "qty": "5"})
    assert no_csrf.status_code == 400
    assert moves() == before


def test_take_to_the_stall(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock/take")
    response = client.post("/stock/take", data={"csrf_token": token, "sku": "SAC-IKEA",
                                                "qty": "3", "source": "atelier",
                                                "target": "ikea"})
    assert response.status_code == 302
    assert level("SAC-IKEA", "atelier") == 5 and level("SAC-IKEA", "ikea") == 11
    same = client.post("/stock/take", data={"csrf_token": token, "sku": "SAC-IKEA",
                                            "qty": "3", "source": "ikea", "target": "ikea"})
    assert same.status_code == 400 and level("SAC-IKEA", "ikea") == 11


def test_count_shows_the_difference_before_saving(demo, client):
    web_login(client, "Vendeuse", "3456")
    token = csrf_token(client, "/stock/count?location=ikea")
    before = moves()
    preview = client.post("/stock/count", data={"csrf_token": token, "location": "ikea",
                                                "step": "preview", "qty-POCH-TGV": "6",
                                                "qty-SAC-IKEA": "8", "qty-TAB-IKEA": ""})
    page = text(preview)
    assert preview.status_code == 200 and "Vérifiez avant d'enregistrer" in page
    assert "-2" in page and "juste" in page
    assert moves() == before  # nothing saved yet
    saved = client.post("/stock/count", data={"csrf_token": token, "location": "ikea",
                                              "step": "save", "qty-POCH-TGV": "6",
                                              "qty-SAC-IKEA": "8"})
    assert saved.status_code == 302
    assert level("POCH-TGV", "ikea") == 6 and level("SAC-IKEA", "ikea") == 8
    assert moves() == before + 1
    stock_page = text(client.get("/stock"))
    assert "a trouvé un écart de -2" in stock_page
    bad = client.post("/stock/count", data={"csrf_token": token, "location": "ikea",
                                            "step": "save", "qty-POCH-TGV": "-1"})
    assert bad.status_code == 400 and moves() == before + 1


def test_public_page_needs_no_login(demo, client):
    page = client.get("/p/POCH-TGV")
    body = text(page)
    assert page.status_code == 200
    assert "Pochette TGV Rhin-Rhône" in body and "SNCF" in body and "Où va l'argent" in body
    assert client.get("/p/NOPE").status_code == 404
    assert client.get("/stock").status_code == 302  # the rest needs a login


def test_public_page_speaks_the_visitors_language(demo, client):
    """A visitor's phone set to English reads the label's page in English; the kiosk's
    own pages stay French by default whatever the browser says."""
    english = client.get("/p/POCH-TGV", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert "Where does this piece come from?" in text(english)
    assert "Français" in text(english)  # and a way back
    french = client.get("/p/POCH-TGV", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="fr">' in french.text and "D'où vient cette pièce ?" in text(french)
    login = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="fr">' in login.text


def test_consignment_statement_is_a_numbered_sale_with_its_commission(demo, client):
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/stock/consignment")
    entries = journal.head(db.session)[0]
    response = client.post("/stock/consignment", data={
        "csrf_token": token, "location": "musee", "period": "mai 2026",
        "commission_percent": "10", "paid": "", "qty-SAC-VILLE": "7",
        "confirm": "1"})  # 7 sold of the 4 on deposit: said on purpose (issue 27)
    body = text(response)
    assert response.status_code == 200, body
    assert "Relevé enregistré" in body
    db.session.rollback()
    sale = db.session.scalar(select(Sale).where(Sale.kind == "consignment"))
    assert re.fullmatch(r"\d{4}-\d{6}", sale.number) and sale.cash_session_id is None
    assert sale.total_cents == 7 * 1800
    statement = db.session.scalar(select(ConsignmentStatement))
    assert statement.commission_cents == 1260 and statement.paid_cents == 11340
    [payment] = db.session.scalars(select(Payment).where(Payment.sale_id == sale.id))
    assert payment.method == "transfer" and payment.amount_cents == 11340
    shares = db.session.scalars(select(EnvelopeEntry.amount_cents)
                                .where(EnvelopeEntry.sale_id == sale.id)).all()
    assert sorted(shares) == [5670, 5670]
    assert level("SAC-VILLE", "musee") == 4 - 7  # stock goes negative and is flagged
    assert journal.head(db.session)[0] == entries + 1  # one entry for all of it
    assert journal.verify(db.session).ok


def test_consignment_numbers_that_do_not_add_up_change_nothing(demo, client):
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/stock/consignment")
    head = journal.head(db.session)
    response = client.post("/stock/consignment", data={
        "csrf_token": token, "location": "musee", "period": "mai 2026",
        "commission_percent": "10", "paid": "140,00", "qty-SAC-VILLE": "7", "confirm": "1"})
    assert response.status_code == 400
    assert "ne tombent pas juste" in text(response)
    db.session.rollback()
    assert journal.head(db.session) == head
    assert db.session.scalar(select(func.count(Sale.id))) == 0


def test_sellers_cannot_record_consignment(demo, client):
    web_login(client, "Vendeuse", "3456")
    assert client.get("/stock/consignment").status_code == 403


def test_bring_everything_back_from_the_stall(demo, client):
    web_login(client, "Vendeuse", "3456")
    page = text(client.get("/stock/take"))
    assert "Ramener de Stand IKEA Dijon (96 pièces)" in page
    token = csrf_token(client, "/stock/take")
    response = client.post("/stock/bring-back", data={"csrf_token": token, "source": "ikea"})
    assert response.status_code == 302
    assert level("SAC-IKEA", "ikea") == 0 and level("SAC-IKEA", "atelier") == 16
    assert "Ramener de Stand IKEA Dijon (0 pièces)" in text(client.get("/stock/take"))
    assert journal.verify(db.session).ok
    before = moves()
    assert client.post("/stock/bring-back", data={"csrf_token": token,
                                                  "source": "lune"}).status_code == 404
    assert moves() == before
