"""Sending bytes to a printer named by a URL (CONTRACT.md, KIOSK_PRINTER).

A job counts as printed only when the printer answered after it: over TCP, serial and USB
the job is followed by the real-time status query DLE EOT 1 (python-escpos' is_online()),
and a printer that takes the bytes and never answers (jammed, frozen) raises
NotConfirmed: sent, not printed. A file or CUPS queue cannot read back: there every byte
written is the best we know. Anything else raises PrinterError with a sentence for a
volunteer.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import struct
import termios
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


class PrinterError(Exception):
    """The printer did not take the job; `reason` says what to do, in French."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_ANSWERING = "L'imprimante ne répond pas : vérifiez qu'elle est allumée."
TOO_SLOW = ("L'imprimante n'a pas pris le ticket à temps : vérifiez le papier "
            "et que le capot est fermé.")
CUT_OFF = "La liaison avec l'imprimante a été coupée : vérifiez son câble ou son réseau."
UNCONFIRMED = ("Envoyé, pas confirmé : l'imprimante n'a pas répondu après le ticket "
               "(bloquée ? papier coincé ?). Il reste en file pour être imprimé de nouveau.")

# DLE EOT 1: "transmit printer status", a real-time command an ESC/POS printer answers
# with one byte once it has read everything sent before it.
CONFIRM_QUERY = b"\x10\x04\x01"


class NotConfirmed(PrinterError):
    """The job was sent but the printer did not answer after it: not printed."""

    def __init__(self) -> None:
        super().__init__(UNCONFIRMED)


@dataclass(frozen=True)
class PrinterURL:
    scheme: str  # tcp, usb, serial, file, cups, none
    host: str = ""
    port: int = 0
    vendor: int = 0
    product: int = 0
    path: str = ""
    queue: str = ""
    baudrate: int = 9600  # serial only: serial:///dev/ttyUSB0?baudrate=19200


def parse_printer_url(url: str) -> PrinterURL:
    """Checks a KIOSK_PRINTER value; raises ValueError saying what is wrong."""
    raw = (url or "").strip()
    if raw.lower() == "none":
        return PrinterURL("none")
    forms = ("tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0, "
             "file:///dev/usb/lp0, cups://QUEUE or none")
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None or parts.path not in ("", "/"):
            raise ValueError(f"printer URL {raw!r}: expected tcp://HOST:PORT (e.g. port 9100)")
        return PrinterURL("tcp", host=parts.hostname, port=port)
    if scheme == "usb":
        try:
            vid, pid = parts.netloc.split(":")
            vendor, product = int(vid, 16), int(pid, 16)
            if not (0 <= vendor <= 0xFFFF and 0 <= product <= 0xFFFF) or parts.path:
                raise ValueError
        except ValueError:
            raise ValueError(f"printer URL {raw!r}: expected usb://VID:PID in hex, "
                             "e.g. usb://04b8:0202") from None
        return PrinterURL("usb", vendor=vendor, product=product)
    if scheme in ("serial", "file"):
        if parts.netloc or not parts.path.startswith("/"):
            raise ValueError(f"printer URL {raw!r}: expected {scheme}:///absolute/path "
                             "(three slashes)")
        baudrate = 9600
        if parts.query:
            key, _, value = parts.query.partition("=")
            if scheme != "serial" or key != "baudrate" or not value.isdigit():
                raise ValueError(f"printer URL {raw!r}: the only option is ?baudrate=N "
                                 "(serial printers)")
            baudrate = int(value)
        return PrinterURL(scheme, path=parts.path, baudrate=baudrate)
    if scheme == "cups":
        queue = parts.netloc or parts.path.strip("/")
        if not queue or "/" in queue:
            raise ValueError(f"printer URL {raw!r}: expected cups://QUEUE")
        return PrinterURL("cups", queue=queue)
    raise ValueError(f"printer URL {raw!r} is not understood: use {forms}")


def send(url: str, data: bytes, timeout: float) -> None:
    """Writes the whole job within `timeout` seconds, or raises PrinterError."""
    target = parse_printer_url(url)
    if target.scheme == "none":
        raise PrinterError("Aucune imprimante n'est configurée.")
    sender = {"tcp": _send_tcp, "usb": _send_usb, "serial": _send_serial,
              "file": _send_file, "cups": _send_cups}[target.scheme]
    sender(target, bytes(data), float(timeout))


def _send_tcp(target: PrinterURL, data: bytes, timeout: float) -> None:
    """A fresh connection per job, closed at the end (python-escpos issue #344: jobs
    printed only when the app stopped). Done with a plain socket so that the whole job,
    connect included, has one deadline, and so that "printed" means the printer's end
    acknowledged every byte (the kernel's send queue drained), not merely that the
    bytes reached our own buffers (issue #253: a printer switched off loses them)."""
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except TimeoutError:
        raise PrinterError(NOT_ANSWERING) from None
    except OSError:
        raise PrinterError(NOT_ANSWERING) from None
    try:
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PrinterError(TOO_SLOW)
            sock.settimeout(left)
            try:
                sent = sock.send(view[:65536])
            except TimeoutError:
                raise PrinterError(TOO_SLOW) from None
            except OSError:
                raise PrinterError(CUT_OFF) from None
            view = view[sent:]
        _wait_until_acknowledged(sock, deadline)
        _wait_for_answer(sock, deadline)
    finally:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def _wait_for_answer(sock: socket.socket, deadline: float) -> None:
    """Asks DLE EOT 1 after the job and waits for its byte: only then was it printed."""
    try:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        sock.sendall(CONFIRM_QUERY)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NotConfirmed
            sock.settimeout(left)
            answer = sock.recv(1)
            if answer:
                return
            raise NotConfirmed  # closed without a word
    except TimeoutError:
        raise NotConfirmed from None
    except OSError:
        raise NotConfirmed from None


def _wait_until_acknowledged(sock: socket.socket, deadline: float) -> None:
    """Waits for the kernel's unacknowledged send queue to empty (Linux TIOCOUTQ)."""
    while True:
        try:
            buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
            pending = struct.unpack("i", buf)[0]
        except OSError:
            return  # not supported here: a complete write is the best we know
        if pending == 0:
            return
        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise PrinterError(CUT_OFF)
        if time.monotonic() >= deadline:
            raise PrinterError(TOO_SLOW)
        time.sleep(0.01)


def _send_file(target: PrinterURL, data: bytes, timeout: float) -> None:
    """A character device such as /dev/usb/lp0 (usblp), written without blocking forever."""
    deadline = time.monotonic() + timeout
    try:
        fd = os.open(target.path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise PrinterError(f"L'imprimante {target.path} est introuvable : vérifiez "
                           "qu'elle est branchée et allumée.") from None
    except PermissionError:
        raise PrinterError(f"Le kiosque n'a pas le droit d'écrire sur {target.path} : "
                           "voir la règle udev dans la documentation.") from None
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            raise PrinterError(f"{target.path} est occupé par un autre programme : "
                               "voir la documentation de l'imprimante.") from None
        raise PrinterError(NOT_ANSWERING) from None
    try:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PrinterError(TOO_SLOW) from None
                time.sleep(0.02)
            except OSError:
                raise PrinterError(CUT_OFF) from None
    finally:
        os.close(fd)


def _send_usb(target: PrinterURL, data: bytes, timeout: float) -> None:
    try:
        from escpos.printer import Usb
    except ImportError:  # pragma: no cover - escpos is a dependency
        raise PrinterError("Le pilote USB n'est pas installé.") from None
    if not Usb.is_usable():
        raise PrinterError("Le pilote USB (pyusb) n'est pas installé sur ce kiosque.")
    printer = None
    try:
        printer = Usb(target.vendor, target.product, timeout=max(1, int(timeout * 1000)))
        printer.open()
        printer._raw(data)
        printer._raw(CONFIRM_QUERY)
        answer = printer._read()
    except PrinterError:
        raise
    except Exception as exc:  # pyusb raises many kinds: all mean "not printed"
        text = f"{type(exc).__name__} {exc}".lower()
        if "nobackend" in text or "no backend" in text:
            raise PrinterError("La bibliothèque libusb manque sur ce kiosque : voir la "
                               "documentation de l'imprimante.") from None
        if "not found" in text or "not plugged" in text:
            raise PrinterError(f"L'imprimante USB {target.vendor:04x}:{target.product:04x} "
                               "est introuvable : vérifiez qu'elle est branchée et "
                               "allumée.") from None
        if "busy" in text:
            raise PrinterError("L'imprimante USB est occupée par le pilote usblp : voir la "
                               "documentation de l'imprimante.") from None
        if "access" in text or "permission" in text:
            raise PrinterError("Le kiosque n'a pas le droit d'utiliser l'imprimante USB : "
                               "voir la règle udev dans la documentation.") from None
        raise PrinterError(NOT_ANSWERING) from None
    finally:
        if printer is not None:
            with contextlib.suppress(Exception):
                printer.close()
    if not answer:
        raise NotConfirmed


def _send_serial(target: PrinterURL, data: bytes, timeout: float) -> None:
    from escpos.printer import Serial

    deadline = time.monotonic() + timeout
    if not Serial.is_usable():
        raise PrinterError("Le pilote série (pyserial) n'est pas installé sur ce kiosque.")
    if not os.path.exists(target.path):
        raise PrinterError(f"L'imprimante {target.path} est introuvable : vérifiez "
                           "qu'elle est branchée et allumée.")
    printer = None
    try:
        printer = Serial(devfile=target.path, baudrate=target.baudrate, timeout=timeout)
        printer.open()
        printer.device.write_timeout = timeout
        printer._raw(data)
        printer.device.flush()
        printer.device.reset_input_buffer()
        printer.device.write(CONFIRM_QUERY)
        printer.device.timeout = max(deadline - time.monotonic(), 0.05)
        answer = printer.device.read(1)
    except Exception:  # any failure of the driver means "not printed"
        raise PrinterError(NOT_ANSWERING) from None
    finally:
        if printer is not None:
            with contextlib.suppress(Exception):
                printer.close()
    if not answer:
        raise NotConfirmed


def _send_cups(target: PrinterURL, data: bytes, timeout: float) -> None:
    try:
        import cups  # noqa: F401 - pycups is optional
        from escpos.printer import CupsPrinter
    except ImportError:
        raise PrinterError("L'impression par CUPS n'est pas installée sur ce kiosque "
                           "(paquet pycups).") from None
    printer = None
    try:
        printer = CupsPrinter(target.queue)
        printer.open(job_name="kiosque")
        printer._raw(data)
        printer.send()
    except Exception:  # any failure of the driver means "not printed"
        raise PrinterError(f"La file d'impression {target.queue} ne répond pas : "
                           "vérifiez l'imprimante dans CUPS.") from None
    finally:
        if printer is not None:
            with contextlib.suppress(Exception):
                printer.close()


def probe(url: str, timeout: float = 1.0) -> str:
    """A hint only (FIELD-NOTES: status answers are unreliable): online/offline/unknown."""
    target = parse_printer_url(url)
    if target.scheme == "tcp":
        try:
            with socket.create_connection((target.host, target.port), timeout=timeout):
                return "online"
        except OSError:
            return "offline"
    if target.scheme == "file":
        return "online" if os.access(target.path, os.W_OK) else "offline"
    if target.scheme == "serial":
        return "online" if os.path.exists(target.path) else "offline"
    return "unknown"


# DLE EOT 4: "transmit the paper roll sensor status", a real-time command most ESC/POS
# printers answer at once with one byte, even between jobs (python-escpos'
# paper_status() sends the same). Bits 2-3: paper near its end; bits 5-6: paper out.
PAPER_QUERY = b"\x10\x04\x04"
NEAR_END_BITS = 0x0C
OUT_BITS = 0x60
PAPER_OUT = "Plus de papier : changez le rouleau, le ticket attend et s'imprimera ensuite."


def paper_status(url: str, timeout: float = 1.0) -> str:
    """"ok", "low" (near its end), "out", or "unknown" (no answer, or a transport that
    cannot read back: usb, file, cups). A hint, as FIELD-NOTES warn: only "out" is acted on,
    and a printer that says nothing is tried as before."""
    target = parse_printer_url(url)
    if target.scheme == "tcp":
        answer = _ask_tcp(target, PAPER_QUERY, timeout)
    elif target.scheme == "serial":
        answer = _ask_serial(target, PAPER_QUERY, timeout)
    else:
        return "unknown"
    return "unknown" if answer is None else paper_state(answer)


def paper_state(answer: int) -> str:
    if answer & 0x93 != 0x12:  # bits 1 and 4 are always set, 0 and 7 clear: not a status
        return "unknown"
    if answer & OUT_BITS:
        return "out"
    return "low" if answer & NEAR_END_BITS else "ok"


def _ask_tcp(target: PrinterURL, query: bytes, timeout: float) -> int | None:
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
            sock.sendall(query)
            answer = sock.recv(1)
    except OSError:
        return None
    return answer[0] if answer else None


def _ask_serial(target: PrinterURL, query: bytes, timeout: float) -> int | None:
    try:
        import serial  # pyserial, the serial extra (docs/printer.md)
    except ImportError:
        return None
    try:
        with serial.Serial(target.path, baudrate=target.baudrate, timeout=timeout,
                           write_timeout=timeout) as port:
            port.write(query)
            answer = port.read(1)
    except (OSError, serial.SerialException):
        return None
    return answer[0] if answer else None
