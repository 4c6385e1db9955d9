"""The reports pages: takings, products, places, stock to sew, envelopes (charts, tables
and CSV), and the impact report for partners (page and PDF)."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import date

from flask import Response, abort, current_app, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from kiosk.auth.roles import treasurer_required
from kiosk.common.input import parse_day
from kiosk.database import utcnow
from kiosk.documents.impact_report import impact_pdf
from kiosk.documents.receipts import setting
from kiosk.extensions import db
from kiosk.models.people import Role
from kiosk.reports import bp, charts
from kiosk.reports.tables import month_name, sections
from kiosk.services import report_figures
from kiosk.text import figure
from kiosk.vocabulary import PARIS


def _period() -> tuple[date, date, str | None]:
    today = utcnow().astimezone(PARIS).date()
    default_from = date(today.year, 1, 1)
    try:
        date_from = parse_day(request.args.get("from") or default_from.isoformat())
        date_to = parse_day(request.args.get("to") or today.isoformat())
    except ValueError:
        return default_from, today, _("Les dates s'écrivent AAAA-MM-JJ : "
                                      "la période de l'année en cours est affichée.")
    if date_to < date_from:
        return default_from, today, _("La fin de la période est avant son début : "
                                      "la période de l'année en cours est affichée.")
    return date_from, date_to, None


def _report(date_from: date, date_to: date) -> report_figures.Report:
    return report_figures.build(
        db.session, date_from, date_to,
        low_stock=int(current_app.config["REPORT_LOW_STOCK"]),
        grams_per_m2=int(current_app.config["BANNER_GRAMS_PER_M2"]),
        with_names=current_user.has_role(Role.ADMIN))


@bp.route("/reports")
@treasurer_required
def index():
    date_from, date_to, problem = _period()
    report = _report(date_from, date_to)
    return render_template(
        "reports/index.html", date_from=date_from, date_to=date_to, problem=problem,
        report=report, impact=report.impact, sections=sections(report)
    ), 400 if problem else 200


@bp.route("/reports/<name>.csv")
@treasurer_required
def table_csv(name: str):
    date_from, date_to, problem = _period()
    if problem:
        abort(400, problem)
    chosen = next((s for s in sections(_report(date_from, date_to), with_charts=False)
                   if s.name == name), None)
    if chosen is None:
        abort(404)
    return Response(chosen.csv(), mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="bilan-{name}-{date_from}-{date_to}.csv"'})


def _impact_context(date_from: date, date_to: date) -> dict:
    report = _report(date_from, date_to)
    impact = report.impact
    partners = [(partner or _("Lot non précisé"), made, sold, cm2)
                for partner, made, sold, cm2 in impact.partners]
    partners_chart = charts.bars(
        _("Mètres carrés de bâche par partenaire"),
        [(partner, cm2) for partner, _made, _sold, cm2 in partners],
        lambda cm2: f"{figure(round(cm2 / 10_000, 1))} m²", charts.PALETTE)

    return {"date_from": date_from, "date_to": date_to, "report": report, "impact": impact,
            # whose report it is, and when it was made: a funder reads it alone (issue 28)
            "group_name": setting(db.session, "receipt_name"),
            "group_address": setting(db.session, "receipt_address"),
            "issued_on": utcnow().astimezone(PARIS).date(),
            "figure": figure, "partners": partners, "partners_chart": partners_chart,
            "months": [(month_name(date.fromisoformat(h.label + "-01")), h)
                       for h in impact.hours_by_month]}


@bp.route("/reports/impact")
@treasurer_required
def impact():
    date_from, date_to, problem = _period()
    return render_template("reports/impact.html", problem=problem,
                           **_impact_context(date_from, date_to)), 400 if problem else 200


# The same figures make the same PDF: fpdf2 spends most of a document reading and
# subsetting the fonts, so a file already made for these exact figures is sent again.
_PDFS: dict[str, bytes] = {}
_PDFS_KEPT = 32
_PDFS_LOCK = threading.Lock()  # the server answers from several threads


@bp.route("/reports/impact.pdf")
@treasurer_required
def impact_file():
    date_from, date_to, problem = _period()
    if problem:
        abort(400, problem)
    context = _impact_context(date_from, date_to)
    key = hashlib.sha256(json.dumps(
        [str(get_locale()), date_from.isoformat(), date_to.isoformat(),
         context["impact"].as_json(), [name for name, _hours in context["months"]],
         context["group_name"], context["group_address"], context["issued_on"].isoformat()],
        sort_keys=True).encode()).hexdigest()
    with _PDFS_LOCK:
        payload = _PDFS.get(key)
    if payload is None:
        payload = impact_pdf(context)
        with _PDFS_LOCK:
            if len(_PDFS) >= _PDFS_KEPT:
                _PDFS.pop(next(iter(_PDFS)))
            _PDFS[key] = payload
    return send_file(io.BytesIO(payload), mimetype="application/pdf",
                     download_name=f"impact-{date_from}-{date_to}.pdf")
