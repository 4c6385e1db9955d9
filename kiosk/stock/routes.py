"""Pages of the stock area."""

from flask import render_template

from kiosk.auth.roles import seller_required
from kiosk.stock import bp


@bp.route("/stock")
@seller_required
def index():
    return render_template("stock/index.html")
