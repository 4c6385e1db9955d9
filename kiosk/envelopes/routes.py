"""Pages of the envelopes area."""

from flask import render_template

from kiosk.auth.roles import treasurer_required
from kiosk.envelopes import bp


@bp.route("/envelopes")
@treasurer_required
def index():
    return render_template("envelopes/index.html")
