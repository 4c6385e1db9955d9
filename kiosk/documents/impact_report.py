"""The impact report as one A4 PDF for a partner or a funder: the same figures as the page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from kiosk.documents.pdf import a4
from kiosk.ledger.money import format_money_for_paper
from kiosk.text import figure

INK = (26, 32, 44)
COLOURS = ((43, 108, 176), (192, 86, 33), (47, 133, 90), (107, 70, 193), (184, 50, 128))


def impact_pdf(context: dict) -> bytes:
    impact, date_from, date_to = context["impact"], context["date_from"], context["date_to"]
    title = _("Notre impact")
    pdf = a4(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_text_color(*INK)
    # Whose report it is: a funder reads it alone (issue 28)
    name = context.get("group_name") or ""
    address = " · ".join(line.strip() for line in (context.get("group_address") or "")
                         .splitlines() if line.strip())
    if name:
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(width, 7, name, align="C", new_x="LMARGIN", new_y="NEXT")
    if address:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 5, address, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 24)
    pdf.cell(width, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 7, _("Du %(start)s au %(end)s", start=f"{date_from:%d/%m/%Y}",
                         end=f"{date_to:%d/%m/%Y}"), align="C", new_x="LMARGIN", new_y="NEXT")
    if context.get("issued_on"):
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(width, 5, _("Rapport établi le %(day)s", day=f"{context['issued_on']:%d/%m/%Y}"),
                 align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    cards = [
        (figure(impact.items_made), _("objets cousus")),
        (figure(impact.items_sold), _("objets vendus")),
        (f"{figure(impact.banner_m2)} m²", _("de bâches qui ont une seconde vie")),
        (f"{figure(impact.banner_kg)} kg", _("de bâches en moins à la benne")),
        (format_money_for_paper(impact.raised_cents), _("récoltés")),
        (format_money_for_paper(impact.solidarity_spent_cents),
         _("pour des actions solidaires")),
        (format_money_for_paper(impact.leisure_spent_cents), _("pour des sorties et loisirs")),
        (figure(impact.sales_days), days_word(impact.sales_days)),
        (f"{figure(impact.volunteer_hours)} h", _("de bénévolat au stand")),
    ]
    card_w, card_h, gap = (width - 2 * 4) / 3, 24, 4
    y = pdf.get_y()
    for index, (value, label) in enumerate(cards):
        column = index % 3
        x = pdf.l_margin + column * (card_w + gap)
        if column == 0:
            y = pdf.get_y()
        colour = COLOURS[index % len(COLOURS)]
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, card_w, card_h, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(x, y + 2)
        pdf.set_font("DejaVu", "B", 15)
        pdf.cell(card_w, 9, value, align="C")
        pdf.set_xy(x + 2, y + 12)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(card_w - 4, 4.5, label, align="C")
        if column == 2 or index == len(cards) - 1:
            pdf.set_xy(pdf.l_margin, y + card_h + gap)
    pdf.set_text_color(*INK)

    _heading(pdf, _("Les bâches de nos partenaires"))
    if context["partners"]:
        top = max(cm2 for _p, _made, _sold, cm2 in context["partners"]) or 1
        for index, (partner, made, sold, cm2) in enumerate(context["partners"]):
            y = pdf.get_y()
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(45, 8, partner[:30])
            pdf.set_fill_color(*COLOURS[index % len(COLOURS)])
            pdf.rect(pdf.l_margin + 46, y + 1.5, max(0.5, 60 * cm2 / top), 5, style="F")
            pdf.set_xy(pdf.l_margin + 110, y)
            pdf.set_font("DejaVu", "", 10)
            pdf.cell(width - 110, 8, _("%(m2)s m² · %(made)s cousus · %(sold)s vendus",
                                       m2=figure(round(cm2 / 10_000, 1)), made=figure(made),
                                       sold=figure(sold)), new_x="LMARGIN", new_y="NEXT")
    else:
        _line(pdf, _("Aucune pièce cousue sur cette période."))

    _heading(pdf, _("Ce que l'argent a permis"))
    if impact.actions:
        for action in impact.actions:
            _pair(pdf, f"{action.day:%d/%m/%Y} · {action.label}",
                  format_money_for_paper(action.cents))
    else:
        _line(pdf, _("Aucune dépense sur cette période."))

    _heading(pdf, _("Le temps des bénévoles"))
    if impact.hours_by_event:
        for hours in impact.hours_by_event:
            _pair(pdf, ngettext("%(event)s, %(num)s bénévole", "%(event)s, %(num)s bénévoles",
                                hours.people, event=hours.label),
                  f"{figure(hours.hours)} h")
        pdf.ln(2)
        for name, hours in context["months"]:
            _pair(pdf, name, f"{figure(hours.hours)} h")
    else:
        _line(pdf, _("Aucune présence au stand enregistrée sur cette période."))
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width, 4, _("Pièces vendues par partenaire : réparties selon les bâches "
                               "dans lesquelles chaque article a été cousu. Poids : "
                               "%(grams)s g par m² de bâche.", grams=impact.grams_per_m2))
    return bytes(pdf.output())


def days_word(count: int) -> str:
    """ "1 jour de vente", "2 jours de vente" (French writes 0 in the singular too)."""
    if count <= 1:
        return _("jour de vente")
    return _("jours de vente")


def _heading(pdf, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(pdf.epw, 9, text, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _line(pdf, text: str) -> None:
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(pdf.epw, 6, text, new_x="LMARGIN", new_y="NEXT")


def _pair(pdf, label: str, value: str) -> None:
    pdf.set_font("DejaVu", "", 11)
    y = pdf.get_y()
    pdf.multi_cell(pdf.epw * 0.75, 6, label, new_x="RIGHT", new_y="TOP")
    pdf.cell(pdf.epw * 0.25, 6, value, align="R")
    pdf.set_y(max(pdf.get_y() + 6, y + 6))
