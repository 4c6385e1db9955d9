"""The sell area's pages."""

from flask import Blueprint

bp = Blueprint("sell", __name__)

from kiosk.sell import routes  # noqa: E402,F401
