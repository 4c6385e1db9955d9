"""A4 PDFs: a printer Report (Z report, hand-over slip) and the fonts every PDF and label uses.

Text uses DejaVu Sans, vendored in static/fonts/: the PDF core fonts have no "€" and no
Unicode, so "Étiquette", "Chèques remis" and "12,50 €" would not print as they should.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk import paths
from printer.printouts import Report, Section

if TYPE_CHECKING:  # fpdf2 (and fontTools under it) is imported by the first PDF made
    from fpdf import FPDF

# Millimetres: a row, a section's title and the gap above it, a footer line, the space a
# signature takes, the gap between two columns. A row's label takes this share of its width.
ROW = 5.0
TITLE = 7.0
GAP = 3.0
FOOTER = 3.4
SIGNATURE = 26.0
COLUMN_GAP = 8.0
LABEL_SHARE = 0.68


def font_path(bold: bool = False) -> str:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(paths.static_dir() / "fonts" / name)


def a4(title: str) -> FPDF:
    """A blank A4 document in millimetres, with "DejaVu" (regular and "B") ready."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_creator("Fées déclic kiosk")
    pdf.set_title(title)
    return pdf


def _label_lines(pdf: FPDF, text: str, width: float) -> int:
    """How many lines a row's label takes once wrapped at spaces in `width`."""
    lines = pdf.multi_cell(width, ROW, text, dry_run=True, output="LINES")
    return max(1, len(lines))


def _next_page(pdf: FPDF) -> None:
    """The top of the next page: the right column goes on to the page the left one made."""
    if pdf.page < pdf.pages_count:
        pdf.page += 1
        pdf.set_y(pdf.t_margin)
    else:
        pdf.add_page()


def _section_height(pdf: FPDF, section: Section, width: float) -> float:
    pdf.set_font("DejaVu", "", 10)
    rows = sum(_label_lines(pdf, label, width * LABEL_SHARE) for label, _ in section.rows)
    return GAP + TITLE + rows * ROW


def _write_section(pdf: FPDF, section: Section, x: float, width: float) -> None:
    """One section at x: its title, then each row's label (wrapped) and value on the right.
    A row that would cross the bottom margin starts a new page (and the rows go on there)."""
    if pdf.get_y() > pdf.t_margin + 1:
        pdf.set_y(pdf.get_y() + GAP)
    pdf.set_font("DejaVu", "B", 11)
    if pdf.will_page_break(TITLE + ROW):
        _next_page(pdf)
    pdf.set_x(x)
    pdf.cell(width, TITLE, section.title, border="B", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in section.rows:
        height = _label_lines(pdf, label, width * LABEL_SHARE) * ROW
        if pdf.will_page_break(height):
            _next_page(pdf)
        top = pdf.get_y()
        pdf.set_xy(x, top)
        pdf.multi_cell(width * LABEL_SHARE, ROW, label, new_x="RIGHT", new_y="TOP")
        pdf.cell(width * (1 - LABEL_SHARE), ROW, value, align="R")
        pdf.set_y(top + height)


def _columns(heights: list[float]) -> int:
    """Where to cut the sections into two columns (in order) so the taller one is least."""
    best, cut = None, len(heights)
    for index in range(1, len(heights)):
        taller = max(sum(heights[:index]), sum(heights[index:]))
        if best is None or taller < best:
            best, cut = taller, index
    return cut


def report_pdf(report: Report) -> bytes:
    """The report on A4, on one page for a normal day: the sections in one column when they
    fit, else in two (in reading order: down the left column, then the right)."""
    pdf = a4(report.title)
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    if report.duplicate:
        pdf.set_font("DejaVu", "B", 18)
        pdf.cell(width, 10, "DUPLICATA", align="C", new_x="LMARGIN", new_y="NEXT")
    if report.demo:
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(width, 8, "DÉMO - données d'essai", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 10, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in report.header:
        pdf.cell(width, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    # what comes after the sections, kept on the page with them
    pdf.set_font("DejaVu", "", 7.5)
    after = (SIGNATURE if report.signatures else 0) + (
        3 + FOOTER * sum(_label_lines(pdf, line, width) for line in report.footer)
        if report.footer else 0) + (10 if report.duplicate else 0)
    room = pdf.h - pdf.b_margin - pdf.get_y() - after
    single = [_section_height(pdf, section, width) for section in report.sections]
    column = (width - COLUMN_GAP) / 2
    if sum(single) <= room or len(report.sections) < 2:
        for section in report.sections:
            _write_section(pdf, section, pdf.l_margin, width)
    else:
        halves = [_section_height(pdf, section, column) for section in report.sections]
        cut = _columns(halves)
        top, page = pdf.get_y(), pdf.page
        for section in report.sections[:cut]:
            _write_section(pdf, section, pdf.l_margin, column)
        left_end, left_page = pdf.get_y(), pdf.page
        pdf.page, pdf.y = page, top
        for section in report.sections[cut:]:
            _write_section(pdf, section, pdf.l_margin + column + COLUMN_GAP, column)
        if (pdf.page, pdf.get_y()) < (left_page, left_end):
            pdf.page, pdf.y = left_page, left_end
    if report.signatures:
        pdf.ln(6)
        if pdf.will_page_break(SIGNATURE - 6):
            _next_page(pdf)
        top = pdf.get_y()
        share = width / len(report.signatures)
        pdf.set_font("DejaVu", "", 10)
        for index, who in enumerate(report.signatures):
            x = pdf.l_margin + index * share
            pdf.set_xy(x, top)
            pdf.cell(share - COLUMN_GAP, 5, f"{who} (nom et signature) :")
            pdf.set_xy(x, top + 18)
            pdf.cell(share - COLUMN_GAP, 0, "", border="T")
        pdf.set_xy(pdf.l_margin, top + 20)
    if report.footer:
        pdf.ln(3)
        pdf.set_font("DejaVu", "", 7.5)
        for line in report.footer:
            pdf.multi_cell(width, FOOTER, line, new_x="LMARGIN", new_y="NEXT")
    if report.duplicate:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(width, 8, "DUPLICATA", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
