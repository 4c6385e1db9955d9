"""The minutes of a meeting of the group (issue 30): one A4 page in plain words (FALC),
for the association's board: the date, who was there, each decision with its amount and
its votes, what was spent since the last meeting and what each earlier decision has paid.

Built from the journaled rows each time it is asked for, so a reprint is the same page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from kiosk.documents.pdf import a4
from kiosk.documents.receipts import setting
from kiosk.ledger.money import format_money_for_paper as money
from kiosk.services import meetings
from kiosk.text import _

if TYPE_CHECKING:  # fpdf2 is imported by the first PDF made (kiosk/documents/pdf.py)
    from fpdf import FPDF

BOTTOM = 282.0  # mm: below this the page is full (A4 is 297 mm high)


def decision_words(view: meetings.DecisionView) -> str:
    """One decision in a plain sentence, as the minutes and the big screen say it."""
    decision = view.decision
    if decision.kind == meetings.SPEND and view.envelope is not None:
        return _("%(text)s : %(amount)s de l'enveloppe « %(envelope)s ».",
                 text=decision.text, amount=money(decision.amount_cents or 0),
                 envelope=view.envelope.name)
    if decision.kind == meetings.SPLIT:
        return _("%(text)s : nouvelle répartition à partir du %(day)s.", text=decision.text,
                 day=decision.decided_on.strftime("%d/%m/%Y"))
    return decision.text


def vote_words(view: meetings.DecisionView) -> str:
    decision = view.decision
    if decision.votes_for is None:
        return _("Décidé ensemble, sans compter les mains.")
    verdict = _("Adoptée.") if view.adopted else _("Refusée.")
    return _("Pour : %(for)s. Contre : %(against)s. Sans avis : %(abstain)s.",
             **{"for": decision.votes_for, "against": decision.votes_against,
                "abstain": decision.votes_abstain}) + " " + verdict


class _Page:
    """Lines written down one page; what does not fit is counted, never spills over."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.left_out = 0

    def fits(self, height: float) -> bool:
        return self.pdf.get_y() + height <= BOTTOM - 8

    def title(self, text: str) -> None:
        if not self.fits(16):
            self.left_out += 1
            return
        self.pdf.ln(3)
        self.pdf.set_font("DejaVu", "B", 14)
        self.pdf.cell(self.pdf.epw, 9, text, border="B", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def line(self, text: str, *, bold: bool = False, size: int = 12) -> None:
        # « and » stay with their words when a line wraps (a no-break space, which the
        # embedded font prints; only the receipt printer cannot)
        text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        lines = self.pdf.multi_cell(self.pdf.epw, 6.5, text, dry_run=True, output="LINES")
        if not self.fits(6.5 * len(lines)):
            self.left_out += 1
            return
        self.pdf.multi_cell(self.pdf.epw, 6.5, text, new_x="LMARGIN", new_y="NEXT")


def minutes_pdf(session: Session, meeting_id: int) -> bytes:
    meeting = meetings.get_meeting(session, meeting_id)
    names = meetings.present_names(meeting)
    decisions = meetings.decisions_of(session, meeting.id)
    summary = meetings.summary(session, meeting)
    day = meeting.held_on.strftime("%d/%m/%Y")
    pdf = a4(_("Compte rendu de la réunion du %(day)s", day=day))
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 15, 18)
    pdf.add_page()
    page = _Page(pdf)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(pdf.epw, 6, setting(session, "receipt_name"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(pdf.epw, 10, _("Compte rendu de la réunion du %(day)s", day=day),
                   new_x="LMARGIN", new_y="NEXT")

    page.title(_("Qui était là : 1 personne") if len(names) == 1
               else _("Qui était là : %(n)s personnes", n=len(names)))
    page.line(", ".join(names) + ".")
    if meeting.note:
        page.line(meeting.note)

    page.title(_("Ce que nous avons décidé"))
    if not decisions:
        page.line(_("Rien n'a été décidé."))
    for number, view in enumerate(decisions, start=1):
        page.line(f"{number}. " + decision_words(view), bold=True)
        page.line(vote_words(view), size=11)
        if view.decision.replaces_id is not None:
            page.line(_("Elle remplace la décision n° %(id)s.", id=view.decision.replaces_id),
                      size=11)

    page.title(_("Ce qui a été dépensé depuis la dernière réunion : %(total)s",
                 total=money(summary.spent_cents)))
    if not summary.spends:
        page.line(_("Aucune dépense."))
    for spend in summary.spends:
        cited = (" " + _("(décision n° %(id)s)", id=spend.decision_id)
                 if spend.decision_id else "")
        page.line(f"{spend.day:%d/%m/%Y} · {spend.label} · {spend.envelope} · "
                  f"{money(spend.cents)}{cited}", size=11)

    if summary.past:
        page.title(_("Ce que les décisions d'avant ont déjà payé"))
        for view in summary.past:
            page.line(_("Décision n° %(id)s (%(day)s), %(text)s : %(spent)s payés sur "
                        "%(granted)s.", id=view.decision.id,
                        day=view.decision.decided_on.strftime("%d/%m/%Y"),
                        text=view.decision.text, spent=money(view.spent_cents),
                        granted=money(view.decision.amount_cents or 0)), size=11)

    pdf.set_y(BOTTOM - 7)
    pdf.set_font("DejaVu", "", 9)
    footer = _("Réunion n° %(id)s, enregistrée dans le journal de la caisse.", id=meeting.id)
    if page.left_out:
        footer += " " + _("%(n)s lignes n'ont pas tenu sur la page : voyez la page de la "
                          "réunion.", n=page.left_out)
    pdf.multi_cell(pdf.epw, 4.5, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
