"""A price other than the catalogue's (a treasurer's choice) says so on paper: the receipt
names both prices, and so does the Z report; the line keeps the catalogue's price of that
day, journaled (issue 15, point 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from kiosk.extensions import db
from kiosk.models import Product, SaleLine
from tests.closing_helpers import open_session, sell
from tests.escpos_decode import decode


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 2.0}


def flat(text_: str) -> str:
    return " ".join(text_.split())


def bag_price() -> int:
    return db.session.scalar(select(Product.price_cents).where(Product.sku == "SAC-IKEA"))


def test_a_chosen_price_is_named_on_the_receipt_and_the_z(client, seller_headers,
                                                          treasurer_headers, printer_emulator):
    catalogue = bag_price()
    session_id = open_session(client, seller_headers)
    chosen = sell(client, treasurer_headers, session_id,
                  [{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": catalogue - 500},
                   {"sku": "ETIQ-TGV", "qty": 1}],
                  [{"method": "card", "amount_cents": catalogue - 500 + 400}])
    assert chosen.status_code == 201, chosen.get_json()
    usual = sell(client, seller_headers, session_id, [{"sku": "SAC-IKEA", "qty": 1}],
                 [{"method": "card", "amount_cents": catalogue}])
    assert usual.status_code == 201, usual.get_json()
    receipts = client.post(f"/api/v1/sales/{chosen.get_json()['id']}/receipt",
                           headers=seller_headers), \
        client.post(f"/api/v1/sales/{usual.get_json()['id']}/receipt", headers=seller_headers)
    assert [r.get_json()["receipt"]["status"] for r in receipts] == ["printed", "printed"]
    printed = [flat(decode(job).text) for job in printer_emulator.wait_for_jobs(2)]
    chosen_text, usual_text = (next(t for t in printed if f"Ticket n° {sale['number']}" in t)
                               for sale in (chosen.get_json(), usual.get_json()))
    money = lambda cents: f"{cents // 100},{cents % 100:02d} €"  # noqa: E731
    assert f"Prix modifié : {money(catalogue - 500)} au lieu de {money(catalogue)}" \
        in chosen_text
    assert chosen_text.count("Prix modifié") == 1  # the label at its catalogue price is not
    assert "Prix modifié" not in usual_text

    # The catalogue changes afterwards: the paper still says what the price was that day.
    db.session.execute(text("UPDATE products SET price_cents = price_cents + 300 "
                            "WHERE sku = 'SAC-IKEA'"))
    db.session.commit()
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                         json={"counted": {"1000": 2, "200": 5}, "cheques": [],
                               "card_total_cents": 2 * catalogue - 500 + 400})
    assert closed.status_code == 200, closed.get_json()
    z = next(flat(decode(job).text) for job in printer_emulator.wait_for_jobs(3)
             if "TICKET Z" in decode(job).text)
    number = chosen.get_json()["number"]
    changed = z.split("Prix modifiés", 1)[1].split("Annulations et remboursements", 1)[0]
    assert (f"{number} Sac bandoulière IKEA x 1 : {money(catalogue - 500)} "
            f"au lieu de {money(catalogue)}") in changed
    assert usual.get_json()["number"] not in changed


def test_the_catalogue_price_of_a_line_is_journaled(client, runner, seller_headers,
                                                    treasurer_headers):
    session_id = open_session(client, seller_headers)
    sold = sell(client, treasurer_headers, session_id,
                [{"sku": "SAC-IKEA", "qty": 1, "unit_price_cents": 100}],
                [{"method": "card", "amount_cents": 100}])
    assert sold.status_code == 201, sold.get_json()
    line = db.session.scalar(select(SaleLine).where(SaleLine.sale_id == sold.get_json()["id"]))
    assert line.catalogue_price_cents == bag_price() and line.price_changed
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    # Making the chosen price look like the catalogue's, behind the app's back, is seen.
    db.session.execute(text("UPDATE sale_lines SET catalogue_price_cents = 100 WHERE id = :id"),
                       {"id": line.id})
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1 and f"sale_lines n° {line.id}" in result.output
