"""The home page: one large tile per thing the volunteer may do."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    return render_template("main/home.html")
