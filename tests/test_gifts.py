"""Gifts at the stall (issue 17): "gardez la monnaie", a gift without purchase, free-price
items; gifts apart at closing, on the envelopes, in the Paheko export; gift receipts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import EnvelopeEntry, Product, Sale
from kiosk.services.words import euros_in_words, number_in_words
from tests.closing_helpers import open_session
from tests.test_paheko import PROJECTS, as_projects, balances, export, paheko_import, today


def sell(client, headers, session_id, lines, payments, **extras):
    return client.post("/api/v1/sales", headers=headers, json={
        "client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": lines,
        "payments": payments, **extras})


def sales_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Sale.id)))


def test_keep_the_change_a_20_euro_note_for_a_14_euro_apron(client, seller_headers, runner):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}], donation_cents=600)
    assert sold.status_code == 201, sold.get_json()
    body = sold.get_json()
    assert (body["total_cents"], body["change_cents"], body["donation_cents"]) == (1400, 0, 600)
    assert body["receipt"] == {"status": "none"}  # on request: nobody asked
    shown = client.get(f"/api/v1/sales/{body['id']}", headers=seller_headers).get_json()
    assert shown["donation_cents"] == 600 and shown["change_cents"] == 0
    assert shown["payments"] == [{"method": "cash", "amount_cents": 2000,
                                  "tendered_cents": 2000, "change_cents": 0}]
    assert journal.verify(db.session).ok
    # the gift is guarded by the journal like the price
    db.session.execute(text("UPDATE sales SET donation_cents = 60 WHERE id = :id"),
                       {"id": body["id"]})
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1 and f"sales n° {body['id']} : modifiée" in result.output


def test_a_gift_on_top_of_a_card_payment_and_some_change(client, seller_headers):
    session_id = open_session(client, seller_headers)
    by_card = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                   [{"method": "card", "amount_cents": 900}], donation_cents=500)
    assert by_card.status_code == 201, by_card.get_json()
    assert by_card.get_json()["change_cents"] == 0
    cash = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 1000}], donation_cents=100)
    assert cash.get_json()["change_cents"] == 500  # 10 € − 4 € − 1 € of gift


@pytest.mark.parametrize("payments, donation, code", [
    ([{"method": "cash", "amount_cents": 1900}], 600, "short_payment"),  # 14 + 6 > 19
    ([{"method": "card", "amount_cents": 2100}], 600, "overpaid"),  # a card gives no change
    ([{"method": "cash", "amount_cents": 2000}], -600, "invalid"),  # a negative gift
    ([{"method": "cash", "amount_cents": 2000}], 1_000_001, "invalid"),  # above 10 000 €
    ([{"method": "cash", "amount_cents": 2000}], "600", "invalid"),  # not a JSON integer
])
def test_refused_gifts_record_nothing(client, seller_headers, payments, donation, code):
    session_id = open_session(client, seller_headers)
    refused = sell(client, seller_headers, session_id, [{"sku": "TAB-IKEA", "qty": 1}],
                   payments, donation_cents=donation)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["message"]
    assert refused.get_json()["error"] == code
    if code == "invalid":  # the gift itself is what the sentence is about
        assert [f["field"] for f in refused.get_json()["fields"]] == ["donation_cents"]
    assert sales_count() == 0


def test_a_gift_without_purchase_is_a_ticket_of_its_own(client, seller_headers):
    session_id = open_session(client, seller_headers)
    gift = sell(client, seller_headers, session_id, [], [{"method": "cash", "amount_cents": 500}],
                donation_cents=500)
    assert gift.status_code == 201, gift.get_json()
    body = gift.get_json()
    assert body["lines"] == [] and body["total_cents"] == 0 and body["donation_cents"] == 500
    assert body["number"].endswith("000001")  # in the year's one sequence, without gap
    empty = sell(client, seller_headers, session_id, [], [{"method": "cash", "amount_cents": 500}])
    assert empty.status_code == 400 and empty.get_json()["error"] == "empty_cart"
    # the seller can void it as her last sale: the gift goes back
    voided = client.post(f"/api/v1/sales/{body['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur de saisie"})
    assert voided.status_code == 201, voided.get_json()
    assert voided.get_json()["donation_cents"] == -500
    assert voided.get_json()["payments"][0]["amount_cents"] == -500
    assert journal.verify(db.session).ok


def make_free_price(sku="POCH-VILLE", minimum=300):
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    product.free_price, product.min_price_cents = True, minimum
    db.session.commit()


def test_a_free_price_item_at_or_above_its_minimum_whoever_sells(client, seller_headers):
    make_free_price()  # suggested 7,50 €, at least 3,00 €
    session_id = open_session(client, seller_headers)
    own = sell(client, seller_headers, session_id,
               [{"sku": "POCH-VILLE", "qty": 1, "unit_price_cents": 1000}],
               [{"method": "cash", "amount_cents": 1000}])
    assert own.status_code == 201, own.get_json()
    assert own.get_json()["total_cents"] == 1000
    under = sell(client, seller_headers, session_id,
                 [{"sku": "POCH-VILLE", "qty": 1, "unit_price_cents": 299}],
                 [{"method": "cash", "amount_cents": 1000}])
    assert under.status_code == 400 and under.get_json()["error"] == "under_minimum"
    assert "3,00" in under.get_json()["message"]
    fixed = sell(client, seller_headers, session_id,  # other products keep their price
                 [{"sku": "SAC-VILLE", "qty": 1, "unit_price_cents": 1000}],
                 [{"method": "cash", "amount_cents": 1000}])
    assert fixed.status_code == 403
    assert sales_count() == 1


def test_the_admin_sets_a_free_price_through_the_api(client, admin_headers):
    made = client.post("/api/v1/products", headers=admin_headers, json={
        "sku": "SAC-LIBRE", "name": "Sac à prix libre", "category": "bag",
        "price_cents": 1500, "free_price": True, "min_price_cents": 500})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["free_price"] and made.get_json()["min_price_cents"] == 500
    above = client.post("/api/v1/products", headers=admin_headers, json={
        "sku": "SAC-LIBRE2", "name": "Sac", "category": "bag", "price_cents": 500,
        "free_price": True, "min_price_cents": 900})
    assert above.status_code == 400  # a minimum above the suggestion


def close(client, headers, session_id, counted, card=0):
    response = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=headers,
                           json={"counted": counted, "cheques": [], "card_total_cents": card})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def gift_day(client, seller_headers) -> int:
    """Float 30 €; a 14 € apron for a 20 € note (6 € kept), a gift of 5 € alone,
    a 4 € tag by card with 1 € given, a voided gift of 2 €."""
    session_id = open_session(client, seller_headers)
    for lines, payments, gift in (
            ([{"sku": "TAB-IKEA", "qty": 1}], [{"method": "cash", "amount_cents": 2000}], 600),
            ([], [{"method": "cash", "amount_cents": 500}], 500),
            ([{"sku": "ETIQ-TGV", "qty": 1}], [{"method": "card", "amount_cents": 500}], 100),
            ([], [{"method": "cash", "amount_cents": 200}], 200)):
        sold = sell(client, seller_headers, session_id, lines, payments, donation_cents=gift)
        assert sold.status_code == 201, sold.get_json()
    voided = client.post(f"/api/v1/sales/{sold.get_json()['id']}/void", headers=seller_headers,
                         json={"reason": "Erreur de saisie"})
    assert voided.status_code == 201
    return session_id


CASH_COUNTED = {"1000": 2, "200": 5, "2000": 1, "500": 1, "100": 1}  # 30 + 20 + 5 + 1 €


def test_a_close_with_gifts_adds_up_to_the_cent(client, seller_headers, treasurer_headers):
    session_id = gift_day(client, seller_headers)
    closed = close(client, treasurer_headers, session_id, CASH_COUNTED, card=500)
    assert closed["revenue_cents"] == 1800  # the apron and the tag: the sales alone
    assert closed["donations_cents"] == 1200  # 6 + 5 + 1 €, the voided 2 € back out
    assert closed["difference_cents"] == 100  # 1 € too many in the drawer
    assert sum(closed["allocations"].values()) == (
        closed["revenue_cents"] + closed["donations_cents"] + closed["difference_cents"])
    db.session.rollback()
    posted = dict(db.session.execute(
        select(EnvelopeEntry.kind, func.sum(EnvelopeEntry.amount_cents))
        .where(EnvelopeEntry.cash_session_id == session_id)
        .group_by(EnvelopeEntry.kind)).all())
    assert posted == {"takings": 1900, "donation": 1200}
    assert journal.verify(db.session).ok


def test_gifts_go_to_one_envelope_when_the_group_decided_so(client, seller_headers,
                                                             treasurer_headers):
    decided = client.post("/api/v1/donation-rules", headers=treasurer_headers, json={
        "envelope": "solidarite", "effective_from": "2020-01-01",
        "decision": "Décidé en réunion du 3 novembre : les dons vont à la solidarité"})
    assert decided.status_code == 201, decided.get_json()
    refused = client.post("/api/v1/donation-rules", headers=seller_headers, json={
        "envelope": None, "effective_from": "2020-01-01", "decision": "Non"})
    assert refused.status_code == 403
    session_id = gift_day(client, seller_headers)
    closed = close(client, treasurer_headers, session_id, CASH_COUNTED, card=500)
    db.session.rollback()
    gifts = dict(db.session.execute(
        select(EnvelopeEntry.envelope_id, func.sum(EnvelopeEntry.amount_cents))
        .where(EnvelopeEntry.cash_session_id == session_id, EnvelopeEntry.kind == "donation")
        .group_by(EnvelopeEntry.envelope_id)).all())
    assert list(gifts.values()) == [1200]  # all in one envelope
    assert closed["allocations"]["solidarite"] > closed["allocations"]["loisirs"]
    assert sum(closed["allocations"].values()) == 1800 + 1200 + 100
    listed = client.get("/api/v1/donation-rules", headers=treasurer_headers).get_json()
    assert listed[0]["envelope"] == "solidarite"


def test_the_z_report_and_the_slip_show_the_gifts_apart(client, seller_headers,
                                                         treasurer_headers):
    from kiosk.documents import closing

    session_id = gift_day(client, seller_headers)
    close(client, treasurer_headers, session_id, CASH_COUNTED, card=500)
    z = closing.z_report(db.session, session_id)
    sections = {section.title: dict(section.rows) for section in z.sections}
    assert sections["Ventes"]["Nombre de ventes"] == "2"  # gifts alone are not sales
    assert sections["Ventes"]["Total net des ventes"] == "18,00 €"
    assert sections["Dons (à part des ventes)"] == {
        "Tickets avec un don": "4", "Dont dons sans achat": "2", "Total des dons": "12,00 €"}
    assert sum(int(v.replace(",", "").replace(" €", ""))
               for v in sections["Dons dans les enveloppes"].values()) == 1200
    slip = {row[0]: row[1] for section in closing.slip(db.session, session_id).sections
            for row in section.rows}
    assert slip["Dons reçus, tous moyens (à part des ventes)"] == "12,00 €"


def test_the_paheko_export_books_the_gifts_to_7541(client, runner, seller_headers,
                                                    treasurer_headers, tmp_path):
    session_id = gift_day(client, seller_headers)
    close(client, treasurer_headers, session_id, CASH_COUNTED, card=500)
    result = export(runner, tmp_path / "books", today(), today())
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "books").iterdir()
    booked = paheko_import(path, set(PROJECTS.values()))
    gifts = [row for row in booked if "7541" in (row["debit"], row["credit"])]
    assert gifts and all(row["credit"] == "7541" or row["debit"] == "7541" for row in gifts)
    accounts, projects = balances(booked)
    assert accounts["7541"] == -1200 and accounts["701"] == -1800 and accounts["758"] == -100
    assert accounts["530"] == 2600 and accounts["5115"] == 500  # 20 + 5 + 1 € cash, the card
    envelopes = {e["code"]: e["balance_cents"]
                 for e in client.get("/api/v1/envelopes", headers=treasurer_headers).get_json()}
    assert projects == as_projects(envelopes)  # the envelopes. ledgers to the cent


def test_the_csv_export_and_the_report_give_the_gifts_apart(client, runner, seller_headers,
                                                            treasurer_headers, tmp_path):
    import csv

    from kiosk.services import report_figures

    gift_day(client, seller_headers)
    out = tmp_path / "csv"
    result = runner.invoke(args=["export", "--from", today().isoformat(), "--to",
                                 today().isoformat(), "--format", "csv", str(out)])
    assert result.exit_code == 0, result.output
    [gifts] = [p for p in out.iterdir() if p.name.startswith("dons")]
    with gifts.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(r["don_centimes"]) for r in rows) == [-200, 100, 200, 500, 600]
    assert report_figures.build(db.session, today(), today()).donations_cents == 1200


def test_french_words_for_amounts():
    assert euros_in_words(600) == "six euros"
    assert euros_in_words(100) == "un euro"
    assert euros_in_words(1250) == "douze euros et cinquante centimes"
    assert euros_in_words(2101) == "vingt et un euros et un centime"
    assert euros_in_words(8000) == "quatre-vingts euros"
    assert euros_in_words(100_000_000) == "un million d'euros"
    assert number_in_words(71) == "soixante et onze"
    assert number_in_words(91) == "quatre-vingt-onze"
    assert number_in_words(200) == "deux cents" and number_in_words(201) == "deux cent un"
    assert number_in_words(80_000) == "quatre-vingt mille"
    assert number_in_words(1999) == "mille neuf cent quatre-vingt-dix-neuf"


def test_the_treasurer_decides_on_the_envelopes_page_where_gifts_go(client, demo):
    from kiosk.models import DonationRule, Envelope
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get("/envelopes").get_data(as_text=True)
    assert "les dons sont partagés comme les ventes" in page
    token = csrf_token(client, "/envelopes")
    answer = client.post("/envelopes/donations", data={
        "csrf_token": token, "envelope": "loisirs", "effective_from": "2026-01-01",
        "decision": "Décidé en réunion du 5 janvier"})
    assert answer.status_code == 302
    db.session.rollback()
    rule = db.session.scalar(select(DonationRule))
    assert db.session.get(Envelope, rule.envelope_id).code == "loisirs"
    assert "Tous dans l'enveloppe Loisirs" in client.get("/envelopes").get_data(as_text=True)
    refused = client.post("/envelopes/donations", data={
        "csrf_token": token, "envelope": "loisirs", "effective_from": "demain",
        "decision": "x"})
    assert refused.status_code == 400
    assert journal.verify(db.session).ok


def test_a_retried_gift_is_recorded_once_and_another_gift_is_a_conflict(client,
                                                                         seller_headers):
    session_id = open_session(client, seller_headers)
    body = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": "TAB-IKEA", "qty": 1}],
            "payments": [{"method": "cash", "amount_cents": 2000}], "donation_cents": 600}
    first = client.post("/api/v1/sales", headers=seller_headers, json=body)
    again = client.post("/api/v1/sales", headers=seller_headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["donation_cents"] == 600
    other = client.post("/api/v1/sales", headers=seller_headers,
                        json={**body, "donation_cents": 500})
    assert other.status_code == 409 and other.get_json()["error"] == "client_id_reused"
    assert sales_count() == 1


def test_the_closing_page_shows_the_gifts_before_saving(client, seller_headers):
    from tests.conftest import csrf_token, web_login

    session_id = gift_day(client, seller_headers)
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, f"/sessions/{session_id}/close")
    form = {"csrf_token": token, "action": "preview", "count-1000": "2", "count-200": "5",
            "count-2000": "1", "count-500": "1", "count-100": "1", "card_total": "5,00"}
    page = client.post(f"/sessions/{session_id}/close", data=form).get_data(as_text=True)
    page = page.replace("\u00a0", " ")
    assert 'Dons reçus (à part des ventes)</th><td class="num">12,00 €' in page
    assert "Ventes nettes de la journée</th><td class=\"num\">18,00 €" in page
