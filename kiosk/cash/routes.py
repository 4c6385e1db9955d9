"""Pages of the cash area: the sessions, closing a drawer, the Z report and the slip,
the exports and the journal."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from kiosk import sales as sales_service
from kiosk import vocabulary
from kiosk.auth.roles import seller_required, treasurer_required
from kiosk.cash import bp
from kiosk.cash.forms import CHEQUE_ROWS, CloseForm, ExportForm
from kiosk.common.input import arg_number
from kiosk.common.views import posted, read_counts, refusals, sent, texts_form, typed
from kiosk.database import utcnow, write_transaction
from kiosk.documents import closing as closing_documents
from kiosk.documents import queue
from kiosk.documents.cash_book import cash_book_pdf, cash_books
from kiosk.documents.pdf import report_pdf
from kiosk.extensions import db
from kiosk.ledger import journal_checks
from kiosk.models import CashSession, Envelope, JournalEntry, Location, User
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.services import exports, paheko_accounts, replica, tablets
from kiosk.services.closing import (
    ChequeIn,
    close_cash_session,
    closed_figures,
    counted_lines,
    difference_in_words,
    preview_close,
    session_cheques,
    session_totals,
)
from kiosk.vocabulary import MAX_COUNT, NAME_MAX, PARIS

DOCUMENT_NAMES = {"z_report": _l("Ticket Z"), "slip": _l("Bordereau de remise")}


def denomination_label(cents: int) -> str:
    if cents >= 500:
        return _("Billets de %(n)s €", n=cents // 100)
    if cents >= 100:
        return _("Pièces de %(n)s €", n=cents // 100)
    return _("Pièces de %(n)s c", n=cents)


@bp.route("/sessions")
@seller_required
def index():
    return _index()


def _index(error: str | None = None, number: str = "", status: int = 200):
    sessions = db.session.scalars(select(CashSession).order_by(CashSession.id.desc())
                                  .limit(200)).all()
    locations = {loc.id: loc for loc in db.session.scalars(select(Location))}
    by_location: dict[str, list[CashSession]] = {}
    for cash_session in sessions:
        by_location.setdefault(locations[cash_session.location_id].name, []).append(cash_session)
    return render_template("cash/index.html", by_location=by_location, search_error=error,
                           number=number), status


@bp.route("/sessions/find")
@seller_required
def find_sale():
    """The search by ticket number: opens that sale's page (its refund and reprint)."""
    number = request.args.get("number", "")[:40]
    with refusals() as refused:
        sale = sales_service.find_by_number(db.session, number)
        return redirect(url_for("sell.sale_page", sale_id=sale.id))
    return _index(refused.message, number, refused.status)


def _open_session_or_404(session_id: int) -> CashSession:
    cash_session = db.session.get(CashSession, session_id)
    if cash_session is None:
        abort(404)
    return cash_session


def _read_close_form(form: CloseForm) -> tuple[dict[int, int], list[ChequeIn], int,
                                                list[dict], list[str]]:
    """The counters, cheques and card total as typed; the problems in plain words."""
    read = read_counts({d: f"count-{d}" for d in DENOMINATIONS_CENTS}, maximum=MAX_COUNT)
    counted = read.values
    problems = [_("%(what)s : écrivez un nombre de 0 à %(max)s.",
                  what=denomination_label(denomination), max=MAX_COUNT)
                for denomination in read.bad]
    cheques, cheque_rows = [], []
    for i, (amount, drawer) in enumerate(form.cheque_rows()):
        typed_amount = (amount.raw_data or [""])[0].strip()
        cheque_rows.append({"amount": typed_amount, "drawer": drawer.data})
        if not typed_amount and not drawer.data:
            continue
        if amount.data is None:
            problems.append(_("Chèque n° %(n)s : écrivez son montant, par exemple 12,50.",
                              n=i + 1))
            continue
        if amount.data <= 0:
            problems.append(_("Chèque n° %(n)s : le montant doit être plus grand que 0.",
                              n=i + 1))
            continue
        cheques.append(ChequeIn(amount.data, drawer.data[:NAME_MAX]))
    problems += [str(error) for error in form.card_total.errors]
    card = form.card_total.data or 0  # an empty box: no card payment
    return counted, cheques, card, cheque_rows, problems


@bp.route("/sessions/<int:session_id>/close", methods=["GET", "POST"])
@treasurer_required
def close(session_id: int):
    cash_session = _open_session_or_404(session_id)
    if not cash_session.is_open:
        flash(_("Cette caisse est déjà fermée."), "info")
        return redirect(url_for("cash.show", session_id=session_id))
    form = CloseForm()
    location = db.session.get(Location, cash_session.location_id)
    context = {"cash_session": cash_session, "location": location, "form": form,
               "denominations": [(d, denomination_label(d)) for d in DENOMINATIONS_CENTS],
               "counted": {}, "cheque_rows": [{"amount": "", "drawer": ""}] * CHEQUE_ROWS,
               "card_total": "", "preview": None, "problems": [],
               "totals": session_totals(db.session, session_id),
               "difference_in_words": difference_in_words,
               "waiting": tablets.waiting_for(db.session, session_id),
               "envelope_names": dict(db.session.execute(
                   select(Envelope.code, Envelope.name)).all())}
    if request.method == "GET":
        return render_template("cash/close.html", **context)
    posted(form)
    counted, cheques, card, cheque_rows, problems = _read_close_form(form)
    context.update(counted=counted, cheque_rows=cheque_rows,
                   card_total=typed(form).get("card_total", ""), problems=problems)
    if problems:
        return render_template("cash/close.html", **context), 400
    with refusals() as refused:
        if form.action.data == "confirm":
            with write_transaction(db.session):
                close_cash_session(db.session, session_id, counted, cheques, card,
                                   current_user.id,
                                   waiting_confirmed=form.confirm_waiting.data == "1")
            prints = closing_documents.print_closing_documents(db.session, session_id)
            replica.after_closing(current_app._get_current_object())  # the day's copy
            flash(_("La caisse est fermée. %(printed)s",
                    printed=_print_message(prints, session_id)), "success")
            return redirect(url_for("cash.show", session_id=session_id))
        context["preview"] = preview_close(db.session, session_id, counted, cheques, card)
    if refused.failed:
        context["problems"] = [refused.message]
        return render_template("cash/close.html", **context), refused.status
    return render_template("cash/close.html", **context)


def _print_message(prints: dict[str, str], session_id: int) -> str:
    statuses = set(prints.values())
    if statuses == {"printed"}:
        return _("Le ticket Z et le bordereau sont imprimés.")
    if statuses == {"none"}:
        return _("Pas d'imprimante : affichez le bordereau ou son PDF ci-dessous.")
    if any(queue.unconfirmed(db.session, document, session_id) for document in prints):
        return _("Le ticket Z et le bordereau sont envoyés, pas confirmés : l'imprimante "
                 "n'a pas répondu. Ils restent dans la file pour être imprimés de nouveau ; "
                 "vérifiez ce qui est sorti.")
    return _("L'imprimante ne répond pas : le ticket Z et le bordereau attendent dans la "
             "file et partiront dès qu'elle sera prête.")


@bp.route("/sessions/<int:session_id>")
@seller_required
def show(session_id: int):
    cash_session = _open_session_or_404(session_id)
    location = db.session.get(Location, cash_session.location_id)
    closure = cash_session.closure
    context = {"cash_session": cash_session, "location": location, "closure": closure,
               "totals": session_totals(db.session, session_id), "form": FlaskForm(),
               "sales": sales_service.session_sales(db.session, session_id),
               "difference_in_words": difference_in_words}
    if closure is not None:
        context.update(
            figures=closed_figures(db.session, session_id, closure),
            closed_by=db.session.get(User, closure.closed_by),
            lines=counted_lines(db.session, session_id, "close"),
            cheques=session_cheques(db.session, session_id))
    return render_template("cash/session.html", **context)


def _document_or_404(document: str) -> None:
    if document not in DOCUMENT_NAMES:
        abort(404)


def _report(session_id: int, document: str):
    """The document as paper would show it: DUPLICATA once it was printed."""
    _document_or_404(document)
    _open_session_or_404(session_id)
    report = closing_documents.build(db.session, document, session_id)
    report.duplicate = closing_documents.already_printed(db.session, document, session_id)
    return report


@bp.route("/sessions/<int:session_id>/document/<document>")
@treasurer_required
def document_page(session_id: int, document: str):
    """The Z report or the slip as a printable page."""
    report = _report(session_id, document)
    return render_template("cash/document.html", report=report, session_id=session_id,
                           document=document)


@bp.route("/sessions/<int:session_id>/pdf/<document>")
@treasurer_required
def document_pdf(session_id: int, document: str):
    report = _report(session_id, document)
    name = "ticket-z" if document == "z_report" else "bordereau"
    return send_file(io.BytesIO(report_pdf(report)), mimetype="application/pdf",
                     download_name=f"{name}-caisse-{session_id}.pdf")


@bp.route("/sessions/<int:session_id>/print/<document>", methods=["POST"])
@treasurer_required
def print_document(session_id: int, document: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    _document_or_404(document)
    _open_session_or_404(session_id)
    status = closing_documents.print_document(db.session, document, session_id)
    if status == "queued" and queue.unconfirmed(db.session, document, session_id):
        status = "unconfirmed"
    messages = {
        "unconfirmed": _("%(doc)s envoyé, pas confirmé : l'imprimante n'a pas répondu. "
                         "Il reste dans la file pour être imprimé de nouveau.",
                         doc=str(DOCUMENT_NAMES[document])),
        "printed": _("%(doc)s imprimé.", doc=str(DOCUMENT_NAMES[document])),
        "queued": _("L'imprimante ne répond pas : %(doc)s attend dans la file.",
                    doc=str(DOCUMENT_NAMES[document])),
        "failed": _("L'impression a échoué : voyez la page Imprimante."),
        "none": _("Pas d'imprimante réglée : ouvrez le PDF pour l'imprimer."),
    }
    flash(messages.get(status, status), "success" if status == "printed" else "info")
    return redirect(url_for("cash.show", session_id=session_id))


# -- exports ---------------------------------------------------------------------------------

def _today() -> date:
    return utcnow().astimezone(PARIS).date()


@bp.route("/exports", methods=["GET", "POST"])
@treasurer_required
def exports_page():
    form = ExportForm()
    today = _today()
    start, end = exports.default_period(db.session, today)  # issue 16: not yet exported
    values = {"date_from": start.isoformat(), "date_to": end.isoformat(), "format": "paheko"}
    problem = overlap = None
    status = 200
    if request.method == "POST":
        posted(form)
        values = {key: typed(form).get(key, "") for key in values}
        if form.date_from.errors or form.date_to.errors:
            problem, status = _("Les dates s'écrivent AAAA-MM-JJ."), 400
        else:
            with refusals() as refused:
                with tempfile.TemporaryDirectory() as tmp, write_transaction(db.session):
                    result = exports.export(db.session, form.date_from.data,
                                            form.date_to.data, values["format"], tmp,
                                            current_user.id, again=form.again.data == "1")
                    payload, name, mimetype = _bundle(result.files, values["format"],
                                                      result.suffix
                                                      ) if result.files else (b"", "", "")
                if result.nothing:
                    flash(result.message, "info")
                    return redirect(url_for("cash.exports_page"))
                if result.left_out:  # shown on the next page the treasurer opens
                    flash(exports.left_out_message(result.left_out), "info")
                return send_file(io.BytesIO(payload), mimetype=mimetype, download_name=name,
                                 as_attachment=True)
            problem, status = refused.message, refused.status
            overlap = refused.code == "already_exported"
    return render_template("cash/exports.html", form=form, values=values, problem=problem,
                           year=today.year,
                           overlap=overlap, history=exports.history(db.session),
                           accounts=paheko_accounts.accounts(db.session),
                           account_labels=paheko_accounts.ACCOUNTS,
                           pieces=exports.pieces_by_export(db.session),
                           waiting=exports.waiting_drawers(db.session),
                           envelopes=db.session.scalars(
                               select(Envelope).order_by(Envelope.id)).all(),
                           projects=paheko_accounts.project_codes(db.session),
                           project_default=paheko_accounts.code_from_name), status


def _bundle(files: list[Path], fmt: str, suffix: str) -> tuple[bytes, str, str]:
    if fmt == "paheko":
        return files[0].read_bytes(), files[0].name, "text/csv"
    if fmt == "xlsx":
        return (files[0].read_bytes(), files[0].name,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.name)
    return (buffer.getvalue(), f"export-caisse_{suffix}.zip",
            "application/zip")


# -- journal ---------------------------------------------------------------------------------

@bp.route("/journal")
@treasurer_required
def journal_page():
    """The last check of the journal (a small one is checked now), the one running in the
    background with its progress, and the last entries (journal_checks)."""
    state = journal_checks.page_state(db.session)
    entries = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())
                                 .limit(100)).all()
    last = state.last
    return render_template("cash/journal.html", state=state,
                           verdict=last.verdict if last else None,
                           inline=state.entries <= journal_checks.INLINE_ENTRIES,
                           entries=entries, event_word=vocabulary.event_word)


@bp.route("/journal/check", methods=["POST"])
@treasurer_required
def journal_check():
    """"Vérifier maintenant": a new whole check in the background (unless one runs)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    journal_checks.page_state(db.session, fresh=True)
    return redirect(url_for("cash.journal_page"))


@bp.route("/exports/accounts", methods=["POST"])
@treasurer_required
def export_accounts():
    """The account numbers the Paheko file uses (they must exist in the chart)."""
    form = posted(texts_form(paheko_accounts.ACCOUNTS))
    with refusals(flash_it=True):
        with write_transaction(db.session):
            for key in paheko_accounts.ACCOUNTS:
                if (account := sent(form, key)) is not None:
                    paheko_accounts.set_account(db.session, key, account)
        flash(_("Comptes enregistrés."), "success")
    return redirect(url_for("cash.exports_page"))


@bp.route("/exports/projects", methods=["POST"])
@treasurer_required
def export_projects():
    """Each envelope's analytic project in Paheko (by default made from its name)."""
    codes = list(db.session.scalars(select(Envelope.code)))
    form = posted(texts_form(f"project-{code}" for code in codes))
    with refusals(flash_it=True):
        with write_transaction(db.session):
            for code in codes:
                if (project := sent(form, f"project-{code}")) is not None:
                    paheko_accounts.set_project_code(db.session, code, project)
        flash(_("Projets enregistrés."), "success")
    return redirect(url_for("cash.exports_page"))


@bp.route("/exports/cash-book.pdf")
@treasurer_required
def cash_book():
    """The year's livre de caisse, one book per place the drawers open at."""
    year = request.args.get("year", type=arg_number(9999)) or _today().year
    if not vocabulary.FIRST_DAY.year <= year <= vocabulary.LAST_DAY.year:
        abort(400)
    payload = cash_book_pdf(cash_books(db.session, year), year)
    return send_file(io.BytesIO(payload), mimetype="application/pdf",
                     download_name=f"livre-de-caisse_{year}.pdf")
