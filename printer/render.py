"""Documents to ESC/POS bytes through python-escpos (a Dummy printer collects them).

The code page is chosen here, never left to python-escpos' "magic" encoding, which
sends "€" in a Greek page many printers garble (FIELD-NOTES): `ESC t` for the page
named by `codepage` (CP858 by default: French accents and "€" at 0xD5).

python-escpos, qrcode and Pillow are imported at the first document (`warm()` does it
ahead, off the request), not with this module: a process that prints nothing (a CLI
command, the server's start) does not pay for them.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import textwrap
import unicodedata
from pathlib import Path

from printer.money import format_cents
from printer.printouts import Label, Receipt, Report

# Characters of the text that the single-byte code pages lack, with what prints instead.
_REPLACEMENTS = str.maketrans({
    "\u202f": " ", "\u00a0": " ", "\u2009": " ", "\u2007": " ",  # no-break/thin spaces
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u0153": "oe", "\u0152": "OE",
    "\t": " ", "\r": "",
})

PAPER = {58: (32, 384), 80: (48, 576)}  # mm -> (characters a line in font A, dots)


DEMO = "DÉMO"


def _keep_capabilities() -> None:
    """python-escpos parses its 96 KB capabilities file with PyYAML at each import (a fifth
    of a second here, more on a small board) unless ESCPOS_CAPABILITIES_PICKLE_DIR names a
    folder where it keeps them pickled; without it, each process makes a new temporary
    folder for that pickle and leaves it behind. Ours: a private folder of the user's cache
    (the pickle is loaded: a folder another user could write to is never used)."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = base / "kiosk-escpos"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                or not os.access(folder, os.W_OK)):
            return
    except (OSError, RuntimeError):
        return  # no home, a read-only one: python-escpos' own temporary folder
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)


_keep_capabilities()  # before any import of python-escpos in this process (transport's too)


def warm() -> None:
    """Import what printing needs now (python-escpos, its profiles, qrcode, Pillow), so
    that the first receipt does not wait for it."""
    import escpos.printer  # noqa: F401
    import qrcode  # noqa: F401
    from PIL import Image  # noqa: F401


def printable(text: str) -> str:
    """Text as the printer may receive it: whatever the caller hands over, a control
    character never reaches the printer as a command (ESC @, GS V, DLE DC4 would reset,
    cut or open the cash drawer); a line break inside a text is a space."""
    text = str(text).translate(_REPLACEMENTS)
    return "".join(" " if ch == "\n" else ch for ch in text
                   if ch == "\n" or unicodedata.category(ch) != "Cc")


class _Sheet:
    """A Dummy printer plus the layout helpers our documents share."""

    def __init__(self, paper_width: int, codepage: str, profile: str,
                 native_qr: bool | None) -> None:
        if paper_width not in PAPER:
            raise ValueError("paper_width must be 58 or 80")
        self.cols, dots = PAPER[paper_width]
        from escpos.printer import Dummy

        self.p = Dummy(profile=profile)
        try:
            profile_dots = int(self.p.profile.profile_data["media"]["width"]["pixels"])
        except (KeyError, TypeError, ValueError):
            profile_dots = dots
        self.dots = min(dots, profile_dots)
        self.native_qr = (self.p.profile.supports("qrCode") if native_qr is None
                          else native_qr)
        self.codepage = codepage
        self.reset()

    def reset(self) -> None:
        """ESC @ then our code page: ESC @ resets the printer's page, so select it again."""
        self.p.hw("INIT")
        self.p.magic.encoding = None  # the printer forgot it; make python-escpos resend it
        self.p.charcode(self.codepage)

    # text
    def style(self, *, align: str = "left", bold: bool = False, big: bool = False,
              tall: bool = False) -> None:
        self.p.set(align=align, bold=bold, normal_textsize=not (big or tall),
                   double_width=big, double_height=big or tall)

    def line(self, text: str = "") -> None:
        self.p.text(printable(text) + "\n")

    def centered(self, lines: list[str], **style) -> None:
        if not lines:
            return
        self.style(align="center", **style)
        width = self.cols // 2 if style.get("big") else self.cols
        for text in lines:
            for part in wrap(printable(text), width):
                self.line(part)
        self.style()

    def rule(self, char: str = "-") -> None:
        self.line(char * self.cols)

    def row(self, left: str, right: str, cols: int | None = None) -> None:
        """`left .... right` on one line; a long left wraps, right ends the last line."""
        cols = cols or self.cols
        left, right = printable(left), printable(right)
        if len(left) + 1 + len(right) <= cols:
            self.line(left + " " * (cols - len(left) - len(right)) + right)
            return
        parts = wrap(left, max(cols - len(right) - 1, cols // 2))
        for part in parts[:-1]:
            self.line(part)
        last = parts[-1]
        if len(last) + 1 + len(right) <= cols:
            self.line(last + " " * (cols - len(last) - len(right)) + right)
        else:
            self.line(last)
            self.line(right.rjust(cols))

    def duplicate_banner(self) -> None:
        self.banner("DUPLICATA")

    def banner(self, word: str) -> None:
        self.style(align="center", bold=True, big=True)
        self.line(word)
        self.style()

    # images
    def qr(self, payload: str, size: int) -> None:
        if not payload:
            return
        if self.native_qr:
            from escpos.constants import QR_ECLEVEL_M

            self.p.set(align="center")
            self.p.qr(payload, size=size, native=True, ec=QR_ECLEVEL_M)
            self.p.text("\n")
            self.p.set(align="left")
            return
        import qrcode
        from PIL import Image

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                             box_size=size, border=2)
        code.add_data(payload)
        code.make(fit=True)
        img = code.make_image().get_image().convert("1")
        if img.width < self.dots:  # centred by hand: python-escpos only can with a known width
            canvas = Image.new("1", (self.dots, img.height), 1)
            canvas.paste(img, ((self.dots - img.width) // 2, 0))
            img = canvas
        with contextlib.redirect_stdout(io.StringIO()):  # escpos prints a remark on
            self.p.image(img, impl="bitImageRaster")  # profiles of unknown width
        self.p.text("\n")

    def cut(self) -> None:
        self.p.cut()

    @property
    def output(self) -> bytes:
        return self.p.output


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def render(document, *, paper_width: int = 80, codepage: str = "CP858",
           profile: str = "default", native_qr: bool | None = None) -> bytes:
    """ESC/POS bytes of a Receipt, a Report, a Label or a list of labels (one cut each).

    native_qr: None draws QR codes with `GS ( k` when the profile says the printer can,
    else as a raster image; True/False force one way.
    """
    sheet = _Sheet(int(paper_width), codepage, profile, native_qr)
    if isinstance(document, Receipt):
        _receipt(sheet, document)
    elif isinstance(document, Report):
        _report(sheet, document)
    elif isinstance(document, Label):
        _label(sheet, document)
    elif isinstance(document, list) and all(isinstance(d, Label) for d in document):
        for label in document:
            _label(sheet, label)
    else:
        raise TypeError(f"cannot print a {type(document).__name__}")
    return sheet.output


def _receipt(s: _Sheet, r: Receipt) -> None:
    if r.duplicate:
        s.duplicate_banner()
    if r.demo:
        s.banner(DEMO)
    s.centered(r.header[:1], bold=True, tall=True)
    s.centered(r.header[1:])
    if r.title:
        s.line()
        s.centered([r.title], bold=True, big=True)
    s.line()
    s.line(f"Ticket n° {r.number}")
    s.line(r.when)
    if r.seller:
        s.line(f"Vendu par {r.seller}")
    s.rule()
    for item in r.lines:
        s.row(item.name, format_cents(item.total_cents))
        if item.qty != 1:
            s.line(f"  {item.qty} x {format_cents(item.unit_price_cents)}")
        if (item.catalogue_price_cents is not None
                and item.catalogue_price_cents != item.unit_price_cents):
            s.line(f"  Prix modifié : {format_cents(item.unit_price_cents)} au lieu de "
                   f"{format_cents(item.catalogue_price_cents)}")
    s.rule()
    s.style(bold=True, tall=True)
    s.row("TOTAL", format_cents(r.total_cents))
    s.style()
    if r.donation_cents > 0:  # a gift is not a sale line: apart, after the total
        s.line(f"Don : {format_cents(r.donation_cents)} — merci !")
    elif r.donation_cents < 0:
        s.line(f"Don rendu : {format_cents(-r.donation_cents)}")
    for payment in r.payments:
        s.row(payment.label, format_cents(payment.amount_cents))
    if r.cash_given_cents is not None:
        s.row("Espèces reçues", format_cents(r.cash_given_cents))
        s.row("Rendu", format_cents(r.change_cents))
    elif r.change_cents:
        s.row("Rendu", format_cents(r.change_cents))
    if r.footer:
        s.line()
        s.centered(r.footer)
    if r.qr:
        s.line()
        s.qr(r.qr, size=4 if s.cols < 48 else 6)
    if r.demo:
        s.banner(DEMO)
    if r.duplicate:
        s.duplicate_banner()
    s.cut()


def _report(s: _Sheet, r: Report) -> None:
    if r.duplicate:
        s.duplicate_banner()
    if r.demo:
        s.banner(DEMO)
    s.centered(r.header)
    s.line()
    s.centered([r.title], bold=True, tall=True)
    for section in r.sections:
        s.line()
        if section.title:
            s.style(bold=True)
            s.line(section.title)
            s.style()
            s.rule()
        for left, right in section.rows:
            s.row(left, right)
    if r.footer:
        s.line()
        s.centered(r.footer)
    for who in r.signatures:
        s.line()
        s.line(who)
        s.line()
        s.line()
        s.rule("_")
    if r.demo:
        s.line()
        s.banner(DEMO)
    if r.duplicate:
        s.line()
        s.duplicate_banner()
    s.cut()


def _label(s: _Sheet, label: Label) -> None:
    s.centered([label.name], bold=True)
    s.centered([format_cents(label.price_cents)], bold=True, big=True)
    s.centered([label.sku])
    s.qr(label.qr_payload, size=4 if s.cols < 48 else 6)
    s.cut()
