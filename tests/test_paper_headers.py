"""Issue 27, point 11: the paper speaks for the group as it was named at the first start.
The Z and the slip carry that name, not "Fées déclic"; the slip keeps a short control code
and leaves the command line to the docs; the receipt keeps the address's lines as typed.
Everything read back from the printer's bytes."""

from __future__ import annotations

import pytest

from kiosk.database import write_transaction
from kiosk.documents.receipts import save_settings
from kiosk.extensions import db
from tests.closing_helpers import close_body, open_session, sales_day, sell
from tests.escpos_decode import decode

NAME = "Les Petites Mains de Quetigny"
ADDRESS = "Maison des associations, salle 3\n2 rue des Vergers\n21800 Quetigny"


@pytest.fixture
def app_config(database_url, printer_emulator):
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": printer_emulator.url, "PRINTER_TIMEOUT": 2.0}


@pytest.fixture
def named(demo):
    with write_transaction(db.session):
        save_settings(db.session, {"receipt_name": NAME, "receipt_address": ADDRESS})


def lines_of(job: bytes) -> list[str]:
    return [line.strip() for line in decode(job).lines if line.strip()]


def test_the_z_and_the_slip_carry_the_groups_name(named, client, seller_headers,
                                                  treasurer_headers, printer_emulator):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    closed = client.post(f"/api/v1/cash-sessions/{session_id}/close",
                         headers=treasurer_headers, json=close_body())
    assert closed.get_json()["prints"] == {"z_report": "printed", "slip": "printed"}
    jobs = printer_emulator.wait_for_jobs(2)
    z, slip = (lines_of(job) for job in jobs[-2:])
    for paper in (z, slip):
        assert NAME in paper[:4], paper[:5]
        text = " ".join(paper)
        assert "Fées déclic" not in text and "declic" not in text.lower()
    # the slip, the treasurer's paper, and the Z: a short control code, no command line
    for paper in (z, slip):
        assert "verify-journal" not in " ".join(paper) and "--expect-head" not in " ".join(paper)
        assert any(line.startswith("Code de contrôle : ") for line in paper)


def test_the_receipt_keeps_the_address_lines_as_typed(named, client, seller_headers,
                                                      printer_emulator):
    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).get_json()
    assert client.post(f"/api/v1/sales/{sale['id']}/receipt",
                       headers=seller_headers).get_json()["receipt"]["status"] == "printed"
    paper = lines_of(printer_emulator.wait_for_jobs(1)[0])
    start = paper.index(NAME)  # (after the demo's banner)
    assert start <= 2
    assert paper[start + 1:start + 4] == ["Maison des associations, salle 3", "2 rue des Vergers",
                          "21800 Quetigny"]
