"""A4 PDFs: a printer Report (Z report, hand-over slip) and the fonts every PDF and label uses.

Text uses DejaVu Sans, vendored in static/fonts/: the PDF core fonts have no "€" and no
Unicode, so "Étiquette", "Chèques remis" and "12,50 €" would not print as they should.
"""

from __future__ import annotations

from fpdf import FPDF

from kiosk import paths
from printer.documents import Report


def font_path(bold: bool = False) -> str:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(paths.static_dir() / "fonts" / name)


def a4(title: str) -> FPDF:
    """A blank A4 document in millimetres, with "DejaVu" (regular and "B") ready."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_creator("Fées déclic kiosk")
    pdf.set_title(title)
    return pdf


def report_pdf(report: Report) -> bytes:
    pdf = a4(report.title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    if report.duplicate:
        pdf.set_font("DejaVu", "B", 20)
        pdf.cell(width, 12, "DUPLICATA", align="C", new_x="LMARGIN", new_y="NEXT")
    if report.demo:
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(width, 8, "DÉMO - données d'essai", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(width, 12, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    for line in report.header:
        pdf.cell(width, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(width, 8, section.title, border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        for label, value in section.rows:
            y = pdf.get_y()
            pdf.multi_cell(width * 0.72, 6, label, new_x="RIGHT", new_y="TOP")
            pdf.cell(width * 0.28, 6, value, align="R")
            pdf.set_y(max(pdf.get_y() + 6, y + 6))
    for who in report.signatures:
        pdf.ln(10)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(width, 6, f"{who} (nom et signature) :", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        pdf.cell(width * 0.6, 0, "", border="T", new_x="LMARGIN", new_y="NEXT")
    if report.footer:
        pdf.ln(6)
        pdf.set_font("DejaVu", "", 8)
        for line in report.footer:
            pdf.multi_cell(width, 4, line, new_x="LMARGIN", new_y="NEXT")
    if report.duplicate:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(width, 8, "DUPLICATA", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
