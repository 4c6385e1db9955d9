"""Pages of the cash area."""

from flask import render_template

from kiosk.auth.roles import seller_required
from kiosk.cash import bp


@bp.route("/sessions")
@seller_required
def index():
    return render_template("cash/index.html")
