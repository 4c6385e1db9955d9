"""The home page (what this volunteer needs first, then one large tile per thing she may
do) and the illustrated guide."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from kiosk.extensions import db
from kiosk.main.guide import GUIDE
from kiosk.services import home as home_service

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    first = home_service.first_things(db.session, treasurer=current_user.has_role("treasurer"),
                                      admin=current_user.has_role("admin"))
    return render_template("main/home.html", first=first)


@bp.route("/aide")
def guide():
    """Public: a volunteer who cannot log in yet may read how it goes."""
    return render_template("main/guide.html", guide=GUIDE)
