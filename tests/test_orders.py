"""Partner orders (issue 19): the SNCF orders pouches and luggage tags cut from its own
banners, they are sewn, delivered, invoiced, paid; the envelopes, the stock, the impact,
the journal and the accounts follow. Through the API and through the pages."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pypdfium2
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kiosk.database import utcnow, write_transaction
from kiosk.errors import Conflict
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    BannerLot,
    CreditNote,
    EnvelopeEntry,
    Invoice,
    JournalEntry,
    Order,
    OrderPayment,
    StockMove,
)
from kiosk.sales.partner_orders import add_partner
from kiosk.services import paheko, report_figures
from kiosk.services.auth import create_user
from kiosk.vocabulary import PARIS
from tests.conftest import BACKEND, LiveServer, csrf_token, web_login

YEAR = utcnow().astimezone(PARIS).year


def paris_today():
    """The day the books see (between 23:00 and 01:00 UTC it is not UTC's day)."""
    return utcnow().astimezone(PARIS).date()
SNCF = {"name": "SNCF Voyageurs", "address": "Gare de Dijon-Ville\n21000 Dijon",
        "contact": "Mme Rail, 03 80 00 00 00"}
# 5 pouches at 7,50 € and 3 luggage tags at 3,33 €: 37,50 + 9,99 = 47,49 €
ORDER = {"partner": SNCF, "banner_lot": "SNCF-2011", "wished_on": "2027-03-01",
         "note": "Pour le salon du rail",
         "lines": [{"sku": "POCH-TGV", "qty": 5, "unit_price_cents": 750},
                   {"sku": "ETIQ-TGV", "qty": 3, "unit_price_cents": 333}]}
TOTAL = 4749


def envelopes(client, headers) -> dict[str, int]:
    return {e["code"]: e["balance_cents"]
            for e in client.get("/api/v1/envelopes", headers=headers).get_json()}


def at_workshop(client, headers) -> dict[str, int]:
    answer = client.get("/api/v1/stock?location=atelier", headers=headers).get_json()
    return {row["sku"]: row["qty"] for row in answer}


def pdf_text(data: bytes) -> str:
    """The PDF's words, whatever the lines they wrap on."""
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    return " ".join(" ".join(page.get_textpage().get_text_range().split())
                    for page in document)


def journal_ok(client, headers) -> dict:
    return client.get("/api/v1/journal/verify", headers=headers).get_json()


def banner_area(report, partner: str) -> int:
    """The cm² of a partner's banners made into pieces, in the impact report."""
    return next((cm2 for name, _made, _sold, cm2 in report.impact.partners if name == partner), 0)


def take_order(client, headers, body=ORDER) -> dict:
    answer = client.post("/api/v1/orders", headers=headers, json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def delivered_and_invoiced(client, headers, body=ORDER) -> tuple[int, dict]:
    order = take_order(client, headers, body)
    answer = client.post(f"/api/v1/orders/{order['id']}/deliveries", headers=headers, json={
        "lines": [{"sku": "POCH-TGV", "qty": 5}, {"sku": "ETIQ-TGV", "qty": 3}]})
    assert answer.status_code == 201, answer.get_json()
    answer = client.post(f"/api/v1/orders/{order['id']}/invoice", headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return order["id"], answer.get_json()


def test_an_sncf_order_goes_from_its_quote_to_a_paid_invoice(client, treasurer_headers,
                                                            seller_headers):
    h = treasurer_headers
    stock_before, envelopes_before = at_workshop(client, h), envelopes(client, h)
    order = take_order(client, h)
    assert order["number"] == f"DEV-{YEAR}-0001" and order["status"] == "open"
    quote = pdf_text(client.get(f"/api/v1/orders/{order['id']}/quote.pdf", headers=h).data)
    assert f"DEVIS n° DEV-{YEAR}-0001" in quote and "SNCF Voyageurs" in quote
    assert "47,49" in quote and "Bon pour accord" in quote

    # A volunteer sews 5 pouches for it, from the order's own lot
    days = (utcnow().date() - timedelta(days=1), utcnow().date() + timedelta(days=1))
    start, end = report_figures.period_bounds(*days)
    sncf_area = banner_area(report_figures.build(db.session, *days), "SNCF")
    answer = client.post(f"/api/v1/orders/{order['id']}/made", headers=seller_headers,
                         json={"sku": "POCH-TGV", "qty": 5})
    assert answer.status_code == 201, answer.get_json()
    sncf_lot = db.session.scalar(select(BannerLot.id).where(BannerLot.code == "SNCF-2011"))
    assert answer.get_json()["banner_lot_id"] == sncf_lot
    state = client.get(f"/api/v1/orders/{order['id']}", headers=h).get_json()
    assert [(line["sku"], line["made"]) for line in state["lines"]] == [
        ("POCH-TGV", 5), ("ETIQ-TGV", 0)]

    answer = client.post(f"/api/v1/orders/{order['id']}/deliveries", headers=h, json={
        "lines": [{"sku": "POCH-TGV", "qty": 5}, {"sku": "ETIQ-TGV", "qty": 3}]})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["number"] == f"BL-{YEAR}-0001"
    stock = at_workshop(client, h)
    assert stock["POCH-TGV"] == stock_before["POCH-TGV"] + 5 - 5  # sewn, then delivered
    assert stock["ETIQ-TGV"] == stock_before["ETIQ-TGV"] - 3
    slip = pdf_text(client.get(f"/api/v1/deliveries/{answer.get_json()['id']}.pdf",
                               headers=h).data)
    assert f"BON DE LIVRAISON n° BL-{YEAR}-0001" in slip and "Reçu par" in slip

    answer = client.post(f"/api/v1/orders/{order['id']}/invoice", headers=h)
    assert answer.status_code == 201
    invoice = answer.get_json()
    assert invoice["number"] == f"FAC-{YEAR}-0001" and invoice["total_cents"] == TOTAL
    paper = pdf_text(client.get(f"/api/v1/orders/{order['id']}/invoice.pdf", headers=h).data)
    for needed in (f"FACTURE n° FAC-{YEAR}-0001", "SNCF Voyageurs", "Gare de Dijon-Ville",
                   "47,49 €", "TVA non applicable, art. 293 B du CGI", "Les Fées déclic",
                   "Pochette TGV Rhin-Rhône", "7,50 €", "37,50 €", "9,99 €"):
        assert needed in paper, needed
    assert client.get(f"/api/v1/orders/{order['id']}", headers=h).get_json()[
        "status"] == "invoiced"
    assert envelopes(client, h) == envelopes_before  # nothing until it is paid

    answer = client.post(f"/api/v1/orders/{order['id']}/payments", headers=h,
                         json={"method": "transfer", "amount_cents": TOTAL,
                               "reference": "VIR SNCF 0042"})
    assert answer.status_code == 201, answer.get_json()
    state = client.get(f"/api/v1/orders/{order['id']}", headers=h).get_json()
    assert state["status"] == "paid" and state["due_cents"] == 0
    after = envelopes(client, h)
    grown = {code: after[code] - envelopes_before[code] for code in after}
    assert sum(grown.values()) == TOTAL
    assert sorted(grown.values()) == [2374, 2375]  # the demo's split: half and half
    assert journal_ok(client, h)["ok"]

    # Apart from the stall's sales: the figures; the impact counts what the banners became
    figure = report_figures.orders_figure(db.session, start, end)
    assert (figure.invoices, figure.invoiced_cents, figure.paid_cents) == (1, TOTAL, TOTAL)
    report = report_figures.build(db.session, *days)
    # no stall sale: what was raised is the invoice, as the books have it (issue 28)
    assert report.impact.raised_cents == report.takings_cents == TOTAL
    assert report.total.cents == 0  # the stall's and the shops' sales alone
    assert banner_area(report, "SNCF") == sncf_area + 5 * 1200

    # The accounts: 411 → 701 for the invoice, 512 → 411 for the transfer
    rows = paheko.paheko_rows(db.session, paris_today(), paris_today())
    invoice_rows = [r for r in rows if r[4] == f"Facture FAC-{YEAR}-0001"]
    assert {(r[6], r[7]) for r in invoice_rows} == {("411", "701")}
    assert sum(int(r[8].replace(",", "")) for r in invoice_rows) == TOTAL
    # the envelopes' shares reach Paheko's projects by an entry of their own, as they would
    # if the invoice had been exported before it was paid (issue 28)
    assert {r[9] for r in invoice_rows} == {""}
    shares = [r for r in rows if r[4] == f"Répartition FAC-{YEAR}-0001" and r[9]]
    assert {r[9] for r in shares} == {"SOLIDARITE", "LOISIRS"}
    assert sum(int(r[8].replace(",", "")) for r in shares) == TOTAL
    [payment_row] = [r for r in rows if r[6] == "512" and r[7] == "411"]
    assert payment_row[8] == "47,49" and payment_row[3] == "VIR SNCF 0042"


def test_a_part_payment_waits_for_the_rest_before_reaching_the_envelopes(
        client, treasurer_headers):
    h = treasurer_headers
    before = envelopes(client, h)
    order_id, _invoice = delivered_and_invoiced(client, h)
    answer = client.post(f"/api/v1/orders/{order_id}/payments", headers=h,
                         json={"method": "cheque", "amount_cents": 2000})
    assert answer.get_json()["status"] == "invoiced" and answer.get_json()["due_cents"] == 2749
    assert envelopes(client, h) == before
    answer = client.post(f"/api/v1/orders/{order_id}/payments", headers=h,
                         json={"method": "transfer", "amount_cents": 2749})
    assert answer.get_json()["status"] == "paid"
    assert sum(envelopes(client, h).values()) - sum(before.values()) == TOTAL
    # Cheques go to the cheques to cash, transfers to the bank
    rows = paheko.paheko_rows(db.session, paris_today(), paris_today())
    assert sorted((r[6], r[8]) for r in rows if r[7] == "411") == [
        ("5112", "20,00"), ("512", "27,49")]


def test_a_credit_note_takes_off_what_is_still_unpaid(client, treasurer_headers):
    h = treasurer_headers
    before = envelopes(client, h)
    order_id, invoice = delivered_and_invoiced(client, h)
    answer = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h, json={
        "reason": "Étiquettes abîmées au transport", "amount_cents": 999})
    assert answer.status_code == 201, answer.get_json()
    note = answer.get_json()
    assert note["number"] == f"AV-{YEAR}-0001" and note["amount_cents"] == 999
    paper = pdf_text(client.get(f"/api/v1/credit-notes/{note['id']}.pdf", headers=h).data)
    assert f"AVOIR n° AV-{YEAR}-0001" in paper and f"FAC-{YEAR}-0001" in paper
    assert "- 9,99 €" in paper and "293 B" in paper
    state = client.get(f"/api/v1/orders/{order_id}", headers=h).get_json()
    assert state["due_cents"] == TOTAL - 999
    # The invoice itself is unchanged; its PDF shows the credit note under its total
    assert db.session.get(Invoice, invoice["id"]).total_cents == TOTAL
    assert f"Avoir AV-{YEAR}-0001" in pdf_text(
        client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=h).data)

    answer = client.post(f"/api/v1/orders/{order_id}/payments", headers=h,
                         json={"method": "transfer", "amount_cents": TOTAL - 999})
    assert answer.get_json()["status"] == "paid"
    assert sum(envelopes(client, h).values()) - sum(before.values()) == TOTAL - 999
    refused = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h,
                          json={"reason": "Encore"})
    assert refused.status_code == 409 and "réglée" in refused.get_json()["message"]
    rows = paheko.paheko_rows(db.session, paris_today(), paris_today())
    credit_rows = [r for r in rows if r[4] == f"Avoir AV-{YEAR}-0001"]
    assert {(r[6], r[7]) for r in credit_rows} == {("701", "411")}
    assert sum(int(r[8].replace(",", "")) for r in credit_rows) == 999
    assert journal_ok(client, h)["ok"]


def test_a_whole_credit_note_cancels_an_unpaid_invoice(client, treasurer_headers):
    h = treasurer_headers
    before = envelopes(client, h)
    order_id, invoice = delivered_and_invoiced(client, h)
    answer = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h,
                         json={"reason": "Commande annulée par le partenaire"})
    assert answer.status_code == 201 and answer.get_json()["amount_cents"] == TOTAL
    state = client.get(f"/api/v1/orders/{order_id}", headers=h).get_json()
    assert state["status"] == "credited" and state["due_cents"] == 0
    assert envelopes(client, h) == before
    refused = client.post(f"/api/v1/orders/{order_id}/payments", headers=h,
                          json={"method": "transfer", "amount_cents": 1})
    assert refused.status_code == 400


def _counts() -> tuple:
    db.session.rollback()
    return (journal.head(db.session),
            *(db.session.scalar(select(func.count()).select_from(model))
              for model in (Order, Invoice, CreditNote, OrderPayment, StockMove,
                            EnvelopeEntry)))


def test_bad_input_is_a_clear_4xx_and_changes_nothing(client, treasurer_headers):
    h = treasurer_headers
    order_id, invoice = delivered_and_invoiced(client, h)
    waiting = take_order(client, h, {**ORDER, "partner": SNCF["name"]})["id"]  # its name
    before = _counts()
    line = {"sku": "POCH-TGV", "qty": 5, "unit_price_cents": 750}
    known = {**ORDER, "partner": SNCF["name"]}
    bad = [
        ("/api/v1/orders", {**known, "lines": [{**line, "qty": "5"}]}, 400),
        ("/api/v1/orders", {**known, "lines": [{**line, "qty": 0}]}, 400),
        ("/api/v1/orders", {**known, "lines": [{**line, "unit_price_cents": 12.5}]}, 400),
        ("/api/v1/orders", {**known, "lines": [{**line, "unit_price_cents": 1_000_001}]}, 400),
        ("/api/v1/orders", {**known, "lines": []}, 400),
        ("/api/v1/orders", {**known, "lines": [{"qty": 1, "unit_price_cents": 100}]}, 400),
        ("/api/v1/orders", {**known, "lines": [{**line, "sku": "NOPE"}]}, 404),
        ("/api/v1/orders", {**known, "partner": "Personne"}, 404),
        ("/api/v1/orders", {**ORDER, "partner": SNCF}, 409),  # already recorded
        ("/api/v1/orders", {**known, "partner": {**SNCF, "name": "SN\x1bCF"}}, 400),
        ("/api/v1/orders", {**known, "banner_lot": "NOPE"}, 404),
        ("/api/v1/orders", {**known, "colour": "red"}, 400),
        (f"/api/v1/orders/{waiting}/deliveries",
         {"lines": [{"sku": "POCH-TGV", "qty": 6}]}, 400),  # more than ordered
        (f"/api/v1/orders/{waiting}/deliveries",
         {"lines": [{"sku": "SAC-IKEA", "qty": 1}]}, 400),  # not ordered
        (f"/api/v1/orders/{order_id}/deliveries",
         {"lines": [{"sku": "POCH-TGV", "qty": 1}]}, 400),  # all delivered already
        (f"/api/v1/orders/{waiting}/invoice", None, 409),  # nothing delivered
        (f"/api/v1/orders/{order_id}/invoice", None, 409),  # all invoiced already
        (f"/api/v1/orders/{order_id}/payments",
         {"method": "transfer", "amount_cents": TOTAL + 1}, 400),
        (f"/api/v1/orders/{order_id}/payments", {"method": "cash", "amount_cents": 100}, 400),
        (f"/api/v1/orders/{order_id}/payments", {"method": "transfer", "amount_cents": 0}, 400),
        (f"/api/v1/orders/{order_id}/payments", {"method": "transfer", "amount_cents": 100,
                                                 "received_on": "2999-01-01"}, 400),
        (f"/api/v1/orders/{waiting}/payments", {"method": "transfer", "amount_cents": 1}, 400),
        (f"/api/v1/invoices/{invoice['id']}/credit-notes",
         {"reason": "Trop", "amount_cents": TOTAL + 1}, 400),
        (f"/api/v1/invoices/{invoice['id']}/credit-notes", {"reason": ""}, 400),
        (f"/api/v1/orders/{waiting}/made", {"sku": "SAC-IKEA", "qty": 1}, 400),
        ("/api/v1/orders/999/payments", {"method": "transfer", "amount_cents": 1}, 404),
        ("/api/v1/invoices/999/credit-notes", {"reason": "x"}, 404),
    ]
    for url, body, status in bad:
        answer = client.post(url, headers=h, json=body) if body is not None else client.post(
            url, headers=h)
        assert answer.status_code == status, (url, body, answer.get_json())
        assert answer.get_json()["message"], (url, body)
    assert _counts() == before
    assert client.get("/api/v1/invoices/999.pdf", headers=h).status_code == 404
    assert client.get(f"/api/v1/orders/{waiting}/invoice.pdf", headers=h).status_code == 404


def test_a_delivery_cannot_take_pieces_the_workshop_does_not_have(client, treasurer_headers):
    h = treasurer_headers
    held = at_workshop(client, h)["POCH-TGV"]
    order = take_order(client, h, {**ORDER, "lines": [
        {"sku": "POCH-TGV", "qty": held + 2, "unit_price_cents": 750}]})
    before = _counts()
    answer = client.post(f"/api/v1/orders/{order['id']}/deliveries", headers=h,
                         json={"lines": [{"sku": "POCH-TGV", "qty": held + 1}]})
    assert answer.status_code == 409 and "J'ai cousu" in answer.get_json()["message"]
    assert _counts() == before
    # Sewn for it, then it can go
    client.post(f"/api/v1/orders/{order['id']}/made", headers=h,
                json={"sku": "POCH-TGV", "qty": 2})
    answer = client.post(f"/api/v1/orders/{order['id']}/deliveries", headers=h,
                         json={"lines": [{"sku": "POCH-TGV", "qty": held + 2}]})
    assert answer.status_code == 201
    assert at_workshop(client, h)["POCH-TGV"] == 0


def test_a_seller_cannot_reach_the_orders(client, demo, seller_headers, treasurer_headers):
    order_id, invoice = delivered_and_invoiced(client, treasurer_headers)
    for method, url in (("GET", "/api/v1/orders"), ("POST", "/api/v1/orders"),
                        ("GET", f"/api/v1/orders/{order_id}"),
                        ("POST", f"/api/v1/orders/{order_id}/invoice"),
                        ("POST", f"/api/v1/orders/{order_id}/payments"),
                        ("GET", f"/api/v1/orders/{order_id}/invoice.pdf"),
                        ("POST", f"/api/v1/invoices/{invoice['id']}/credit-notes")):
        assert client.open(url, method=method, headers=seller_headers,
                           json={}).status_code == 403, url
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    for url in ("/orders", "/orders/new", f"/orders/{order_id}",
                f"/orders/documents/invoice/{invoice['id']}.pdf"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/stock/made")
    assert client.post(f"/orders/{order_id}/payments", data={
        "csrf_token": token, "method": "transfer", "amount": "47,49"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OrderPayment)) == 0


@pytest.mark.parametrize("table, column", [("invoices", "total_cents"),
                                           ("invoice_lines", "qty"),
                                           ("credit_notes", "amount_cents"),
                                           ("order_payments", "amount_cents"),
                                           ("order_lines", "unit_price_cents"),
                                           ("delivery_lines", "qty"),
                                           ("order_made", "order_id")])
def test_tampering_with_an_order_s_rows_is_named_by_verify_journal(
        client, runner, treasurer_headers, table, column):
    first = take_order(client, treasurer_headers)["id"]
    assert client.post(f"/api/v1/orders/{first}/made", headers=treasurer_headers,
                       json={"sku": "POCH-TGV", "qty": 1}).status_code == 201
    order_id, invoice = delivered_and_invoiced(client, treasurer_headers,
                                               {**ORDER, "partner": SNCF["name"]})
    assert client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes",
                       headers=treasurer_headers,
                       json={"reason": "Geste commercial", "amount_cents": 49}
                       ).status_code == 201
    client.post(f"/api/v1/orders/{order_id}/payments", headers=treasurer_headers,
                json={"method": "transfer", "amount_cents": 100})
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    db.session.execute(text(f"UPDATE {table} SET {column} = {column} + 1 WHERE id = 1"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1
    assert f"{table} n° 1 : modifiée" in result.output


# --- two treasurers at once ------------------------------------------------------------------

class Server(LiveServer):
    def call(self, path: str, body: dict | None, token: str, method: str = "POST"
             ) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def login(self, name: str, pin: str) -> str:
        request = urllib.request.Request(
            f"{self.url}/api/v1/login", method="POST", headers={
                "Content-Type": "application/json"},
            data=json.dumps({"user": name, "pin": pin}).encode())
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["token"]


@pytest.mark.slow
def test_invoice_numbers_stay_gapless_when_two_treasurers_invoice_at_once(demo):
    with write_transaction(db.session):
        create_user(db.session, "Josiane", "treasurer", "5678")
    each = 6
    # A free line (the logo printed on each pouch) is invoiced without a delivery
    body = {**ORDER, "partner": SNCF, "lines": [
        {"description": "Marquage du logo", "qty": 10, "unit_price_cents": 150}]}
    with Server(demo) as server:
        tokens = [server.login("Tresoriere", "2345"), server.login("Josiane", "5678")]
        assert server.call("/partners", SNCF, tokens[0])[0] == 201
        body["partner"] = SNCF["name"]
        start = threading.Barrier(len(tokens))
        answers: list[tuple[str, int, dict]] = []

        def treasurer(token: str) -> None:
            start.wait()
            for _ in range(each):
                status, order = server.call("/orders", body, token)
                answers.append(("order", status, order))
                status, invoice = server.call(f"/orders/{order['id']}/invoice", None, token)
                answers.append(("invoice", status, invoice))

        threads = [threading.Thread(target=treasurer, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert all(status == 201 for _kind, status, _body in answers), answers
    invoices = sorted(b["number"] for kind, _s, b in answers if kind == "invoice")
    orders = sorted(b["number"] for kind, _s, b in answers if kind == "order")
    total = each * len(tokens)
    assert invoices == [f"FAC-{YEAR}-{n:04d}" for n in range(1, total + 1)]
    assert orders == [f"DEV-{YEAR}-{n:04d}" for n in range(1, total + 1)]
    db.session.rollback()
    assert db.session.scalars(select(Invoice.seq).order_by(Invoice.seq)).all() == list(
        range(1, total + 1))
    assert all(b["total_cents"] == 1500 for kind, _s, b in answers if kind == "invoice")
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems
    assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(
        JournalEntry.event == "invoice")) == total


# --- through the pages --------------------------------------------------------------------

def _form(client, url: str, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, "/orders"), **fields})


def test_the_treasurer_takes_an_order_to_a_paid_invoice_through_the_pages(
        client, demo, treasurer_headers):
    before = envelopes(client, treasurer_headers)
    assert web_login(client, "Tresoriere", "2345").status_code == 302
    assert "Commandes" in client.get("/").get_data(as_text=True)
    answer = _form(client, "/orders/new", partner="", partner_name="SNCF Voyageurs",
                   partner_address="Gare de Dijon-Ville\n21000 Dijon", partner_contact="",
                   **{"line-0-sku": "POCH-TGV", "line-0-qty": "5", "line-0-price": "7,50",
                      "line-1-sku": "ETIQ-TGV", "line-1-qty": "3", "line-1-price": "3,33"},
                   lot="SNCF-2011", wished_on="", note="")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    order_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    assert f"DEV-{YEAR}-0001" in page and "47,49" in page and "À coudre" in page

    # "J'ai cousu…" offers the order and ties the pieces to it
    made = client.get("/stock/made").get_data(as_text=True)
    assert f"DEV-{YEAR}-0001 · SNCF Voyageurs" in made
    answer = client.post("/stock/made", data={"csrf_token": csrf_token(client, "/stock/made"),
                                              "sku": "POCH-TGV", "qty": "5", "lot": "",
                                              "order": str(order_id)})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    state = client.get(f"/api/v1/orders/{order_id}", headers=treasurer_headers).get_json()
    assert state["lines"][0]["made"] == 5

    lines = {line["sku"]: line["id"] for line in state["lines"]}
    answer = _form(client, f"/orders/{order_id}/deliveries",
                   **{f"qty-{lines['POCH-TGV']}": "5", f"qty-{lines['ETIQ-TGV']}": "3"})
    assert answer.headers["Location"].startswith("/orders/documents/delivery/")
    slip = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"BL-{YEAR}-0001" in slip and "Reçu par" in slip

    answer = _form(client, f"/orders/{order_id}/invoice")
    invoice_page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"FACTURE n° FAC-{YEAR}-0001" in invoice_page and "293 B" in invoice_page
    assert "47,49" in invoice_page
    pdf = client.get(answer.headers["Location"] + ".pdf")
    assert pdf.mimetype == "application/pdf"
    assert f"FAC-{YEAR}-0001" in pdf_text(pdf.data)

    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert re.search(r'id="pay-amount" name="amount" inputmode="decimal" value="47,49"', page)
    answer = _form(client, f"/orders/{order_id}/payments", method="transfer", amount="47,49",
                   reference="VIR SNCF", received_on="")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-status="paid"' in page and "la commande est payée" in page
    assert sum(envelopes(client, treasurer_headers).values()) - sum(before.values()) == TOTAL
    listing = client.get("/orders").get_data(as_text=True)
    assert "Payée" in listing and "1 facture(s) pour 47,49" in listing


def test_the_pages_refuse_bad_input_and_change_nothing(client, demo, treasurer_headers):
    order_id, _invoice = delivered_and_invoiced(client, treasurer_headers)
    assert web_login(client, "Tresoriere", "2345").status_code == 302
    before = _counts()
    answer = _form(client, "/orders/new", partner="", partner_name="Ville de Dijon",
                   **{"line-0-sku": "POCH-VILLE", "line-0-qty": "beaucoup"})
    assert answer.status_code == 400
    assert "la quantité va de 1 à 999" in answer.get_data(as_text=True)
    assert 'value="Ville de Dijon"' in answer.get_data(as_text=True)  # kept for a retry
    answer = _form(client, "/orders/new", partner="", partner_name="",
                   **{"line-0-sku": "POCH-VILLE", "line-0-qty": "2"})
    assert answer.status_code == 400
    answer = _form(client, f"/orders/{order_id}/payments", method="transfer", amount="12,345")
    assert "écrivez un montant en euros" in client.get(answer.headers["Location"]).get_data(
        as_text=True)
    _form(client, f"/orders/{order_id}/payments", method="transfer", amount="100")
    assert _counts() == before
    assert client.post(f"/orders/{order_id}/payments", data={"amount": "1"}).status_code == 400
    assert _counts() == before


def test_the_invoice_heading_is_the_treasurer_s_and_an_invoice_keeps_its_partner(
        client, demo, treasurer_headers):
    order_id, invoice = delivered_and_invoiced(client, treasurer_headers)
    assert web_login(client, "Tresoriere", "2345").status_code == 302
    heading = {"receipt_name": "ASCS Fontaine d'Ouche — Les Fées déclic",
               "receipt_address": "Centre social\n21000 Dijon", "invoice_siret": "W212000000",
               "invoice_iban": "FR76 0000 0000 0000 0000 0000 000",
               "invoice_terms": "Paiement à réception."}
    answer = _form(client, "/orders/settings", **heading)
    assert answer.status_code == 302
    assert _form(client, "/orders/settings", **{**heading, "receipt_name": ""}
                 ).status_code == 400
    partner_id = client.get(f"/api/v1/orders/{order_id}", headers=treasurer_headers
                            ).get_json()["partner"]["id"]
    answer = _form(client, f"/orders/partners/{partner_id}", name="SNCF Voyageurs",
                   address="Tour Incity\n69003 Lyon", contact="")
    assert answer.status_code == 302
    paper = pdf_text(client.get(f"/orders/documents/invoice/{invoice['id']}.pdf").data)
    for needed in ("ASCS Fontaine d'Ouche — Les Fées déclic", "SIRET / RNA : W212000000",
                   "IBAN : FR76 0000", "Paiement à réception.", "Gare de Dijon-Ville"):
        assert needed in paper, needed
    assert "Incity" not in paper  # issued to the old address, never changed
    assert "Tour Incity" in client.get("/orders/partners").get_data(as_text=True)
    quote = client.get(f"/orders/documents/quote/{order_id}").get_data(as_text=True)
    assert "Tour Incity" in quote and "Bon pour accord" in quote


def test_the_orders_balance_in_paheko_and_are_exported_once(client, runner,
                                                            treasurer_headers, tmp_path):
    from tests.test_paheko import PROJECTS, as_projects, balances, export, paheko_import

    h = treasurer_headers
    before = envelopes(client, h)
    paid_id, _paid = delivered_and_invoiced(client, h)
    client.post(f"/api/v1/orders/{paid_id}/payments", headers=h,
                json={"method": "transfer", "amount_cents": 3000})
    client.post(f"/api/v1/orders/{paid_id}/payments", headers=h,
                json={"method": "cheque", "amount_cents": TOTAL - 3000})
    second = take_order(client, h, {**ORDER, "partner": SNCF["name"], "lines": [
        {"description": "Marquage du logo", "qty": 10, "unit_price_cents": 150}]})
    invoice = client.post(f"/api/v1/orders/{second['id']}/invoice", headers=h).get_json()
    client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=h,
                json={"reason": "Logo retiré", "amount_cents": 500})
    day = utcnow().astimezone(PARIS).date()
    result = export(runner, tmp_path / "books", day, day)
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "books").iterdir()
    accounts, projects = balances(paheko_import(path, set(PROJECTS.values())))
    accounts = {code: cents for code, cents in accounts.items() if cents}  # 4718: 0
    assert accounts == {"411": 1500 - 500, "701": -(TOTAL + 1500 - 500), "512": 3000,
                        "5112": TOTAL - 3000}
    grown = {code: cents - before[code] for code, cents in envelopes(client, h).items()}
    assert projects == as_projects(grown)  # the paid invoice's share
    again = export(runner, tmp_path / "again", day, day)
    assert again.exit_code == 2 and not (tmp_path / "again").exists()


def test_the_api_describes_the_orders(client, demo):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/orders"]["post"]["x-role"] == "treasurer"
    assert spec["paths"]["/orders/{order_id}/made"]["post"]["x-role"] == "seller"
    payment = spec["components"]["schemas"]["OrderPaymentBody"]
    assert payment["properties"]["method"]["enum"] == ["transfer", "cheque"]
    for path in ("/orders/{order_id}/deliveries", "/orders/{order_id}/invoice",
                 "/orders/{order_id}/invoice.pdf", "/orders/{order_id}/payments",
                 "/invoices/{invoice_id}/credit-notes", "/partners"):
        assert path in spec["paths"], path


def test_the_migration_goes_down_and_up_again(tmp_path):
    """Its own SQLite file (PostgreSQL's test database is shared by the run)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from kiosk import create_app, paths

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
                      "SECRET_KEY": "t"}, str(tmp_path / "instance"))
    tables = {"partners", "orders", "order_lines", "order_made", "deliveries",
              "delivery_lines", "invoices", "invoice_lines", "credit_notes", "order_payments"}
    with app.app_context():
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        assert tables <= set(inspect(db.engine).get_table_names())
        downgrade(directory=str(paths.MIGRATIONS_DIR), revision="f2a3b4c5d6e7")
        assert not tables & set(inspect(db.engine).get_table_names())
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        assert tables <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_partners_are_added_once_by_the_page(client, demo):
    assert web_login(client, "Tresoriere", "2345").status_code == 302
    answer = _form(client, "/orders/partners", name="IKEA Dijon", address="Quetigny",
                   contact="M. Meuble")
    assert answer.status_code == 302
    again = _form(client, "/orders/partners", name="ikea dijon", address="", contact="")
    assert again.status_code == 400
    assert "existe déjà" in again.get_data(as_text=True)
    page = client.get("/orders/new").get_data(as_text=True)
    assert page.count(">IKEA Dijon</option>") == 1


def test_the_same_partner_added_twice_at_the_same_instant_is_a_conflict(app, demo):
    """Both checks pass before either commits (PostgreSQL); the second insert waits on the
    unique index and, once the first commits, is the 409 "existe déjà", never a 500."""
    other = Session(db.engine)
    outcome: list[BaseException | None] = []

    def second_treasurer() -> None:
        try:
            with app.app_context(), write_transaction(other):
                add_partner(other, "Musée des Beaux-Arts")
            outcome.append(None)
        except BaseException as exc:  # what it met is the verdict
            outcome.append(exc)

    with write_transaction(db.session):
        add_partner(db.session, "Musée des Beaux-Arts")
        thread = threading.Thread(target=second_treasurer)
        thread.start()
        if BACKEND == "postgresql":  # the second is past its check, held by the index
            waiting = text("SELECT count(*) FROM pg_stat_activity "
                           "WHERE wait_event_type = 'Lock' AND datname = current_database()")
            deadline = time.monotonic() + 30
            with db.engine.connect() as watcher:
                while not watcher.execute(waiting).scalar():
                    assert time.monotonic() < deadline, "the second insert never waited"
                    time.sleep(0.05)
                    watcher.rollback()  # a fresh snapshot of pg_stat_activity
        else:
            time.sleep(0.2)  # SQLite: the second waits at BEGIN IMMEDIATE
    thread.join(30)
    other.close()
    [met] = outcome
    assert isinstance(met, Conflict) and met.code == "partner_exists", met
