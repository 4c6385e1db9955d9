"""ESC/POS printing for the kiosk: documents in, bytes out to a printer URL.

Knows nothing of the database or Flask; the kiosk hands it plain data.
"""

from __future__ import annotations

from printer.money import format_cents
from printer.printouts import Document, Label, PaymentLine, Receipt, ReceiptLine, Report, Section
from printer.render import render
from printer.transport import (
    PAPER_OUT,
    UNCONFIRMED,
    NotConfirmed,
    PrinterError,
    PrinterURL,
    paper_status,
    parse_printer_url,
    probe,
    send,
)

__all__ = ["PAPER_OUT", "UNCONFIRMED", "Document", "Label", "NotConfirmed", "PaymentLine",
           "Printer", "PrinterError", "PrinterURL", "Receipt", "ReceiptLine", "Report",
           "Section", "format_cents",
           "paper_status", "parse_printer_url", "render", "send"]


# The settings every kiosk starts with unless told otherwise: python-escpos knows them
# (tests/test_printer.py checks it), so a start with them does not import python-escpos
# only to hear so again (a third of a second on a small board).
KNOWN_SETTINGS = frozenset({("default", "CP858")})


class Printer:
    """One configured printer. `url` is checked at once (ValueError when malformed)."""

    def __init__(self, url: str, profile: str = "default", paper_width: int = 80,
                 codepage: str = "CP858", timeout: float = 3.0,
                 native_qr: bool | None = None) -> None:
        self.target = parse_printer_url(url)
        self.url = (url or "").strip()
        self.profile = profile
        self.paper_width = int(paper_width)
        self.codepage = codepage
        self.timeout = float(timeout)
        self.native_qr = native_qr
        if self.paper_width not in (58, 80):
            raise ValueError("paper width must be 58 or 80 (mm)")
        if (profile, codepage) in KNOWN_SETTINGS:
            return
        try:  # an unknown profile or code page fails now, not at the first sale
            render([], profile=profile, codepage=codepage)
        except Exception as exc:  # python-escpos raises KeyError and others
            raise ValueError(f"printer profile {profile!r} or code page {codepage!r} "
                             f"is not known to python-escpos ({exc!r})") from None

    @property
    def enabled(self) -> bool:
        return self.target.scheme != "none"

    def render(self, document: Document) -> bytes:
        return render(document, paper_width=self.paper_width, codepage=self.codepage,
                      profile=self.profile, native_qr=self.native_qr)

    def print(self, document: Document, timeout: float | None = None) -> None:
        """Renders and sends; raises PrinterError when the printer did not take it all,
        NotConfirmed (a PrinterError) when it took it and did not answer after it."""
        if not self.enabled:
            raise PrinterError("Aucune imprimante n'est configurée.")
        data = self.render(document)
        send(self.url, data, self.timeout if timeout is None else timeout)

    def status(self) -> str:
        if not self.enabled:
            return "unknown"
        return probe(self.url, timeout=min(self.timeout, 1.0))

    def paper(self) -> str:
        """"ok", "low", "out" or "unknown": see transport.paper_status."""
        if not self.enabled:
            return "unknown"
        return paper_status(self.url, timeout=min(self.timeout, 1.0))

    def __repr__(self) -> str:
        return f"Printer({self.url!r}, profile={self.profile!r}, paper_width={self.paper_width})"
