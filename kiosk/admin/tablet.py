"""The tablet's set-up page: HTTPS (the authority's certificate to install), the home
screen and screen pinning, step by step with pictures."""

from __future__ import annotations

from flask import render_template

from kiosk.admin import bp
from kiosk.auth.roles import admin_required
from kiosk.tablet.setup import tablet_setup


@bp.route("/tablet", methods=["GET"])
@admin_required
def tablet():
    return render_template("admin/tablet.html", **tablet_setup())
