"""The yearly cash book (livre de caisse) of each place the drawers open at: what the
drawers' cash brought in and gave out, closing by closing, with the running balance, as
an A4 PDF (fpdf2, the DejaVu font the kiosk ships for accents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import paths
from kiosk.ledger.money import format_money_for_paper
from kiosk.models import CashSession, CashSessionClosure, Location, Payment, Sale
from kiosk.models.sales import PaymentMethod
from kiosk.services.report_figures import period_bounds
from kiosk.vocabulary import PARIS


@dataclass
class BookLine:
    day: date
    piece: str  # the same Numéro pièce comptable as in the Paheko export: "Caisse 12"
    label: str
    in_cents: int = 0
    out_cents: int = 0
    balance_cents: int = 0


@dataclass
class CashBook:
    year: int
    location_code: str
    location_name: str
    lines: list[BookLine] = field(default_factory=list)

    @property
    def in_cents(self) -> int:
        return sum(line.in_cents for line in self.lines)

    @property
    def out_cents(self) -> int:
        return sum(line.out_cents for line in self.lines)

    @property
    def balance_cents(self) -> int:
        return self.in_cents - self.out_cents


def cash_books(session: Session, year: int) -> list[CashBook]:
    """One book per place with a drawer closed in `year` (Paris time): per closed drawer,
    its net cash sales, then its difference at closing. The balance is what the cash
    account (530) of the Paheko export receives from that place."""
    start, end = period_bounds(date(year, 1, 1), date(year, 12, 31))
    drawers = session.execute(
        select(CashSession, CashSessionClosure, Location)
        .join(CashSessionClosure, CashSessionClosure.cash_session_id == CashSession.id)
        .join(Location, Location.id == CashSession.location_id)
        .where(CashSessionClosure.closed_at >= start, CashSessionClosure.closed_at < end)
        .order_by(CashSessionClosure.closed_at, CashSession.id)).all()
    ids = [drawer.id for drawer, _, _ in drawers]
    cash = dict(session.execute(
        select(Sale.cash_session_id, func.sum(Payment.amount_cents))
        .join(Payment, Payment.sale_id == Sale.id)
        .where(Sale.cash_session_id.in_(ids), Payment.method == PaymentMethod.CASH)
        .group_by(Sale.cash_session_id)).all()) if ids else {}
    books: dict[str, CashBook] = {}
    for drawer, closure, location in drawers:
        book = books.setdefault(location.code, CashBook(year, location.code, location.name))
        day = closure.closed_at.astimezone(PARIS).date()
        piece = f"Caisse {drawer.id}"
        net = int(cash.get(drawer.id) or 0)
        if net:
            book.lines.append(BookLine(day, piece, f"Ventes en espèces, {drawer.name}"
                                       if net > 0 else f"Remboursements en espèces, "
                                       f"{drawer.name}", max(net, 0), max(-net, 0)))
        difference = closure.difference_cents
        if difference:
            book.lines.append(BookLine(day, piece, ("Excédent de caisse" if difference > 0
                                                    else "Manque en caisse")
                                       + f", {drawer.name}", max(difference, 0),
                                       max(-difference, 0)))
    for book in books.values():
        running = 0
        for line in book.lines:
            running += line.in_cents - line.out_cents
            line.balance_cents = running
    return sorted(books.values(), key=lambda b: b.location_name)


def _money(cents: int) -> str:
    return format_money_for_paper(cents) if cents else ""


def cash_book_pdf(books: list[CashBook], year: int, group_name: str = "") -> bytes:
    """Every place's book, each starting on its own page."""
    from fpdf import FPDF  # imported by the first PDF made, not at start

    pdf = FPDF(format="A4")
    fonts = paths.static_dir() / "fonts"
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    widths = (22, 24, 76, 22, 22, 24)
    if not books:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(0, 10, f"Livre de caisse {year}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(0, 8, "Aucune caisse fermée cette année.", new_x="LMARGIN", new_y="NEXT")
    for book in books:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(0, 10, f"Livre de caisse {year} : {book.location_name}",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        if group_name:
            pdf.cell(0, 6, group_name, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, "Espèces des caisses fermées, clôture par clôture ; pièces comme "
                 "dans l'export Paheko.", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

        def header() -> None:
            pdf.set_font("DejaVu", "B", 9)
            for width, title in zip(widths, ("Date", "Pièce", "Libellé", "Recettes",
                                             "Dépenses", "Solde"), strict=True):
                pdf.cell(width, 7, title, border=1, align="C")
            pdf.ln()
            pdf.set_font("DejaVu", "", 9)

        header()
        for line in book.lines:
            if pdf.will_page_break(6):
                pdf.add_page()
                header()
            cells = (line.day.strftime("%d/%m/%Y"), line.piece, line.label[:48],
                     _money(line.in_cents), _money(line.out_cents),
                     format_money_for_paper(line.balance_cents))
            for n, (width, text) in enumerate(zip(widths, cells, strict=True)):
                pdf.cell(width, 6, text, border=1, align="R" if n >= 3 else "L")
            pdf.ln()
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(sum(widths[:3]), 7, f"Total {year}", border=1)
        for width, cents in zip(widths[3:], (book.in_cents, book.out_cents,
                                             book.balance_cents), strict=True):
            pdf.cell(width, 7, format_money_for_paper(cents), border=1, align="R")
        pdf.ln()
    return bytes(pdf.output())
