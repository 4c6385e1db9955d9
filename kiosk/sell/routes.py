"""Pages of the sell area."""

from flask import render_template

from kiosk.auth.roles import seller_required
from kiosk.sell import bp


@bp.route("/sell")
@seller_required
def index():
    return render_template("sell/index.html")
