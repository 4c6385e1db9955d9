"""The stock area's pages."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from kiosk.stock import routes  # noqa: E402,F401
