"""Pages of the reports area."""

from flask import render_template

from kiosk.auth.roles import treasurer_required
from kiosk.reports import bp


@bp.route("/reports")
@treasurer_required
def index():
    return render_template("reports/index.html")
