"""The cash area's pages."""

from flask import Blueprint

bp = Blueprint("cash", __name__)

from kiosk.cash import routes  # noqa: E402,F401
