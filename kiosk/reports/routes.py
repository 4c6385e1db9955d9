"""The reports page: by event, product and month, stock to check, and the impact."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from kiosk.auth.roles import treasurer_required
from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.reports import bp
from kiosk.services import reports
from kiosk.vocabulary import PARIS


def _period() -> tuple[date, date, str | None]:
    today = utcnow().astimezone(PARIS).date()
    default_from = date(today.year, 1, 1)
    try:
        date_from = date.fromisoformat(request.args.get("from") or default_from.isoformat())
        date_to = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        return default_from, today, _("Les dates s'écrivent AAAA-MM-JJ : "
                                      "la période de l'année en cours est affichée.")
    if date_to < date_from:
        return default_from, today, _("La fin de la période est avant son début : "
                                      "la période de l'année en cours est affichée.")
    return date_from, date_to, None


@bp.route("/reports")
@treasurer_required
def index():
    date_from, date_to, problem = _period()
    start, end = reports.period_bounds(date_from, date_to)
    by_month = reports.sales_by_month(db.session, start, end)
    for row in by_month:  # "décembre 2026", "December 2026"
        row.label = format_date(row.month, "LLLL yyyy")
    return render_template(
        "reports/index.html", date_from=date_from, date_to=date_to, problem=problem,
        by_event=reports.sales_by_event(db.session, start, end),
        by_product=reports.sales_by_product(db.session, start, end),
        by_month=by_month,
        to_check=reports.stock_to_check(db.session),
        impact=reports.impact(db.session, start, end)), 400 if problem else 200
