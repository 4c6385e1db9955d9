"""A USB receipt printer found by itself: the scan reads a folder made like /sys and /dev
(the box's own are read the same way, without root), and the printer page offers what it
finds, with a test ticket that lands on the printer chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.documents import queue, usb
from kiosk.extensions import db
from kiosk.models.settings import Setting
from tests.conftest import csrf_token, web_login
from tests.escpos_decode import decode


def usb_device(root: Path, port: str, vendor: str, product: str, *, classes=("07",),
               lp: str | None = None, manufacturer: str = "", name: str = "") -> None:
    """One device in sys/bus/usb/devices, as the kernel lays it out: the device's folder
    (idVendor, idProduct, its own names) and one folder per interface (1-1:1.0)."""
    devices = root / "sys" / "bus" / "usb" / "devices"
    device = devices / port
    device.mkdir(parents=True)
    (device / "idVendor").write_text(vendor + "\n")
    (device / "idProduct").write_text(product + "\n")
    if manufacturer:
        (device / "manufacturer").write_text(manufacturer + "\n")
    if name:
        (device / "product").write_text(name + "\n")
    for number, cls in enumerate(classes):
        interface = devices / f"{port}:1.{number}"
        interface.mkdir()
        (interface / "bInterfaceClass").write_text(cls + "\n")
        if lp and number == 0:
            (interface / "usbmisc" / lp).mkdir(parents=True)
            (root / "dev" / "usb").mkdir(parents=True, exist_ok=True)
            (root / "dev" / "usb" / lp).write_bytes(b"")  # the printer, as a file


@pytest.fixture
def plugged(tmp_path) -> Path:
    """A box with an Epson on /dev/usb/lp0, a Star without the kernel's printer driver, a
    printer of an unknown maker, a keyboard and the root hub."""
    root = tmp_path / "box"
    usb_device(root, "usb1", "1d6b", "0002", classes=("09",))  # the root hub
    usb_device(root, "1-1", "04b8", "0e15", lp="lp0", manufacturer="EPSON", name="TM-T20II")
    usb_device(root, "1-2", "046d", "c31c", classes=("03",), name="USB Keyboard")
    usb_device(root, "1-3", "0519", "0003", classes=("ff",))  # Star, vendor class
    usb_device(root, "1-4", "1234", "5678", name="POS58")  # unknown maker, printer class
    return root


def test_the_scan_finds_receipt_printers_and_nothing_else(plugged):
    found = usb.find_printers(plugged)
    lp0 = f"file://{(plugged / 'dev' / 'usb' / 'lp0').resolve()}"
    assert [p.url for p in found] == [lp0, "usb://0519:0003", "usb://1234:5678"]
    epson = found[0]
    assert epson.name == "EPSON TM-T20II (04b8:0e15)" and epson.profile == "TM-T20II"
    assert found[1].name.startswith("Star Micronics")
    assert usb.find_printers(plugged.parent / "nothing-here") == []


def test_a_printer_device_without_its_usb_folder_is_found_too(tmp_path):
    (tmp_path / "dev" / "usb").mkdir(parents=True)
    (tmp_path / "dev" / "usb" / "lp1").write_bytes(b"")
    assert [p.name for p in usb.find_printers(tmp_path)] == ["/dev/usb/lp1"]


@pytest.fixture
def app_config(database_url, plugged) -> dict:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "USB_ROOT": str(plugged)}


def test_the_printer_page_offers_the_found_printer_and_prints_a_test_ticket(
        demo, client, plugged):
    web_login(client, "Admin", "1234")
    page = client.get("/admin/printer").text
    lp0 = f"file://{(plugged / 'dev' / 'usb' / 'lp0').resolve()}"
    assert f'data-found="{lp0}"' in page and "EPSON TM-T20II" in page
    assert 'data-found="usb://0519:0003"' in page
    assert "data-chosen" not in page

    answer = client.post("/admin/printer/found", data={
        "csrf_token": csrf_token(client, "/admin/printer"), "url": lp0})
    assert answer.status_code == 303
    printed = decode((plugged / "dev" / "usb" / "lp0").read_bytes())
    assert "TICKET DE TEST" in printed.text and "Admin" in printed.text
    # From now on receipts and labels go there, with the profile its maker suggests.
    assert queue.get_printer("receipt").url == lp0
    assert queue.get_printer("receipt").profile == "TM-T20II"
    assert queue.get_printer("label").url == lp0
    assert 'data-chosen' in client.get("/admin/printer").text
    assert db.session.get(Setting, usb.CHOSEN).value == f"{lp0} TM-T20II"


def test_a_printer_that_is_not_plugged_in_is_refused(demo, client):
    web_login(client, "Admin", "1234")
    answer = client.post("/admin/printer/found", data={
        "csrf_token": csrf_token(client, "/admin/printer"), "url": "tcp://10.0.0.9:9100"})
    assert answer.status_code == 400 and "plus branchée" in answer.text
    assert db.session.get(Setting, usb.CHOSEN) is None
    assert not queue.get_printer("receipt").enabled


def test_a_printer_typed_in_kiosk_printer_stays_the_one(app, demo, client, plugged):
    app.config["PRINTER"] = "tcp://127.0.0.1:9"
    web_login(client, "Admin", "1234")
    page = client.get("/admin/printer").text
    assert "EPSON TM-T20II" in page and "Utiliser et imprimer" not in page
