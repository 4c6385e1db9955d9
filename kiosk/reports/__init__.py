"""The reports area's pages."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from kiosk.reports import routes  # noqa: E402,F401
