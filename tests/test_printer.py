"""The printer package end to end: documents rendered by python-escpos, sent over TCP
to the emulator, read back with our decoder."""

from __future__ import annotations

import time

import pytest

from printer import (
    Label,
    PaymentLine,
    Printer,
    PrinterError,
    Receipt,
    ReceiptLine,
    Report,
    Section,
    format_cents,
    parse_printer_url,
    render,
    send,
)
from printer.transport import CONFIRM_QUERY
from tests.escpos_decode import UnknownCommand, decode, read_qr


def receipt(**changes) -> Receipt:
    values = dict(
        header=["Fées déclic", "Marché de Noël, place de l'Église"],
        number="2026-000042", when="24/11/2026 16:05", seller="Josée",
        lines=[ReceiptLine("Étiquette de valise TGV", 1, 1250, 1250),
               ReceiptLine("Sac à linge brodé main, coton bio, très grand modèle à "
                           "poignées", 3, 800, 2400),
               ReceiptLine("Pochette à crochet", 1, 123456, 123456)],
        total_cents=127106, payments=[PaymentLine("Espèces", 127106)],
        cash_given_cents=130000, change_cents=2894, footer=["Merci, à bientôt !"])
    values.update(changes)
    return Receipt(**values)


def z_report(**changes) -> Report:
    values = dict(title="RAPPORT Z", header=["Fées déclic"],
                  sections=[Section("Ventes", [("Chiffre d'affaires", format_cents(3650)),
                                               ("Écart de caisse", format_cents(-300))])],
                  footer=["Clôturé le 24/11/2026 à 18:00"],
                  signatures=["Trésorière", "Vendeuse"])
    values.update(changes)
    return Report(**values)


def printed(emulator, n: int = 1):
    return [decode(job) for job in emulator.wait_for_jobs(n)]


def test_amounts_on_paper_use_plain_spaces():
    assert format_cents(1250) == "12,50 €"
    assert format_cents(-300) == "-3,00 €"
    assert format_cents(123456789) == "1 234 567,89 €"
    assert format_cents(5) == "0,05 €"
    assert "\u202f" not in format_cents(123456) and "\xa0" not in format_cents(123456)


@pytest.mark.parametrize("width, cols", [(80, 48), (58, 32)])
def test_receipt_reaches_the_printer_with_accents_euro_and_aligned_amounts(
        printer_emulator, width, cols):
    Printer(printer_emulator.url, paper_width=width).print(receipt())
    [job] = printed(printer_emulator)

    assert job.codepages[0] == 19  # ESC t 19: CP858, chosen by us, not python-escpos' magic
    assert set(job.codepages) == {19}
    for expected in ("Fées déclic", "Étiquette de valise TGV", "Sac à linge", "Josée",
                     "12,50 €", "1 234,56 €", "1 271,06 €", "28,94 €", "Merci, à bientôt !",
                     "Espèces reçues"):
        assert expected in job.text, expected
    assert all(len(line) <= cols for line in job.lines), job.lines
    total = next(line for line in job.lines if line.startswith("TOTAL"))
    assert len(total) == cols and total.endswith("1 271,06 €")
    label_line = next(line for line in job.lines if line.startswith("Étiquette"))
    assert label_line.endswith("12,50 €") and len(label_line) == cols
    # the long name wrapped over lines, its amount right-aligned on the last one
    assert any(line.endswith("24,00 €") and len(line) == cols for line in job.lines)
    assert "  3 x 8,00 €" in job.lines
    assert "DUPLICATA" not in job.text
    assert job.cuts == 1
    assert b"\xd5" in printer_emulator.jobs[0]  # "€" is 0xD5 in CP858


def test_euro_sign_never_goes_out_in_a_greek_code_page():
    data = render(receipt(), profile="TM-T20II")
    assert b"\x1bt\x0f" not in data  # ESC t 15, ISO-8859-7, is what magic encoding picks
    assert decode(data).codepages == [19]


def test_duplicate_says_so_at_top_and_bottom(printer_emulator):
    Printer(printer_emulator.url).print(receipt(duplicate=True))
    [job] = printed(printer_emulator)
    lines = [line for line in job.lines if line.strip()]
    assert lines[0].strip() == "DUPLICATA" and lines[-1].strip() == "DUPLICATA"
    assert b"\x1b!0" in printer_emulator.jobs[0]  # printed big (double width and height)


def test_refund_title_and_negative_amounts():
    job = decode(render(receipt(title="REMBOURSEMENT", total_cents=-1250,
                                lines=[ReceiptLine("Sac à linge", -1, 1250, -1250)],
                                payments=[PaymentLine("Espèces", -1250)],
                                cash_given_cents=None, change_cents=0)))
    assert "REMBOURSEMENT" in job.text
    assert "-12,50 €" in job.text


def test_qr_native_when_the_profile_can(printer_emulator):
    Printer(printer_emulator.url).print(receipt(qr="https://fd.example/r/42"))
    [job] = printed(printer_emulator)
    assert job.native_qr == ["https://fd.example/r/42"]
    assert job.images == []


def test_qr_as_an_image_when_the_profile_cannot(printer_emulator):
    # POS-5890 (58 mm) declares no QR command: the code goes as a raster image
    Printer(printer_emulator.url, profile="POS-5890", paper_width=58).print(
        receipt(qr="https://fd.example/r/42"))
    [job] = printed(printer_emulator)
    assert job.native_qr == []
    assert len(job.images) == 1 and job.images[0].width <= 384
    assert read_qr(job.images[0]) == ["https://fd.example/r/42"]
    assert "Étiquette de valise TGV" in job.text


def test_report_with_sections_and_signatures(printer_emulator):
    Printer(printer_emulator.url, paper_width=58).print(z_report(duplicate=True))
    [job] = printed(printer_emulator)
    assert "RAPPORT Z" in job.text and "Trésorière" in job.text
    assert any(line.startswith("Écart de caisse") and line.endswith("-3,00 €")
               for line in job.lines)
    assert job.lines.count("_" * 32) == 2  # one line to sign on per signature
    assert job.text.count("DUPLICATA") == 2
    assert job.cuts == 1


@pytest.mark.parametrize("native", [True, False])
def test_label_batch_one_cut_per_label_and_qr_read_back(printer_emulator, native):
    labels = [Label("Étiquette de valise TGV", 1250, "ETQ-TGV", "https://fd.example/p/ETQ-TGV"),
              Label("Sac à linge", 800, "SAC-LIN", "SAC-LIN")]
    Printer(printer_emulator.url, native_qr=native).print(labels)
    [job] = printed(printer_emulator)
    assert job.cuts == 2
    assert job.qr_payloads() == ["https://fd.example/p/ETQ-TGV", "SAC-LIN"]
    for text in ("Étiquette de valise TGV", "12,50 €", "ETQ-TGV", "Sac à linge", "8,00 €"):
        assert text in job.text


def test_characters_outside_the_code_page_are_replaced_not_garbled():
    job = decode(render(receipt(lines=[ReceiptLine("Cœur d’artichaut\u202fbrodé", 1, 100,
                                                   100)])))
    assert "Coeur d'artichaut brodé" in job.text


def test_printer_refusing_connections_fails_fast(printer_emulator):
    printer_emulator.refuse()
    start = time.monotonic()
    with pytest.raises(PrinterError) as err:
        Printer(printer_emulator.url, timeout=2).print(receipt())
    assert time.monotonic() - start < 2
    assert "imprimante" in err.value.reason
    assert Printer(printer_emulator.url).status() == "offline"

    printer_emulator.resume()  # back on the same port
    assert Printer(printer_emulator.url).status() == "online"
    Printer(printer_emulator.url).print(receipt())
    [job] = printed(printer_emulator)
    assert "Étiquette de valise TGV" in job.text


def test_hanging_printer_times_out(printer_emulator):
    printer_emulator.hang()
    printer = Printer(printer_emulator.url, timeout=1, native_qr=False)
    # a label batch as images: far more than the printer's receive buffer. Rendered
    # first: the deadline is the sending's, and rendering on a loaded machine is slow.
    data = printer.render([Label("Sac à linge", 800, f"SAC-{i}",
                                 f"https://fd.example/p/SAC-{i}") for i in range(30)])
    start = time.monotonic()
    with pytest.raises(PrinterError) as err:
        send(printer.url, data, printer.timeout)
    assert time.monotonic() - start < 2
    assert err.value.reason
    assert printer_emulator.jobs == []


def test_bytes_left_in_our_socket_buffer_are_not_printed(printer_emulator):
    """Bytes sitting in our own socket buffer are not printed: we wait for the printer to
    acknowledge them, and a printer that stops reading never does past its buffer."""
    printer_emulator.hang()
    start = time.monotonic()
    with pytest.raises(PrinterError):
        send(printer_emulator.url, b"x" * 200_000, timeout=1)
    assert time.monotonic() - start < 2


def test_no_printer_configured():
    printer = Printer("none")
    assert not printer.enabled
    assert printer.status() == "unknown"
    with pytest.raises(PrinterError):
        printer.print(receipt())


def test_missing_device_file_is_a_printer_error(tmp_path):
    with pytest.raises(PrinterError) as err:
        Printer(f"file://{tmp_path}/lp0").print(receipt())
    assert "introuvable" in err.value.reason


def test_device_file_receives_the_job(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    Printer(f"file://{device}").print(receipt())
    assert "Sac à linge" in decode(device.read_bytes()).text


def test_serial_printer_receives_the_job_through_a_pseudo_terminal():
    """serial:// through python-escpos and pyserial for real: the test holds the other
    end of a pseudo-terminal, as a printer on a USB-serial cable would, and reads what a
    customer would get, accents and "€" included."""
    import os
    import threading

    pytest.importorskip("serial")
    controller, device = os.openpty()
    received = bytearray()
    done = threading.Event()

    def read() -> None:  # like the printer: take bytes until the sender has finished
        while not done.is_set() or _readable(controller):
            if _readable(controller):
                received.extend(os.read(controller, 4096))
                if received.endswith(CONFIRM_QUERY):  # answers DLE EOT 1 after the job
                    del received[-3:]
                    os.write(controller, b"\x16")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        Printer(f"serial://{os.ttyname(device)}?baudrate=19200").print(receipt())
    finally:
        done.set()
        reader.join(5)
        os.close(device)
        os.close(controller)
    text = decode(bytes(received)).text
    assert "Sac à linge" in text and "12,50 €" in text


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0.05)[0])


def test_cups_without_pycups_is_a_printer_error():
    pytest.importorskip("escpos")
    try:
        import cups  # noqa: F401
    except ImportError:
        with pytest.raises(PrinterError):
            Printer("cups://Ticket").print(receipt())
    else:  # pragma: no cover - pycups present
        pytest.skip("pycups is installed here")


@pytest.mark.parametrize("url", [
    "", "tcp://printer", "tcp://:9100", "tcp://host:port", "tcp://host:99999",
    "usb://04b8", "usb://zz:0202", "usb://04b8:0202/x", "serial://dev/ttyUSB0",
    "file://dev/usb/lp0", "file:relative", "cups://", "lpt1", "http://printer:9100",
    "serial:///dev/ttyUSB0?baud=9600", "file:///dev/usb/lp0?baudrate=9600",
])
def test_bad_printer_urls_are_refused_when_configured(url):
    with pytest.raises(ValueError):
        parse_printer_url(url)
    with pytest.raises(ValueError):
        Printer(url)


@pytest.mark.parametrize("url, scheme", [
    ("tcp://192.168.1.50:9100", "tcp"), ("usb://04b8:0202", "usb"),
    ("serial:///dev/ttyUSB0", "serial"), ("file:///dev/usb/lp0", "file"),
    ("serial:///dev/ttyUSB0?baudrate=19200", "serial"),
    ("cups://TM-T20", "cups"), ("none", "none"), ("NONE", "none"),
])
def test_good_printer_urls(url, scheme):
    assert parse_printer_url(url).scheme == scheme


def test_the_settings_a_printer_starts_with_need_no_check():
    """Printer() skips python-escpos' check for these (the start stays light): it must
    really know them."""
    from printer import KNOWN_SETTINGS

    for profile, codepage in KNOWN_SETTINGS:
        for width in (58, 80):
            assert render([], profile=profile, codepage=codepage, paper_width=width)


def test_unknown_profile_or_code_page_is_refused():
    with pytest.raises(ValueError):
        Printer("none", profile="no-such-printer")
    with pytest.raises(ValueError):
        Printer("none", codepage="CP9999")
    with pytest.raises(ValueError):
        Printer("none", paper_width=72)


def test_decoder_refuses_unknown_commands():
    with pytest.raises(UnknownCommand):
        decode(b"\x1b@\x1bZ\x00abc")
    with pytest.raises(UnknownCommand):
        decode(b"\x1d\x99")
    with pytest.raises(UnknownCommand):
        decode(b"\x1bt\x13abc\x07")


@pytest.mark.parametrize("url", ["usb://04b8:0202", "serial:///dev/ttyNOPE0"])
def test_absent_usb_or_serial_printer_is_a_printer_error(url):
    """Whether or not pyusb/pyserial are installed, nothing plugged in means PrinterError."""
    start = time.monotonic()
    with pytest.raises(PrinterError) as err:
        Printer(url, timeout=1).print(receipt())
    assert err.value.reason
    assert time.monotonic() - start < 3


def test_control_characters_in_any_text_never_reach_the_printer():
    """A drawer, product or volunteer named with ESC @ (reset), GS V 0 (cut) or DLE DC4
    (cash-drawer pulse) prints as plain text: the bytes are those of the clean names."""
    dirty = "Caisse\x1b@ IKEA\x1dV\x00\x10\x14\x01\x05\x7f\x9b"
    clean = "Caisse@ IKEAV"

    def z(name: str) -> Report:
        return Report(title="RAPPORT Z", header=[name],
                      sections=[Section(name, [(name, format_cents(100))])],
                      footer=[name])

    def ticket(name: str) -> Receipt:
        return receipt(header=[name], seller=name,
                       lines=[ReceiptLine(name, 1, 1250, 1250)], footer=[name])

    for make in (z, ticket):
        assert render(make(dirty)) == render(make(clean))
    assert render(Label(name=dirty, price_cents=500, sku="SAC", qr_payload="SAC")) == render(
        Label(name=clean, price_cents=500, sku="SAC", qr_payload="SAC"))
    job = decode(render(z(dirty)))
    assert "Caisse@ IKEAV" in job.text and job.cuts == 1
    assert render(z("deux\nlignes")) == render(z("deux lignes"))


@pytest.mark.parametrize("state", ["ok", "low", "out", None])
def test_the_paper_status_is_asked_and_read(printer_emulator, state):
    printer_emulator.paper = state
    expected = state or "unknown"  # a printer that does not answer: unknown, never "out"
    assert Printer(printer_emulator.url, timeout=0.5).paper() == expected
    assert printer_emulator.status_queries == 1 and printer_emulator.jobs == []


def test_paper_status_of_what_cannot_answer():
    assert Printer("none").paper() == "unknown"
    assert Printer("tcp://127.0.0.1:9", timeout=0.3).paper() == "unknown"  # nobody there
    assert Printer("file:///dev/null").paper() == "unknown"
